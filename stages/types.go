package stages

import (
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"

	"runner/stages/plan"
)

// DecimalPrecision is the precision of every decimal128 column: the most a
// BSON Decimal128 and an Arrow decimal128 both hold.
const DecimalPrecision = 38

// TimestampType is the Arrow type of timestamp columns: milliseconds in UTC,
// the precision of a BSON date.
var TimestampType = &arrow.TimestampType{Unit: arrow.Millisecond, TimeZone: "UTC"}

// ArrowType maps a logical column type to the Arrow type the engine stores
// it as. scale only matters for decimal128.
func ArrowType(t plan.Type, scale int) (arrow.DataType, error) {
	switch t {
	case plan.TypeString:
		return arrow.BinaryTypes.String, nil
	case plan.TypeInt32:
		return arrow.PrimitiveTypes.Int32, nil
	case plan.TypeInt64:
		return arrow.PrimitiveTypes.Int64, nil
	case plan.TypeFloat64:
		return arrow.PrimitiveTypes.Float64, nil
	case plan.TypeDecimal128:
		return &arrow.Decimal128Type{Precision: DecimalPrecision, Scale: int32(scale)}, nil
	case plan.TypeBool:
		return arrow.FixedWidthTypes.Boolean, nil
	case plan.TypeDate:
		return arrow.FixedWidthTypes.Date32, nil
	case plan.TypeTimestamp:
		return TimestampType, nil
	}
	return nil, fmt.Errorf("stages: no Arrow type for %s", t)
}

// ColumnsSchema is the Arrow schema of the typed batches the columns stage
// produces: every pipeline column in declaration order, then OriginColumn.
func ColumnsSchema(p *plan.Plan) (*arrow.Schema, error) {
	fields := make([]arrow.Field, 0, len(p.Columns)+1)
	for _, c := range p.Columns {
		t, err := ArrowType(c.Type, c.Scale)
		if err != nil {
			return nil, fmt.Errorf("column %q: %w", c.Name, err)
		}
		fields = append(fields, arrow.Field{Name: c.Name, Type: t, Nullable: true})
	}
	fields = append(fields, OriginField)
	return arrow.NewSchema(fields, nil), nil
}
