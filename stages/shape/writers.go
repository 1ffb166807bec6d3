package shape

import (
	"encoding/binary"
	"fmt"
	"math"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/decimal128"
	"go.mongodb.org/mongo-driver/v2/x/bsonx/bsoncore"
)

// msPerDay converts a date32 (days since the epoch) into a BSON datetime
// (milliseconds since the epoch) at midnight UTC.
const msPerDay = 86_400_000

// valueWriter appends the values of one Arrow array as BSON. One is chosen
// per template leaf from the leaf's Arrow type, once, so the row loop calls
// it without looking at types. It keeps the typed buffers of the array it
// was last bound to; Encode binds every writer before reading.
type valueWriter interface {
	// bind points the writer at this batch's array, whose type is the one
	// the writer was chosen for.
	bind(arr arrow.Array)
	// appendValue appends the BSON value of row i (not null), without the
	// element's type byte and name.
	appendValue(dst []byte, i int) []byte
}

// writerFor chooses the writer for values of type dt and the BSON type of
// the elements it writes. path names the template field, for the errors a
// writer can report while encoding.
func writerFor(dt arrow.DataType, path string, fault *error) (valueWriter, bsoncore.Type, error) {
	switch t := dt.(type) {
	case *arrow.StringType:
		return &stringWriter{}, bsoncore.TypeString, nil
	case *arrow.Int32Type:
		return &int32Writer{}, bsoncore.TypeInt32, nil
	case *arrow.Int64Type:
		return &int64Writer{}, bsoncore.TypeInt64, nil
	case *arrow.Float64Type:
		return &float64Writer{}, bsoncore.TypeDouble, nil
	case *arrow.BooleanType:
		return &boolWriter{}, bsoncore.TypeBoolean, nil
	case *arrow.Date32Type:
		return &date32Writer{}, bsoncore.TypeDateTime, nil
	case *arrow.TimestampType:
		// A BSON datetime holds milliseconds; converting other units
		// would round silently, and the engine only makes milliseconds.
		if t.Unit != arrow.Millisecond {
			return nil, 0, fmt.Errorf("%s has unit %s; only timestamp[ms] maps onto a BSON datetime", dt, t.Unit)
		}
		return &timestampWriter{}, bsoncore.TypeDateTime, nil
	case *arrow.Decimal128Type:
		exp := -int(t.Scale)
		if exp < minDecimalExp || exp > maxDecimalExp {
			return nil, 0, fmt.Errorf("%s: scale %d is outside what a BSON Decimal128 holds", dt, t.Scale)
		}
		return &decimalWriter{exp: exp, scale: t.Scale, path: path, fault: fault}, bsoncore.TypeDecimal128, nil
	case *arrow.NullType:
		// Every value is null, so appendValue is never called.
		return nullWriter{}, bsoncore.TypeNull, nil
	}
	return nil, 0, fmt.Errorf("arrow type %s has no BSON mapping", dt)
}

type stringWriter struct {
	offsets []int32
	data    []byte
	base    int32
}

func (w *stringWriter) bind(arr arrow.Array) {
	a := arr.(*array.String)
	w.offsets = a.ValueOffsets()
	w.data = a.ValueBytes()
	// ValueBytes starts at the first value's offset, not at zero.
	w.base = w.offsets[0]
}

func (w *stringWriter) appendValue(dst []byte, i int) []byte {
	s := w.data[w.offsets[i]-w.base : w.offsets[i+1]-w.base]
	dst = binary.LittleEndian.AppendUint32(dst, uint32(len(s)+1))
	dst = append(dst, s...)
	return append(dst, 0)
}

type int32Writer struct{ values []int32 }

func (w *int32Writer) bind(arr arrow.Array) { w.values = arr.(*array.Int32).Int32Values() }

func (w *int32Writer) appendValue(dst []byte, i int) []byte {
	return binary.LittleEndian.AppendUint32(dst, uint32(w.values[i]))
}

type int64Writer struct{ values []int64 }

func (w *int64Writer) bind(arr arrow.Array) { w.values = arr.(*array.Int64).Int64Values() }

func (w *int64Writer) appendValue(dst []byte, i int) []byte {
	return binary.LittleEndian.AppendUint64(dst, uint64(w.values[i]))
}

type float64Writer struct{ values []float64 }

func (w *float64Writer) bind(arr arrow.Array) { w.values = arr.(*array.Float64).Float64Values() }

func (w *float64Writer) appendValue(dst []byte, i int) []byte {
	return binary.LittleEndian.AppendUint64(dst, math.Float64bits(w.values[i]))
}

type boolWriter struct{ values *array.Boolean }

func (w *boolWriter) bind(arr arrow.Array) { w.values = arr.(*array.Boolean) }

func (w *boolWriter) appendValue(dst []byte, i int) []byte {
	if w.values.Value(i) {
		return append(dst, 1)
	}
	return append(dst, 0)
}

type date32Writer struct{ values []arrow.Date32 }

func (w *date32Writer) bind(arr arrow.Array) { w.values = arr.(*array.Date32).Date32Values() }

func (w *date32Writer) appendValue(dst []byte, i int) []byte {
	return binary.LittleEndian.AppendUint64(dst, uint64(int64(w.values[i])*msPerDay))
}

type timestampWriter struct{ values []arrow.Timestamp }

func (w *timestampWriter) bind(arr arrow.Array) {
	w.values = arr.(*array.Timestamp).TimestampValues()
}

func (w *timestampWriter) appendValue(dst []byte, i int) []byte {
	return binary.LittleEndian.AppendUint64(dst, uint64(w.values[i]))
}

// decimalWriter converts Arrow's scaled 128-bit integers into BSON's
// Decimal128 (IEEE 754-2008, binary integer decimal) without going through
// text. A value with more than 34 significant digits has no exact Decimal128;
// rather than round it, the writer records a fault and Encode fails the row.
type decimalWriter struct {
	values []decimal128.Num
	exp    int
	scale  int32
	path   string
	fault  *error
}

func (w *decimalWriter) bind(arr arrow.Array) { w.values = arr.(*array.Decimal128).Values() }

func (w *decimalWriter) appendValue(dst []byte, i int) []byte {
	n := w.values[i]
	hi, lo, ok := decimalBID(n, w.exp)
	if !ok {
		*w.fault = fmt.Errorf("field %s: %s has more than %d significant digits, more than a BSON Decimal128 holds exactly",
			w.path, n.ToString(w.scale), decimalDigits)
	}
	dst = binary.LittleEndian.AppendUint64(dst, lo)
	return binary.LittleEndian.AppendUint64(dst, hi)
}

type nullWriter struct{}

func (nullWriter) bind(arrow.Array)                     {}
func (nullWriter) appendValue(dst []byte, _ int) []byte { return dst }
