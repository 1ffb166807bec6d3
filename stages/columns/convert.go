package columns

import (
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/decimal128"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"runner/stages/plan"
)

// widen converts an expression's result to its column's type. The compiler
// only admits widening (int32 → int64 → float64, any number → decimal128),
// so no value is ever lost; arrays already of the right type come back as
// they are.
func widen(mem memory.Allocator, arr arrow.Array, to arrow.DataType) (arrow.Array, error) {
	if arrow.TypeEqual(arr.DataType(), to) {
		return arr, nil
	}
	n := arr.Len()
	b := array.NewBuilder(mem, to)
	defer b.Release()
	b.Reserve(n)
	switch dst := b.(type) {
	case *array.Int64Builder:
		src, ok := arr.(*array.Int32)
		if !ok {
			return nil, unsupportedWidening(arr, to)
		}
		for i := 0; i < n; i++ {
			if src.IsNull(i) {
				dst.AppendNull()
			} else {
				dst.Append(int64(src.Value(i)))
			}
		}
	case *array.Float64Builder:
		get, ok := integerReader(arr)
		if !ok {
			return nil, unsupportedWidening(arr, to)
		}
		for i := 0; i < n; i++ {
			if arr.IsNull(i) {
				dst.AppendNull()
			} else {
				dst.Append(float64(get(i)))
			}
		}
	case *array.Decimal128Builder:
		scale := to.(*arrow.Decimal128Type).Scale
		for i := 0; i < n; i++ {
			if arr.IsNull(i) {
				dst.AppendNull()
				continue
			}
			v, err := toDecimal(arr, i, scale)
			if err != nil {
				return nil, err
			}
			dst.Append(v)
		}
	default:
		return nil, unsupportedWidening(arr, to)
	}
	return b.NewArray(), nil
}

func unsupportedWidening(arr arrow.Array, to arrow.DataType) error {
	return fmt.Errorf("cannot store a %s result in a %s column", arr.DataType(), to)
}

func integerReader(arr arrow.Array) (func(int) int64, bool) {
	switch a := arr.(type) {
	case *array.Int32:
		return func(i int) int64 { return int64(a.Value(i)) }, true
	case *array.Int64:
		return a.Value, true
	}
	return nil, false
}

func toDecimal(arr arrow.Array, i int, scale int32) (decimal128.Num, error) {
	if get, ok := integerReader(arr); ok {
		n := decimal128.FromI64(get(i))
		return n.Mul(decimal128.GetScaleMultiplier(int(scale))), nil
	}
	if f, ok := arr.(*array.Float64); ok {
		return decimal128.FromFloat64(f.Value(i), 38, scale)
	}
	return decimal128.Num{}, unsupportedWidening(arr, &arrow.Decimal128Type{Precision: 38, Scale: scale})
}

// fillNulls returns arr with every null replaced by def, and how many were.
// def already has the column's type: the compiler converted it.
func fillNulls(mem memory.Allocator, arr arrow.Array, def plan.Value) (arrow.Array, int, error) {
	b := array.NewBuilder(mem, arr.DataType())
	defer b.Release()
	var filled int
	switch a := arr.(type) {
	case *array.String:
		filled = fill(b.(*array.StringBuilder), a, def.Str)
	case *array.Int32:
		filled = fill(b.(*array.Int32Builder), a, int32(def.Int))
	case *array.Int64:
		filled = fill(b.(*array.Int64Builder), a, def.Int)
	case *array.Float64:
		filled = fill(b.(*array.Float64Builder), a, def.Float)
	case *array.Boolean:
		filled = fill(b.(*array.BooleanBuilder), a, def.Bool)
	case *array.Date32:
		filled = fill(b.(*array.Date32Builder), a, arrow.Date32(def.Int))
	case *array.Timestamp:
		filled = fill(b.(*array.TimestampBuilder), a, arrow.Timestamp(def.Int))
	case *array.Decimal128:
		t := a.DataType().(*arrow.Decimal128Type)
		v, err := decimal128.FromString(def.Str, t.Precision, t.Scale)
		if err != nil {
			return nil, 0, fmt.Errorf("default %q: %w", def.Str, err)
		}
		filled = fill(b.(*array.Decimal128Builder), a, v)
	default:
		return nil, 0, fmt.Errorf("no default for a %s column", arr.DataType())
	}
	return b.NewArray(), filled, nil
}

// typedArray and typedBuilder are the Arrow arrays and builders whose values
// are a plain Go type T.
type typedArray[T any] interface {
	arrow.Array
	Value(int) T
}

type typedBuilder[T any] interface {
	array.Builder
	Append(T)
}

func fill[T any](b typedBuilder[T], a typedArray[T], def T) int {
	n, filled := a.Len(), 0
	b.Reserve(n)
	for i := 0; i < n; i++ {
		if a.IsNull(i) {
			b.Append(def)
			filled++
		} else {
			b.Append(a.Value(i))
		}
	}
	return filled
}
