package stages

import (
	"strconv"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
)

// AppendValue appends the text form of row i of arr to dst, as reports and
// check samples show it: strings as they are, numbers in the shortest exact
// decimal form, dates as 2006-01-02, timestamps in RFC 3339 with
// milliseconds in UTC, and null as an empty string (callers that must tell
// null from "" check IsNull first).
func AppendValue(dst []byte, arr arrow.Array, i int) []byte {
	if arr.IsNull(i) {
		return dst
	}
	switch a := arr.(type) {
	case *array.String:
		return append(dst, a.Value(i)...)
	case *array.Binary:
		return append(dst, a.Value(i)...)
	case *array.Int32:
		return strconv.AppendInt(dst, int64(a.Value(i)), 10)
	case *array.Int64:
		return strconv.AppendInt(dst, a.Value(i), 10)
	case *array.Float64:
		return strconv.AppendFloat(dst, a.Value(i), 'f', -1, 64)
	case *array.Boolean:
		return strconv.AppendBool(dst, a.Value(i))
	case *array.Date32:
		return time.Unix(int64(a.Value(i))*86400, 0).UTC().AppendFormat(dst, "2006-01-02")
	case *array.Timestamp:
		return time.UnixMilli(int64(a.Value(i))).UTC().AppendFormat(dst, "2006-01-02T15:04:05.000Z07:00")
	case *array.Decimal128:
		scale := a.DataType().(*arrow.Decimal128Type).Scale
		return append(dst, a.Value(i).ToString(scale)...)
	}
	return append(dst, arr.ValueStr(i)...)
}

// FormatValue returns the text form of row i of arr (see AppendValue).
func FormatValue(arr arrow.Array, i int) string {
	return string(AppendValue(nil, arr, i))
}
