package eval

import (
	"crypto/sha256"
	"encoding/hex"
	"math/bits"
	"strconv"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/decimal128"

	"runner/stages/plan"
)

// The text form of a value is what concat, sha256 and format's %v write:
// integers in decimal, floats in the shortest decimal that reads back
// exactly (strconv 'f', -1: never an exponent), decimals with exactly their
// scale's digits, dates as 2006-01-02, timestamps in RFC 3339 with
// milliseconds in UTC (2006-01-02T15:04:05.000Z), bools as true or false.

// Most bytes the text form of a fixed-width value can take.
const (
	maxIntText       = 20  // -9223372036854775808
	maxFloatText     = 330 // 'f' of the smallest subnormal
	maxDecimalText   = 42  // 38 digits, sign, point, a leading zero
	maxDateText      = 16  // years beyond 9999 have more digits
	maxTimestampText = 36
)

func appendScalarText(dst []byte, sc *scalar) []byte {
	switch sc.typ {
	case plan.TypeString:
		return append(dst, sc.str...)
	case plan.TypeInt32, plan.TypeInt64:
		return strconv.AppendInt(dst, sc.i, 10)
	case plan.TypeFloat64:
		return strconv.AppendFloat(dst, sc.f, 'f', -1, 64)
	case plan.TypeDecimal128:
		return appendDecimal(dst, sc.dec, sc.scale)
	case plan.TypeBool:
		return strconv.AppendBool(dst, sc.b)
	case plan.TypeDate:
		return appendDate(dst, sc.i)
	case plan.TypeTimestamp:
		return appendTimestamp(dst, sc.i)
	}
	return dst
}

// textView reads any argument as text, row by row.
type textView struct {
	typ   plan.Type
	arr   arrow.Array
	str   strView
	i32   []int32
	i64   []int64
	f64   []float64
	dec   []decimal128.Num
	scale int32
	bools *array.Boolean
	// text is a scalar's text form.
	text []byte
}

func viewText(v value, t plan.Type) textView {
	if v.arr == nil {
		return textView{typ: t, text: v.sc.text}
	}
	tv := textView{typ: t, arr: v.arr}
	switch a := v.arr.(type) {
	case *array.String:
		tv.str = viewStrings(v)
	case *array.Int32:
		tv.i32 = a.Int32Values()
	case *array.Date32:
		tv.i32 = arrow.GetValues[int32](a.Data(), 1)
	case *array.Int64:
		tv.i64 = a.Int64Values()
	case *array.Timestamp:
		tv.i64 = arrow.GetValues[int64](a.Data(), 1)
	case *array.Float64:
		tv.f64 = a.Float64Values()
	case *array.Decimal128:
		tv.dec = arrow.GetValues[decimal128.Num](a.Data(), 1)
		tv.scale = a.DataType().(*arrow.Decimal128Type).Scale
	case *array.Boolean:
		tv.bools = a
	}
	return tv
}

// bound is the most bytes the text of row i takes.
func (v *textView) bound(i int) int {
	if v.arr == nil {
		return len(v.text)
	}
	switch v.typ {
	case plan.TypeString:
		return len(v.str.at(i))
	case plan.TypeFloat64:
		return maxFloatText
	case plan.TypeDecimal128:
		return maxDecimalText
	case plan.TypeDate:
		return maxDateText
	case plan.TypeTimestamp:
		return maxTimestampText
	}
	return maxIntText
}

// append appends the text of row i (which is not null).
func (v *textView) append(dst []byte, i int) []byte {
	if v.arr == nil {
		return append(dst, v.text...)
	}
	switch v.typ {
	case plan.TypeString:
		return append(dst, v.str.at(i)...)
	case plan.TypeInt32:
		return strconv.AppendInt(dst, int64(v.i32[i]), 10)
	case plan.TypeInt64:
		return strconv.AppendInt(dst, v.i64[i], 10)
	case plan.TypeFloat64:
		return strconv.AppendFloat(dst, v.f64[i], 'f', -1, 64)
	case plan.TypeDecimal128:
		return appendDecimal(dst, v.dec[i], v.scale)
	case plan.TypeBool:
		return strconv.AppendBool(dst, v.bools.Value(i))
	case plan.TypeDate:
		return appendDate(dst, int64(v.i32[i]))
	case plan.TypeTimestamp:
		return appendTimestamp(dst, v.i64[i])
	}
	return dst
}

func concatFactory(c *call) (kernel, error) {
	types := c.types
	return func(ec *evalCtx, args []value) (arrow.Array, error) {
		n := ec.rows
		views := make([]textView, len(args))
		arrs := make([]arrow.Array, len(args))
		for k, a := range args {
			views[k], arrs[k] = viewText(a, types[k]), a.arr
		}
		return writeValidRows(ec.mem, n, andValidity(ec.mem, n, arrs...),
			func(i int) int {
				need := 0
				for k := range views {
					need += views[k].bound(i)
				}
				return need
			},
			func(buf []byte, i int) []byte {
				for k := range views {
					buf = views[k].append(buf, i)
				}
				return buf
			})
	}, nil
}

// sha256Factory hashes the text form of each value: 64 lower-case
// hexadecimal digits.
func sha256Factory(c *call) (kernel, error) {
	t := c.types[0]
	return func(ec *evalCtx, args []value) (arrow.Array, error) {
		n := ec.rows
		v := viewText(args[0], t)
		w, buf := newStringWriter(ec.mem, n, n*2*sha256.Size)
		bits, off := bitsOf(args[0].arr)
		var scratch []byte
		var err error
		for i := 0; i < n; i++ {
			if validAt(bits, off, i) {
				var text []byte
				if t == plan.TypeString && v.arr != nil {
					text = v.str.at(i)
				} else {
					scratch = v.append(scratch[:0], i)
					text = scratch
				}
				sum := sha256.Sum256(text)
				if buf, err = w.room(buf, 2*sha256.Size); err != nil {
					w.release()
					return nil, err
				}
				buf = hex.AppendEncode(buf, sum[:])
			}
			w.offs[i+1] = int32(len(buf))
		}
		return w.finish(buf, sameValidity(ec.mem, args[0].arr, n))
	}, nil
}

// appendDecimal writes a decimal's exact text: its scale's digits after the
// point ("-12.50" for -1250 at scale 2), without allocating.
func appendDecimal(dst []byte, n decimal128.Num, scale int32) []byte {
	neg := n.Sign() < 0
	if neg {
		n = n.Negate()
	}
	hi, lo := uint64(n.HighBits()), n.LowBits()
	// The magnitude's digits, by chunks of 19 from the right.
	var buf [40]byte
	pos := len(buf)
	for {
		var rem uint64
		hi, rem = bits.Div64(0, hi, 1e19)
		lo, rem = bits.Div64(rem, lo, 1e19)
		last := hi == 0 && lo == 0
		for k := 0; k < 19 && (rem != 0 || !last); k++ {
			pos--
			buf[pos] = byte('0' + rem%10)
			rem /= 10
		}
		if last {
			break
		}
	}
	digits := buf[pos:]
	if len(digits) == 0 {
		digits = []byte{'0'}
		neg = false
	}
	if neg {
		dst = append(dst, '-')
	}
	switch {
	case scale <= 0:
		dst = append(dst, digits...)
		if len(digits) > 1 || digits[0] != '0' {
			for k := int32(0); k < -scale; k++ {
				dst = append(dst, '0')
			}
		}
	case len(digits) <= int(scale):
		dst = append(dst, '0', '.')
		for k := len(digits); k < int(scale); k++ {
			dst = append(dst, '0')
		}
		dst = append(dst, digits...)
	default:
		point := len(digits) - int(scale)
		dst = append(dst, digits[:point]...)
		dst = append(dst, '.')
		dst = append(dst, digits[point:]...)
	}
	return dst
}

// appendDate writes days since 1970-01-01 as 2006-01-02.
func appendDate(dst []byte, days int64) []byte {
	y, m, d := civilFromDays(days)
	if y < 0 || y > 9999 {
		return time.Unix(days*86400, 0).UTC().AppendFormat(dst, time.DateOnly)
	}
	dst = appendDigits(dst, int(y), 4)
	dst = append(dst, '-')
	dst = appendDigits(dst, m, 2)
	dst = append(dst, '-')
	return appendDigits(dst, d, 2)
}

// appendTimestamp writes milliseconds since the epoch in RFC 3339 with
// milliseconds, in UTC: 2006-01-02T15:04:05.000Z.
func appendTimestamp(dst []byte, ms int64) []byte {
	days := floorDiv(ms, msPerDay)
	y, _, _ := civilFromDays(days)
	if y < 0 || y > 9999 {
		return time.UnixMilli(ms).UTC().AppendFormat(dst, "2006-01-02T15:04:05.000Z07:00")
	}
	dst = appendDate(dst, days)
	rest := int(ms - days*msPerDay)
	dst = append(dst, 'T')
	dst = appendDigits(dst, rest/3_600_000, 2)
	dst = append(dst, ':')
	dst = appendDigits(dst, rest/60_000%60, 2)
	dst = append(dst, ':')
	dst = appendDigits(dst, rest/1000%60, 2)
	dst = append(dst, '.')
	dst = appendDigits(dst, rest%1000, 3)
	return append(dst, 'Z')
}

// appendDigits writes v (non-negative) with exactly width digits.
func appendDigits(dst []byte, v, width int) []byte {
	var buf [4]byte
	for k := width - 1; k >= 0; k-- {
		buf[k] = byte('0' + v%10)
		v /= 10
	}
	return append(dst, buf[:width]...)
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if (a%b != 0) && ((a < 0) != (b < 0)) {
		q--
	}
	return q
}

// civilFromDays converts days since 1970-01-01 to a proleptic Gregorian
// year, month and day (H. Hinnant's algorithm).
func civilFromDays(days int64) (year int64, month, day int) {
	z := days + 719468
	era := floorDiv(z, 146097)
	doe := z - era*146097
	yoe := (doe - doe/1460 + doe/36524 - doe/146096) / 365
	doy := doe - (365*yoe + yoe/4 - yoe/100)
	mp := (5*doy + 2) / 153
	day = int(doy - (153*mp+2)/5 + 1)
	if mp < 10 {
		month = int(mp + 3)
	} else {
		month = int(mp - 9)
	}
	year = yoe + era*400
	if month <= 2 {
		year++
	}
	return year, month, day
}
