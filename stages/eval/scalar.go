package eval

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/bitutil"
	"github.com/apache/arrow-go/v18/arrow/decimal128"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"runner/stages"
	"runner/stages/plan"
)

// scalar is a constant of a logical type, with the forms kernels read
// prepared once.
type scalar struct {
	typ   plan.Type
	null  bool
	str   string         // TypeString
	i     int64          // TypeInt32, TypeInt64; TypeDate (days); TypeTimestamp (ms)
	f     float64        // TypeFloat64; TypeDecimal128 read as float64
	dec   decimal128.Num // TypeDecimal128
	scale int32          // TypeDecimal128
	b     bool           // TypeBool
	list  []string       // TypeStringList
	// text is the value's text form, as concat writes it.
	text []byte
}

func nullScalar(t plan.Type) *scalar { return &scalar{typ: t, null: true} }

// newScalar converts a plan literal to a scalar of the node's type t. The
// language narrows or widens numeric literals by typing the node, so an
// integer value may stand for an int32, a float64 or a decimal.
func newScalar(v plan.Value, t plan.Type) (*scalar, error) {
	if v.Type == plan.TypeNull {
		return nullScalar(t), nil
	}
	sc := &scalar{typ: t}
	mismatch := fmt.Errorf("a %s value cannot be a %s literal", v.Type, t)
	switch t {
	case plan.TypeString:
		if v.Type != plan.TypeString {
			return nil, mismatch
		}
		sc.str = v.Str
	case plan.TypeInt32, plan.TypeInt64:
		if !v.Type.IsInteger() {
			return nil, mismatch
		}
		if t == plan.TypeInt32 && v.Int != int64(int32(v.Int)) {
			return nil, fmt.Errorf("%d does not fit an int32", v.Int)
		}
		sc.i = v.Int
	case plan.TypeFloat64:
		switch {
		case v.Type == plan.TypeFloat64:
			sc.f = v.Float
		case v.Type.IsInteger():
			sc.f = float64(v.Int)
		case v.Type == plan.TypeDecimal128:
			f, err := strconv.ParseFloat(v.Str, 64)
			if err != nil {
				return nil, fmt.Errorf("decimal %q: %w", v.Str, err)
			}
			sc.f = f
		default:
			return nil, mismatch
		}
	case plan.TypeDecimal128:
		var text string
		switch {
		case v.Type == plan.TypeDecimal128:
			text = v.Str
		case v.Type.IsInteger():
			text = strconv.FormatInt(v.Int, 10)
		case v.Type == plan.TypeFloat64:
			text = strconv.FormatFloat(v.Float, 'f', -1, 64)
		default:
			return nil, mismatch
		}
		n, scale, err := parseDecimal(text)
		if err != nil {
			return nil, err
		}
		sc.dec, sc.scale, sc.f = n, scale, decimalToFloat(n, scale)
	case plan.TypeBool:
		if v.Type != plan.TypeBool {
			return nil, mismatch
		}
		sc.b = v.Bool
	case plan.TypeDate, plan.TypeTimestamp:
		if v.Type != t {
			return nil, mismatch
		}
		if t == plan.TypeDate && v.Int != int64(int32(v.Int)) {
			return nil, fmt.Errorf("date %d days from 1970 is out of range", v.Int)
		}
		sc.i = v.Int
	case plan.TypeStringList:
		if v.Type != plan.TypeStringList {
			return nil, mismatch
		}
		sc.list = v.List
		return sc, nil
	default:
		return nil, mismatch
	}
	sc.text = appendScalarText(nil, sc)
	return sc, nil
}

// parseDecimal reads a plain decimal text ([sign]digits[.digits]) as an
// unscaled value and the scale its digits give it.
func parseDecimal(text string) (decimal128.Num, int32, error) {
	scale := 0
	if dot := strings.IndexByte(text, '.'); dot >= 0 {
		scale = len(text) - dot - 1
	}
	if strings.ContainsAny(text, "eE") || scale > stages.DecimalPrecision {
		return decimal128.Num{}, 0, fmt.Errorf("decimal %q: want digits with at most %d decimal places", text, stages.DecimalPrecision)
	}
	n, err := decimal128.FromString(text, stages.DecimalPrecision, int32(scale))
	if err != nil {
		return decimal128.Num{}, 0, fmt.Errorf("decimal %q: %w", text, err)
	}
	return n, int32(scale), nil
}

// pow10 holds the powers of ten that float64 represents exactly.
var pow10 = [...]float64{1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10,
	1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22}

// decimalToFloat reads a decimal as unscaled / 10^scale: correctly rounded
// when the unscaled value has at most 53 bits and the scale at most 22
// digits (every realistic amount), within a few ulps otherwise.
func decimalToFloat(n decimal128.Num, scale int32) float64 {
	hi, v := n.HighBits(), int64(n.LowBits())
	fitsInt64 := (hi == 0 && v >= 0) || (hi == -1 && v < 0)
	if fitsInt64 && v >= -(1<<53) && v <= 1<<53 {
		v := float64(v)
		switch {
		case scale >= 0 && int(scale) < len(pow10):
			return v / pow10[scale]
		case scale < 0 && int(-scale) < len(pow10):
			return v * pow10[-scale]
		}
	}
	return n.ToFloat64(scale)
}

// scalarType is the Arrow type of an array of copies of sc.
func scalarType(sc *scalar) (arrow.DataType, error) {
	switch sc.typ {
	case plan.TypeNull:
		return arrow.BinaryTypes.String, nil
	case plan.TypeDecimal128:
		return &arrow.Decimal128Type{Precision: stages.DecimalPrecision, Scale: sc.scale}, nil
	}
	return stages.ArrowType(sc.typ, 0)
}

// scalarAt reads row i of arr as a scalar of type t (constant folding).
func scalarAt(arr arrow.Array, i int, t plan.Type) (*scalar, error) {
	if t == plan.TypeNull || arr.IsNull(i) {
		return nullScalar(t), nil
	}
	sc := &scalar{typ: t}
	switch a := arr.(type) {
	case *array.String:
		sc.str = strings.Clone(a.Value(i))
	case *array.Int32:
		sc.i = int64(a.Value(i))
	case *array.Int64:
		sc.i = a.Value(i)
	case *array.Float64:
		sc.f = a.Value(i)
	case *array.Decimal128:
		sc.dec, sc.scale = a.Value(i), a.DataType().(*arrow.Decimal128Type).Scale
		sc.f = decimalToFloat(sc.dec, sc.scale)
	case *array.Boolean:
		sc.b = a.Value(i)
	case *array.Date32:
		sc.i = int64(a.Value(i))
	case *array.Timestamp:
		sc.i = int64(a.Value(i))
	default:
		return nil, fmt.Errorf("no scalar of Arrow type %s", arr.DataType())
	}
	sc.text = appendScalarText(nil, sc)
	return sc, nil
}

// materialise returns an array of n copies of sc.
func materialise(mem memory.Allocator, sc *scalar, n int) (arrow.Array, error) {
	dt, err := scalarType(sc)
	if err != nil {
		return nil, err
	}
	if sc.null {
		return allNull(mem, dt, n), nil
	}
	switch sc.typ {
	case plan.TypeString:
		if int64(n)*int64(len(sc.str)) > math.MaxInt32 {
			return nil, fmt.Errorf("%d copies of a %d-byte string exceed the 2 GiB of a utf8 array", n, len(sc.str))
		}
		w, buf := newStringWriter(mem, n, n*len(sc.str))
		for i := 0; i < n; i++ {
			buf = append(buf, sc.str...)
			w.offs[i+1] = int32(len(buf))
		}
		return w.finish(buf, nil)
	case plan.TypeInt32, plan.TypeDate:
		return fillFixed(mem, dt, n, int32(sc.i)), nil
	case plan.TypeInt64, plan.TypeTimestamp:
		return fillFixed(mem, dt, n, sc.i), nil
	case plan.TypeFloat64:
		return fillFixed(mem, dt, n, sc.f), nil
	case plan.TypeDecimal128:
		return fillFixed(mem, dt, n, sc.dec), nil
	case plan.TypeBool:
		vals := newBitmap(mem, n)
		bitutil.SetBitsTo(vals.Bytes(), 0, int64(n), sc.b)
		return makeArray(dt, n, nil, vals), nil
	}
	return nil, fmt.Errorf("cannot materialise a %s", sc.typ)
}

func fillFixed[E fixed](mem memory.Allocator, dt arrow.DataType, n int, v E) arrow.Array {
	buf, vals := newValues[E](mem, n)
	for i := range vals {
		vals[i] = v
	}
	return makeArray(dt, n, nil, buf)
}
