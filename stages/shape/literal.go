package shape

import (
	"fmt"
	"math"
	"strconv"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/x/bsonx/bsoncore"

	"runner/stages/plan"
)

// literalElement encodes a literal leaf once, as the whole element (type
// byte, NUL-terminated key, value) every document repeats. It takes the
// node's type, which may be wider than the constant's own (an integer
// constant in a float64 context). A null literal under omitNulls has no
// element.
func literalElement(e *plan.Expr, key []byte, omitNulls bool) ([]byte, error) {
	v := e.Value
	t := e.Type
	if t == plan.TypeInvalid {
		t = v.Type
	}
	if v.IsNull() || t == plan.TypeNull {
		if omitNulls {
			return nil, nil
		}
		return elementHeader(bsoncore.TypeNull, key), nil
	}
	header := func(bt bsoncore.Type) []byte { return elementHeader(bt, key) }
	switch t {
	case plan.TypeString:
		return bsoncore.AppendString(header(bsoncore.TypeString), v.Str), nil
	case plan.TypeInt32:
		i, err := literalInt(v)
		if err != nil {
			return nil, err
		}
		if i < math.MinInt32 || i > math.MaxInt32 {
			return nil, fmt.Errorf("literal %d does not fit an int32", i)
		}
		return bsoncore.AppendInt32(header(bsoncore.TypeInt32), int32(i)), nil
	case plan.TypeInt64:
		i, err := literalInt(v)
		if err != nil {
			return nil, err
		}
		return bsoncore.AppendInt64(header(bsoncore.TypeInt64), i), nil
	case plan.TypeFloat64:
		f := v.Float
		if v.Type.IsInteger() {
			f = float64(v.Int)
		}
		return bsoncore.AppendDouble(header(bsoncore.TypeDouble), f), nil
	case plan.TypeDecimal128:
		text := v.Str
		switch {
		case v.Type.IsInteger():
			text = strconv.FormatInt(v.Int, 10)
		case v.Type == plan.TypeFloat64:
			text = strconv.FormatFloat(v.Float, 'g', -1, 64)
		}
		d, err := bson.ParseDecimal128(text)
		if err != nil {
			return nil, fmt.Errorf("literal %q is not a Decimal128: %w", text, err)
		}
		hi, lo := d.GetBytes()
		return bsoncore.AppendDecimal128(header(bsoncore.TypeDecimal128), hi, lo), nil
	case plan.TypeBool:
		return bsoncore.AppendBoolean(header(bsoncore.TypeBoolean), v.Bool), nil
	case plan.TypeDate:
		return bsoncore.AppendDateTime(header(bsoncore.TypeDateTime), v.Int*msPerDay), nil
	case plan.TypeTimestamp:
		return bsoncore.AppendDateTime(header(bsoncore.TypeDateTime), v.Int), nil
	}
	return nil, fmt.Errorf("a literal of type %s cannot be stored in a document", t)
}

func literalInt(v plan.Value) (int64, error) {
	if !v.Type.IsInteger() {
		return 0, fmt.Errorf("literal %s is not an integer", v)
	}
	return v.Int, nil
}
