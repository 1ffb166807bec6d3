package stages

import (
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/decimal128"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

func TestFormatValue(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)

	build := func(dt arrow.DataType, fill func(array.Builder)) arrow.Array {
		b := array.NewBuilder(mem, dt)
		defer b.Release()
		fill(b)
		b.AppendNull()
		return b.NewArray()
	}
	tests := []struct {
		name string
		arr  arrow.Array
		want string
	}{
		{name: "string", arr: build(arrow.BinaryTypes.String, func(b array.Builder) { b.(*array.StringBuilder).Append("Bobby Jackson") }), want: "Bobby Jackson"},
		{name: "int32", arr: build(arrow.PrimitiveTypes.Int32, func(b array.Builder) { b.(*array.Int32Builder).Append(-30) }), want: "-30"},
		{name: "int64", arr: build(arrow.PrimitiveTypes.Int64, func(b array.Builder) { b.(*array.Int64Builder).Append(1 << 40) }), want: "1099511627776"},
		{name: "float64 shortest exact", arr: build(arrow.PrimitiveTypes.Float64, func(b array.Builder) { b.(*array.Float64Builder).Append(18856.281305978155) }), want: "18856.281305978155"},
		{name: "bool", arr: build(arrow.FixedWidthTypes.Boolean, func(b array.Builder) { b.(*array.BooleanBuilder).Append(true) }), want: "true"},
		{name: "date", arr: build(arrow.FixedWidthTypes.Date32, func(b array.Builder) { b.(*array.Date32Builder).Append(19753) }), want: "2024-01-31"},
		{name: "timestamp", arr: build(TimestampType, func(b array.Builder) { b.(*array.TimestampBuilder).Append(1706659200123) }), want: "2024-01-31T00:00:00.123Z"},
		{name: "decimal", arr: build(&arrow.Decimal128Type{Precision: 38, Scale: 2}, func(b array.Builder) {
			b.(*array.Decimal128Builder).Append(decimal128.FromI64(-123456))
		}), want: "-1234.56"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			defer tc.arr.Release()
			if got := FormatValue(tc.arr, 0); got != tc.want {
				t.Errorf("FormatValue = %q, want %q", got, tc.want)
			}
			if got := FormatValue(tc.arr, 1); got != "" {
				t.Errorf("FormatValue(null) = %q, want empty", got)
			}
		})
	}
}
