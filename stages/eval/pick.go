package eval

import (
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/bitutil"
	"github.com/apache/arrow-go/v18/arrow/decimal128"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"runner/stages"
	"runner/stages/plan"
)

// The conditional and coalesce pick, row by row, one of several arguments
// converted to the result type: the pick machinery is shared.

// condKernel is `c ? a : b` with a result of type t; types are the three
// arguments' types. A null condition gives null.
func condKernel(t plan.Type, types []plan.Type) kernel {
	return func(ec *evalCtx, args []value) (arrow.Array, error) {
		n := ec.rows
		c := viewBools(ec.mem, args[0], n)
		defer c.release()
		srcs, err := pickSources(ec.mem, args[1:], types[1:], t)
		if err != nil {
			return nil, err
		}
		defer releaseSources(srcs)
		return gather(ec, t, srcs, func(i int) int {
			j, bit := i>>3, byte(1)<<(i&7)
			if c.ok(j)&bit == 0 {
				return -1
			}
			k := 1
			if c.val(j)&bit != 0 {
				k = 0
			}
			if !srcs[k].validAt(i) {
				return -1
			}
			return k
		})
	}
}

// coalesceKernel returns, row by row, the first argument that is not null.
func coalesceKernel(t plan.Type, types []plan.Type) kernel {
	return func(ec *evalCtx, args []value) (arrow.Array, error) {
		srcs, err := pickSources(ec.mem, args, types, t)
		if err != nil {
			return nil, err
		}
		defer releaseSources(srcs)
		return gather(ec, t, srcs, func(i int) int {
			for k := range srcs {
				if srcs[k].validAt(i) {
					return k
				}
			}
			return -1
		})
	}
}

// pickSource is one argument of a pick, converted to the result type.
type pickSource struct {
	v    value
	bits []byte
	boff int
	// mask is -1 for an array and 0 for a scalar.
	mask int
}

func (s *pickSource) validAt(i int) bool {
	if s.v.arr == nil {
		return !s.v.sc.null
	}
	return validAt(s.bits, s.boff, i)
}

func releaseSources(srcs []pickSource) {
	for _, s := range srcs {
		s.v.release()
	}
}

// pickSources converts args (of types types) to the result type t;
// decimals are brought to the largest scale among them.
func pickSources(mem memory.Allocator, args []value, types []plan.Type, t plan.Type) ([]pickSource, error) {
	scale := int32(0)
	if t == plan.TypeDecimal128 {
		scale = largestScale(args)
	}
	srcs := make([]pickSource, 0, len(args))
	for k, a := range args {
		v, err := coerce(mem, a, types[k], t, scale)
		if err != nil {
			releaseSources(srcs)
			return nil, err
		}
		s := pickSource{v: v}
		if v.arr != nil {
			s.mask = -1
			s.bits, s.boff = bitsOf(v.arr)
		}
		srcs = append(srcs, s)
	}
	return srcs, nil
}

// largestScale is the largest scale among decimal arguments.
func largestScale(args []value) int32 {
	scale := int32(0)
	for _, a := range args {
		switch {
		case a.arr != nil:
			if d, ok := a.arr.DataType().(*arrow.Decimal128Type); ok {
				scale = max(scale, d.Scale)
			}
		case !a.sc.null && a.sc.typ == plan.TypeDecimal128:
			scale = max(scale, a.sc.scale)
		}
	}
	return scale
}

// coerce converts v, of logical type from, to type to (decimals to scale):
// the widenings plan.CommonType allows. The caller owns the result and
// still owns v.
func coerce(mem memory.Allocator, v value, from, to plan.Type, scale int32) (value, error) {
	if v.arr == nil {
		if v.sc.null {
			return v, nil
		}
		sc := *v.sc
		sc.typ = to
		switch to {
		case plan.TypeFloat64:
			if from.IsInteger() {
				sc.f = float64(sc.i)
			}
		case plan.TypeDecimal128:
			d, err := rescale(sc.dec, sc.scale, scale)
			if err != nil {
				return value{}, err
			}
			sc.dec, sc.scale = d, scale
		}
		return value{sc: &sc}, nil
	}
	switch {
	case from == to && to != plan.TypeDecimal128:
		v.arr.Retain()
		return v, nil
	case to == plan.TypeInt64 && from == plan.TypeInt32:
		in := v.arr.(*array.Int32).Int32Values()
		buf, out := newValues[int64](mem, len(in))
		for i, x := range in {
			out[i] = int64(x)
		}
		return value{arr: makeArray(arrow.PrimitiveTypes.Int64, len(in), sameValidity(mem, v.arr, len(in)), buf)}, nil
	case to == plan.TypeFloat64:
		nv, err := viewNumbers(mem, v, from, false)
		if err != nil {
			return value{}, err
		}
		defer nv.release()
		n := v.arr.Len()
		buf, out := newValues[float64](mem, n)
		switch nv.kind {
		case kindI32:
			for i := range out {
				out[i] = float64(nv.i32[i])
			}
		case kindI64:
			for i := range out {
				out[i] = float64(nv.i64[i])
			}
		default:
			copy(out, nv.f64)
		}
		return value{arr: makeArray(arrow.PrimitiveTypes.Float64, n, sameValidity(mem, v.arr, n), buf)}, nil
	case to == plan.TypeDecimal128:
		return rescaleArray(mem, v.arr.(*array.Decimal128), scale)
	}
	return value{}, fmt.Errorf("cannot convert %s to %s", from, to)
}

// rescale brings a decimal from scale from up to scale to, exactly.
func rescale(d decimal128.Num, from, to int32) (decimal128.Num, error) {
	k := to - from
	if k == 0 {
		return d, nil
	}
	// |d| < 10^(38-k) is exactly the condition for d·10^k to keep within
	// the 38 digits of the result type.
	if !d.Abs().Less(decimal128.GetScaleMultiplier(int(stages.DecimalPrecision - k))) {
		return decimal128.Num{}, fmt.Errorf("decimal %s does not fit decimal128(%d, %d)", d.ToString(from), stages.DecimalPrecision, to)
	}
	return d.Mul(decimal128.GetScaleMultiplier(int(k))), nil
}

func rescaleArray(mem memory.Allocator, a *array.Decimal128, scale int32) (value, error) {
	from := a.DataType().(*arrow.Decimal128Type).Scale
	if from == scale {
		a.Retain()
		return value{arr: a}, nil
	}
	in := arrow.GetValues[decimal128.Num](a.Data(), 1)
	buf, out := newValues[decimal128.Num](mem, len(in))
	for i, d := range in {
		if a.IsNull(i) {
			out[i] = decimal128.Num{}
			continue
		}
		r, err := rescale(d, from, scale)
		if err != nil {
			buf.Release()
			return value{}, err
		}
		out[i] = r
	}
	dt := &arrow.Decimal128Type{Precision: stages.DecimalPrecision, Scale: scale}
	return value{arr: makeArray(dt, len(in), sameValidity(mem, a, len(in)), buf)}, nil
}

// gather builds the result of a pick of type t: row i is row i of
// srcs[choose(i)], or null when choose returns -1.
func gather(ec *evalCtx, t plan.Type, srcs []pickSource, choose func(int) int) (arrow.Array, error) {
	n := ec.rows
	switch t {
	case plan.TypeNull:
		return allNull(ec.mem, arrow.BinaryTypes.String, n), nil
	case plan.TypeString:
		views := make([]strView, len(srcs))
		hint := 0 // the largest source's size: growing is then rare
		for k, s := range srcs {
			if !s.v.isNull() {
				views[k] = viewStrings(s.v)
				size := int(views[k].offs[len(views[k].offs)-1] - views[k].offs[0])
				if s.v.arr == nil {
					size *= n
				}
				hint = max(hint, size)
			}
		}
		w, buf := newStringWriter(ec.mem, n, hint)
		valid := newBitmap(ec.mem, n)
		var err error
		for i := 0; i < n; i++ {
			if k := choose(i); k >= 0 {
				s := views[k].at(i)
				if buf, err = w.room(buf, len(s)); err != nil {
					w.release()
					valid.Release()
					return nil, err
				}
				buf = append(buf, s...)
				bitutil.SetBit(valid.Bytes(), i)
			}
			w.offs[i+1] = int32(len(buf))
		}
		return w.finish(buf, valid)
	case plan.TypeBool:
		views := make([]boolView, len(srcs))
		for k, s := range srcs {
			views[k] = viewBools(ec.mem, s.v, n)
		}
		defer func() {
			for k := range views {
				views[k].release()
			}
		}()
		vals, valid := newBitmap(ec.mem, n), newBitmap(ec.mem, n)
		for i := 0; i < n; i++ {
			if k := choose(i); k >= 0 {
				bitutil.SetBit(valid.Bytes(), i)
				if views[k].val(i>>3)&(1<<(i&7)) != 0 {
					bitutil.SetBit(vals.Bytes(), i)
				}
			}
		}
		return makeArray(arrow.FixedWidthTypes.Boolean, n, valid, vals), nil
	case plan.TypeInt32, plan.TypeDate:
		return gatherFixed[int32](ec, t, srcs, choose)
	case plan.TypeInt64, plan.TypeTimestamp:
		return gatherFixed[int64](ec, t, srcs, choose)
	case plan.TypeFloat64:
		return gatherFixed[float64](ec, t, srcs, choose)
	case plan.TypeDecimal128:
		return gatherFixed[decimal128.Num](ec, t, srcs, choose)
	}
	return nil, fmt.Errorf("cannot pick values of type %s", t)
}

func gatherFixed[E fixed](ec *evalCtx, t plan.Type, srcs []pickSource, choose func(int) int) (arrow.Array, error) {
	n := ec.rows
	dt, err := stages.ArrowType(t, 0)
	if err != nil {
		return nil, err
	}
	views := make([][]E, len(srcs))
	for k, s := range srcs {
		switch {
		case s.v.arr != nil:
			views[k] = arrow.GetValues[E](s.v.arr.Data(), 1)
			if d, ok := s.v.arr.DataType().(*arrow.Decimal128Type); ok {
				dt = d
			}
		case !s.v.sc.null:
			views[k] = []E{scalarElem[E](s.v.sc)}
			if t == plan.TypeDecimal128 {
				dt = &arrow.Decimal128Type{Precision: stages.DecimalPrecision, Scale: s.v.sc.scale}
			}
		}
	}
	buf, out := newValues[E](ec.mem, n)
	valid := newBitmap(ec.mem, n)
	var zero E
	for i := range out {
		k := choose(i)
		if k < 0 {
			out[i] = zero
			continue
		}
		out[i] = views[k][i&srcs[k].mask]
		bitutil.SetBit(valid.Bytes(), i)
	}
	return makeArray(dt, n, valid, buf), nil
}

// scalarElem is sc's value as the element type of its Arrow array.
func scalarElem[E fixed](sc *scalar) E {
	var e E
	switch p := any(&e).(type) {
	case *int32:
		*p = int32(sc.i)
	case *int64:
		*p = sc.i
	case *float64:
		*p = sc.f
	case *decimal128.Num:
		*p = sc.dec
	}
	return e
}
