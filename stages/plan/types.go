package plan

import (
	"fmt"
	"strconv"
	"time"
)

// Type is a logical column type. The engine maps each one to exactly one Arrow
// type and one BSON type; see the table in docs/language.md.
type Type uint8

const (
	TypeInvalid Type = iota
	// TypeNull is the type of the literal null. It is assignable to every
	// column type and never the type of a column.
	TypeNull
	TypeString
	TypeInt32
	TypeInt64
	TypeFloat64
	// TypeDecimal128 holds exact decimals with a fixed scale (Column.Scale).
	// In expressions it is read as float64.
	TypeDecimal128
	TypeBool
	// TypeDate is a calendar day, stored as days since 1970-01-01.
	TypeDate
	// TypeTimestamp is an instant, stored as milliseconds since the Unix epoch
	// in UTC (the precision of a BSON date).
	TypeTimestamp
	// TypeStringList is the type of a literal list of strings. It only occurs
	// as a constant function argument (strip_dangling's words, contains' set).
	TypeStringList
)

// ColumnTypes lists the types a column may be declared with, in the order the
// documentation presents them.
var ColumnTypes = []Type{TypeString, TypeInt32, TypeInt64, TypeFloat64, TypeDecimal128, TypeBool, TypeDate, TypeTimestamp}

var typeNames = [...]string{
	TypeInvalid:    "invalid",
	TypeNull:       "null",
	TypeString:     "string",
	TypeInt32:      "int32",
	TypeInt64:      "int64",
	TypeFloat64:    "float64",
	TypeDecimal128: "decimal128",
	TypeBool:       "bool",
	TypeDate:       "date",
	TypeTimestamp:  "timestamp",
	TypeStringList: "list(string)",
}

// String returns the type's name as written in a pipeline file.
func (t Type) String() string {
	if int(t) < len(typeNames) {
		return typeNames[t]
	}
	return "Type(" + strconv.Itoa(int(t)) + ")"
}

// ParseType returns the column type a pipeline file names, and false when the
// name is not a column type.
func ParseType(name string) (Type, bool) {
	for _, t := range ColumnTypes {
		if t.String() == name {
			return t, true
		}
	}
	return TypeInvalid, false
}

// IsNumeric reports whether values of t can take part in arithmetic.
func (t Type) IsNumeric() bool {
	switch t {
	case TypeInt32, TypeInt64, TypeFloat64, TypeDecimal128:
		return true
	}
	return false
}

// IsInteger reports whether t is an integer type.
func (t Type) IsInteger() bool { return t == TypeInt32 || t == TypeInt64 }

// IsTemporal reports whether t is a date or a timestamp.
func (t Type) IsTemporal() bool { return t == TypeDate || t == TypeTimestamp }

// AssignableTo reports whether a value of type t may be stored in a column of
// type dst without an explicit conversion: the same type, null, or a widening
// between numeric types (int32 → int64 → float64, and any number → decimal128).
func (t Type) AssignableTo(dst Type) bool {
	switch {
	case t == dst, t == TypeNull:
		return true
	case t == TypeInt32:
		return dst == TypeInt64 || dst == TypeFloat64 || dst == TypeDecimal128
	case t == TypeInt64:
		return dst == TypeFloat64 || dst == TypeDecimal128
	case t == TypeFloat64:
		return dst == TypeDecimal128
	}
	return false
}

// Value is a typed constant: a literal in an expression, a column default, an
// accepted value. Only the fields that belong to Type are meaningful.
type Value struct {
	Type  Type     `json:"type"`
	Str   string   `json:"str,omitempty"`   // TypeString; TypeDecimal128 as its decimal text
	Int   int64    `json:"int,omitempty"`   // TypeInt32, TypeInt64; TypeDate (days); TypeTimestamp (ms)
	Float float64  `json:"float,omitempty"` // TypeFloat64
	Bool  bool     `json:"bool,omitempty"`  // TypeBool
	List  []string `json:"list,omitempty"`  // TypeStringList
}

// Null is the null literal.
var Null = Value{Type: TypeNull}

// StringValue, IntValue, FloatValue and BoolValue build literals of the
// obvious types; integers are int64 until a context narrows them.
func StringValue(s string) Value    { return Value{Type: TypeString, Str: s} }
func IntValue(i int64) Value        { return Value{Type: TypeInt64, Int: i} }
func FloatValue(f float64) Value    { return Value{Type: TypeFloat64, Float: f} }
func BoolValue(b bool) Value        { return Value{Type: TypeBool, Bool: b} }
func ListValue(l []string) Value    { return Value{Type: TypeStringList, List: l} }
func DateValue(days int64) Value    { return Value{Type: TypeDate, Int: days} }
func TimestampValue(ms int64) Value { return Value{Type: TypeTimestamp, Int: ms} }

// IsNull reports whether v is the null literal.
func (v Value) IsNull() bool { return v.Type == TypeNull }

// String renders v as it would be written in a pipeline file (dates and
// timestamps in ISO 8601).
func (v Value) String() string {
	switch v.Type {
	case TypeNull:
		return "null"
	case TypeString:
		return strconv.Quote(v.Str)
	case TypeDecimal128:
		return v.Str
	case TypeInt32, TypeInt64:
		return strconv.FormatInt(v.Int, 10)
	case TypeFloat64:
		return strconv.FormatFloat(v.Float, 'g', -1, 64)
	case TypeBool:
		return strconv.FormatBool(v.Bool)
	case TypeDate:
		return time.Unix(v.Int*86400, 0).UTC().Format("2006-01-02")
	case TypeTimestamp:
		return time.UnixMilli(v.Int).UTC().Format(time.RFC3339Nano)
	case TypeStringList:
		s := "["
		for i, e := range v.List {
			if i > 0 {
				s += ", "
			}
			s += strconv.Quote(e)
		}
		return s + "]"
	}
	return fmt.Sprintf("<%s>", v.Type)
}
