package eval

import (
	"fmt"
	"math"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/decimal128"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"runner/stages/plan"
)

// msPerDay converts dates (days since 1970-01-01) to timestamps (ms).
const msPerDay = 86_400_000

// number is the element type of the arrays arithmetic and comparisons loop
// over: int32 and date32 values, int64 and timestamp values, float64 values
// (decimals are converted to float64 first).
type number interface {
	~int32 | ~int64 | ~float64
}

type numKind uint8

const (
	kindI32 numKind = iota
	kindI64
	kindF64
)

// numView reads a numeric or temporal argument. A scalar is a one-element
// slice that every row reads through mask 0, so one loop serves arrays and
// scalars alike.
type numView struct {
	kind numKind
	i32  []int32
	i64  []int64
	f64  []float64
	mask int
	// arr is the argument's array (for its validity); nil for a scalar.
	arr arrow.Array
	// owned is a conversion of the argument allocated for this view.
	owned *memory.Buffer
}

func (v *numView) release() {
	if v.owned != nil {
		v.owned.Release()
	}
}

// viewNumbers reads v, of logical type t. Decimals are read as float64;
// with ms set, dates are read as milliseconds so that they compare with
// timestamps.
func viewNumbers(mem memory.Allocator, v value, t plan.Type, ms bool) (numView, error) {
	if v.arr == nil {
		switch {
		case t == plan.TypeFloat64 || t == plan.TypeDecimal128:
			return numView{kind: kindF64, f64: []float64{v.sc.f}}, nil
		case t == plan.TypeDate && ms:
			return numView{kind: kindI64, i64: []int64{v.sc.i * msPerDay}}, nil
		}
		return numView{kind: kindI64, i64: []int64{v.sc.i}}, nil
	}
	nv := numView{mask: -1, arr: v.arr}
	switch a := v.arr.(type) {
	case *array.Int32:
		nv.kind, nv.i32 = kindI32, a.Int32Values()
	case *array.Int64:
		nv.kind, nv.i64 = kindI64, a.Int64Values()
	case *array.Float64:
		nv.kind, nv.f64 = kindF64, a.Float64Values()
	case *array.Timestamp:
		nv.kind, nv.i64 = kindI64, arrow.GetValues[int64](a.Data(), 1)
	case *array.Date32:
		days := arrow.GetValues[int32](a.Data(), 1)
		if !ms {
			nv.kind, nv.i32 = kindI32, days
			break
		}
		buf, out := newValues[int64](mem, len(days))
		for i, d := range days {
			out[i] = int64(d) * msPerDay
		}
		nv.kind, nv.i64, nv.owned = kindI64, out, buf
	case *array.Decimal128:
		scale := a.DataType().(*arrow.Decimal128Type).Scale
		nums := arrow.GetValues[decimal128.Num](a.Data(), 1)
		buf, out := newValues[float64](mem, len(nums))
		for i, d := range nums {
			out[i] = decimalToFloat(d, scale)
		}
		nv.kind, nv.f64, nv.owned = kindF64, out, buf
	default:
		return numView{}, fmt.Errorf("%s is not a number", v.arr.DataType())
	}
	return nv, nil
}

// arithKernel returns the kernel of a binary arithmetic operator over
// arguments of types ta and tb, whose result has type t (int64 or float64).
func arithKernel(op plan.Op, ta, tb, t plan.Type) kernel {
	return func(ec *evalCtx, args []value) (arrow.Array, error) {
		a, err := viewNumbers(ec.mem, args[0], ta, false)
		if err != nil {
			return nil, err
		}
		defer a.release()
		b, err := viewNumbers(ec.mem, args[1], tb, false)
		if err != nil {
			return nil, err
		}
		defer b.release()
		n := ec.rows
		// Overflow and division by zero add nulls to the inputs' own.
		ns := nullSetter{mem: ec.mem, n: n, bits: andValidity(ec.mem, n, a.arr, b.arr)}
		if t == plan.TypeInt64 {
			buf, out := newValues[int64](ec.mem, n)
			intArith(op, a, b, out, &ns)
			return makeArray(arrow.PrimitiveTypes.Int64, n, ns.bits, buf), nil
		}
		buf, out := newValues[float64](ec.mem, n)
		floatArith(op, a, b, out, &ns)
		return makeArray(arrow.PrimitiveTypes.Float64, n, ns.bits, buf), nil
	}
}

func intArith(op plan.Op, a, b numView, out []int64, ns *nullSetter) {
	switch {
	case a.kind == kindI32 && b.kind == kindI32:
		intLoop(op, a.i32, a.mask, b.i32, b.mask, out, ns)
	case a.kind == kindI32:
		intLoop(op, a.i32, a.mask, b.i64, b.mask, out, ns)
	case b.kind == kindI32:
		intLoop(op, a.i64, a.mask, b.i32, b.mask, out, ns)
	default:
		intLoop(op, a.i64, a.mask, b.i64, b.mask, out, ns)
	}
}

// intLoop computes a op b in int64 for every row; a result that overflows
// is null (a wrapped value would be silently wrong).
func intLoop[A, B int32 | int64](op plan.Op, a []A, am int, b []B, bm int, out []int64, ns *nullSetter) {
	switch op {
	case plan.OpAdd:
		for i := range out {
			x, y := int64(a[i&am]), int64(b[i&bm])
			s := x + y
			if (x^s)&(y^s) < 0 {
				ns.setNull(i)
			}
			out[i] = s
		}
	case plan.OpSub:
		for i := range out {
			x, y := int64(a[i&am]), int64(b[i&bm])
			d := x - y
			if (x^y)&(x^d) < 0 {
				ns.setNull(i)
			}
			out[i] = d
		}
	case plan.OpMul:
		for i := range out {
			x, y := int64(a[i&am]), int64(b[i&bm])
			p, ok := mul64(x, y)
			if !ok {
				ns.setNull(i)
			}
			out[i] = p
		}
	case plan.OpMod:
		for i := range out {
			x, y := int64(a[i&am]), int64(b[i&bm])
			if y == 0 {
				ns.setNull(i)
				out[i] = 0
				continue
			}
			out[i] = x % y
		}
	}
}

// mul64 multiplies and reports whether the product fits an int64.
func mul64(x, y int64) (int64, bool) {
	p := x * y
	if x == int64(int32(x)) && y == int64(int32(y)) {
		return p, true
	}
	if x != 0 && (p/x != y || (x == -1 && y == math.MinInt64)) {
		return 0, false
	}
	return p, true
}

func floatArith(op plan.Op, a, b numView, out []float64, ns *nullSetter) {
	switch a.kind {
	case kindI32:
		floatArithB(op, a.i32, a.mask, b, out, ns)
	case kindI64:
		floatArithB(op, a.i64, a.mask, b, out, ns)
	default:
		floatArithB(op, a.f64, a.mask, b, out, ns)
	}
}

func floatArithB[A number](op plan.Op, a []A, am int, b numView, out []float64, ns *nullSetter) {
	switch b.kind {
	case kindI32:
		floatLoop(op, a, am, b.i32, b.mask, out, ns)
	case kindI64:
		floatLoop(op, a, am, b.i64, b.mask, out, ns)
	default:
		floatLoop(op, a, am, b.f64, b.mask, out, ns)
	}
}

// floatLoop computes a op b in float64 for every row; dividing by zero
// (/ or %) yields null.
func floatLoop[A, B number](op plan.Op, a []A, am int, b []B, bm int, out []float64, ns *nullSetter) {
	switch op {
	case plan.OpAdd:
		for i := range out {
			out[i] = float64(a[i&am]) + float64(b[i&bm])
		}
	case plan.OpSub:
		for i := range out {
			out[i] = float64(a[i&am]) - float64(b[i&bm])
		}
	case plan.OpMul:
		for i := range out {
			out[i] = float64(a[i&am]) * float64(b[i&bm])
		}
	case plan.OpDiv:
		for i := range out {
			y := float64(b[i&bm])
			if y == 0 {
				ns.setNull(i)
				out[i] = 0
				continue
			}
			out[i] = float64(a[i&am]) / y
		}
	case plan.OpMod:
		for i := range out {
			y := float64(b[i&bm])
			if y == 0 {
				ns.setNull(i)
				out[i] = 0
				continue
			}
			out[i] = math.Mod(float64(a[i&am]), y)
		}
	}
}

// negKernel negates numbers of type t; the result has type t, or float64 for
// decimals. Negating the smallest integer of its type overflows: null.
func negKernel(t plan.Type) kernel {
	return signKernel(t, func(x int64) int64 { return -x }, func(f float64) float64 { return -f })
}

// signKernel applies a sign operation (negation, absolute value) to numbers
// of type t: onInt to integers, keeping their type, onFloat to the rest, as
// float64. The smallest integer of its type has no opposite in that type:
// null.
func signKernel(t plan.Type, onInt func(int64) int64, onFloat func(float64) float64) kernel {
	return func(ec *evalCtx, args []value) (arrow.Array, error) {
		a, err := viewNumbers(ec.mem, args[0], t, false)
		if err != nil {
			return nil, err
		}
		defer a.release()
		n := ec.rows
		ns := nullSetter{mem: ec.mem, n: n, bits: andValidity(ec.mem, n, a.arr)}
		switch t {
		case plan.TypeInt32:
			buf, out := newValues[int32](ec.mem, n)
			for i := range out {
				x := a.intAt(i)
				if x == math.MinInt32 {
					ns.setNull(i)
				}
				out[i] = int32(onInt(x))
			}
			return makeArray(arrow.PrimitiveTypes.Int32, n, ns.bits, buf), nil
		case plan.TypeInt64:
			buf, out := newValues[int64](ec.mem, n)
			for i := range out {
				x := a.intAt(i)
				if x == math.MinInt64 {
					ns.setNull(i)
				}
				out[i] = onInt(x)
			}
			return makeArray(arrow.PrimitiveTypes.Int64, n, ns.bits, buf), nil
		}
		buf, out := newValues[float64](ec.mem, n)
		for i := range out {
			out[i] = onFloat(a.floatAt(i))
		}
		return makeArray(arrow.PrimitiveTypes.Float64, n, ns.bits, buf), nil
	}
}
