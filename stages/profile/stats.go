package profile

import (
	"bytes"
	"fmt"
	"math"
	"math/bits"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/bitutil"
	"github.com/apache/arrow-go/v18/arrow/decimal128"
	"github.com/zeebo/xxh3"
)

// typeStats accumulates the statistics that depend on a column's type. One
// is chosen per column when the profiler is built, so Observe switches on
// types once per column and batch, never per cell.
type typeStats interface {
	// observe takes in the non-null values of arr, whose type is the one
	// the stats were chosen for; nulls is arr's validity bitmap from bit
	// offset, nil when arr has no nulls. It adds every value's hash to d.
	observe(arr arrow.Array, nulls []byte, offset int, d *distinct)
	// merge adds what other, of the same type, has seen.
	merge(other typeStats)
	// fill writes the statistics into cs.
	fill(cs *ColumnStats)
}

// statsFor chooses the statistics for a column of type dt.
func statsFor(dt arrow.DataType) (typeStats, error) {
	switch t := dt.(type) {
	case *arrow.StringType:
		return &stringStats{}, nil
	case *arrow.Int32Type, *arrow.Int64Type:
		return &intStats{numeric: true, format: func(v int64) string { return strconv.FormatInt(v, 10) }}, nil
	case *arrow.Date32Type:
		return &intStats{format: func(v int64) string { return arrow.Date32(v).FormattedString() }}, nil
	case *arrow.TimestampType:
		return &intStats{format: func(v int64) string {
			return arrow.Timestamp(v).ToTime(t.Unit).UTC().Format(time.RFC3339Nano)
		}}, nil
	case *arrow.Float64Type:
		return &floatStats{}, nil
	case *arrow.Decimal128Type:
		return &decimalStats{scale: t.Scale}, nil
	case *arrow.BooleanType:
		return &boolStats{}, nil
	}
	return nil, fmt.Errorf("no statistics for arrow type %s", dt)
}

// isNull reports whether bit offset+i of a validity bitmap says null.
func isNull(nulls []byte, offset, i int) bool {
	return nulls != nil && bitutil.BitIsNotSet(nulls, offset+i)
}

// mix64 is MurmurHash3's 64-bit finaliser over v moved off zero: a
// bijection, so distinct integers always get distinct hashes, with the
// avalanche HyperLogLog needs.
func mix64(v uint64) uint64 {
	v ^= 0x9e3779b97f4a7c15
	v ^= v >> 33
	v *= 0xff51afd7ed558ccd
	v ^= v >> 33
	v *= 0xc4ceb9fe1a85ec53
	v ^= v >> 33
	return v
}

// int128Float converts the two's-complement 128-bit integer hi:lo to a
// float64. Negative values are converted by magnitude: adding the words'
// float values directly would lose a small negative number entirely.
func int128Float(hi, lo uint64) float64 {
	if int64(hi) >= 0 {
		return float64(hi)*0x1p64 + float64(lo)
	}
	lo, borrow := bits.Sub64(0, lo, 0)
	hi, _ = bits.Sub64(0, hi, borrow)
	return -(float64(hi)*0x1p64 + float64(lo))
}

// intStats covers the columns stored as integers: int32 and int64
// (numeric, with a mean), date32 and timestamps (min and max only).
type intStats struct {
	numeric  bool
	format   func(int64) string
	seen     bool
	min, max int64
	// sumHi:sumLo is the 128-bit sum of the values, exact whatever the
	// row count, so merged means equal single-pass means.
	sumHi, sumLo uint64
	values       int64
}

func (s *intStats) observe(arr arrow.Array, nulls []byte, offset int, d *distinct) {
	switch a := arr.(type) {
	case *array.Int32:
		observeInts(s, a.Int32Values(), nulls, offset, d)
	case *array.Int64:
		observeInts(s, a.Int64Values(), nulls, offset, d)
	case *array.Date32:
		observeInts(s, a.Date32Values(), nulls, offset, d)
	case *array.Timestamp:
		observeInts(s, a.TimestampValues(), nulls, offset, d)
	}
}

func observeInts[T ~int32 | ~int64](s *intStats, values []T, nulls []byte, offset int, d *distinct) {
	lo, hi, sumLo, sumHi, n := s.min, s.max, s.sumLo, s.sumHi, s.values
	if !s.seen {
		lo, hi = math.MaxInt64, math.MinInt64
	}
	for i, v := range values {
		if isNull(nulls, offset, i) {
			continue
		}
		x := int64(v)
		lo, hi = min(lo, x), max(hi, x)
		var carry uint64
		sumLo, carry = bits.Add64(sumLo, uint64(x), 0)
		sumHi += uint64(x>>63) + carry // x>>63 sign-extends x to 128 bits
		n++
		d.add(mix64(uint64(x)))
	}
	if n > s.values {
		s.seen, s.min, s.max = true, lo, hi
	}
	s.sumLo, s.sumHi, s.values = sumLo, sumHi, n
}

func (s *intStats) merge(other typeStats) {
	o := other.(*intStats)
	if !o.seen {
		return
	}
	if !s.seen {
		s.seen, s.min, s.max = true, o.min, o.max
	}
	s.min, s.max = min(s.min, o.min), max(s.max, o.max)
	var carry uint64
	s.sumLo, carry = bits.Add64(s.sumLo, o.sumLo, 0)
	s.sumHi += o.sumHi + carry
	s.values += o.values
}

func (s *intStats) fill(cs *ColumnStats) {
	if !s.seen {
		return
	}
	cs.Min, cs.Max = s.format(s.min), s.format(s.max)
	if s.numeric {
		mean := int128Float(s.sumHi, s.sumLo) / float64(s.values)
		cs.Mean = &mean
	}
}

// floatStats covers float64 columns. NaN takes no part in min and max (it
// is not ordered) but does in the mean, which then reads NaN: a quality
// report should not hide one.
type floatStats struct {
	seen     bool
	min, max float64
	sum      exactSum
	values   int64
}

func (s *floatStats) observe(arr arrow.Array, nulls []byte, offset int, d *distinct) {
	lo, hi, n := s.min, s.max, s.values
	if !s.seen {
		lo, hi = math.Inf(1), math.Inf(-1)
	}
	for i, v := range arr.(*array.Float64).Float64Values() {
		if isNull(nulls, offset, i) {
			continue
		}
		s.sum.add(v)
		n++
		switch {
		case v == 0:
			v = 0 // -0 and 0 are one value
		case v != v:
			d.add(mix64(math.Float64bits(math.NaN()))) // every NaN is one value
			continue
		}
		lo, hi = min(lo, v), max(hi, v)
		d.add(mix64(math.Float64bits(v)))
	}
	s.values = n
	if lo <= hi {
		s.seen, s.min, s.max = true, lo, hi
	}
}

func (s *floatStats) merge(other typeStats) {
	o := other.(*floatStats)
	s.sum.merge(&o.sum)
	s.values += o.values
	if !o.seen {
		return
	}
	if !s.seen {
		s.seen, s.min, s.max = true, o.min, o.max
	}
	s.min, s.max = min(s.min, o.min), max(s.max, o.max)
}

func (s *floatStats) fill(cs *ColumnStats) {
	if s.values > 0 {
		mean := s.sum.value() / float64(s.values)
		cs.Mean = &mean
	}
	if s.seen {
		cs.Min, cs.Max = formatFloat(s.min), formatFloat(s.max)
	}
}

func formatFloat(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }

// decimalStats covers decimal128 columns. The mean is computed in float64:
// it is a summary, and exact sums of 38-digit values would overflow.
type decimalStats struct {
	scale    int32
	seen     bool
	min, max decimal128.Num
	// sum is the sum of the unscaled integers; the scale is applied once.
	sum    float64
	values int64
}

func (s *decimalStats) observe(arr arrow.Array, nulls []byte, offset int, d *distinct) {
	for i, v := range arr.(*array.Decimal128).Values() {
		if isNull(nulls, offset, i) {
			continue
		}
		if !s.seen {
			s.seen, s.min, s.max = true, v, v
		}
		if v.Less(s.min) {
			s.min = v
		}
		if v.Greater(s.max) {
			s.max = v
		}
		s.sum += int128Float(uint64(v.HighBits()), v.LowBits())
		s.values++
		d.add(mix64(v.LowBits() ^ mix64(uint64(v.HighBits()))))
	}
}

func (s *decimalStats) merge(other typeStats) {
	o := other.(*decimalStats)
	if !o.seen {
		return
	}
	if !s.seen || o.min.Less(s.min) {
		s.min = o.min
	}
	if !s.seen || o.max.Greater(s.max) {
		s.max = o.max
	}
	s.seen = true
	s.sum += o.sum
	s.values += o.values
}

func (s *decimalStats) fill(cs *ColumnStats) {
	if !s.seen {
		return
	}
	cs.Min, cs.Max = s.min.ToString(s.scale), s.max.ToString(s.scale)
	mean := s.sum / float64(s.values) / math.Pow10(int(s.scale))
	cs.Mean = &mean
}

// stringStats covers utf8 columns: min and max compare bytewise, lengths
// count characters (Unicode code points), as people read them.
type stringStats struct {
	seen                 bool
	min, max             []byte
	minLength, maxLength int
}

func (s *stringStats) observe(arr arrow.Array, nulls []byte, offset int, d *distinct) {
	a := arr.(*array.String)
	// Slicing the value bytes directly skips the bounds checks of a.Value.
	offsets, data := a.ValueOffsets(), a.ValueBytes()
	for i := range a.Len() {
		if isNull(nulls, offset, i) {
			continue
		}
		v := data[offsets[i]-offsets[0] : offsets[i+1]-offsets[0]]
		// A value seen before cannot move min, max or the lengths; most
		// columns repeat a few values, and this keeps their cells cheap.
		if d.add(xxh3.Hash(v)) {
			s.add(v)
		}
	}
}

func (s *stringStats) add(v []byte) {
	n := charCount(v)
	if !s.seen {
		s.seen = true
		s.min, s.max = append(s.min[:0], v...), append(s.max[:0], v...)
		s.minLength, s.maxLength = n, n
		return
	}
	if bytes.Compare(v, s.min) < 0 {
		s.min = append(s.min[:0], v...)
	}
	if bytes.Compare(v, s.max) > 0 {
		s.max = append(s.max[:0], v...)
	}
	s.minLength, s.maxLength = min(s.minLength, n), max(s.maxLength, n)
}

// charCount returns the number of characters in s, as utf8.RuneCount
// does, but scans ASCII text (the common case) with a plain byte loop
// rather than decoding it.
func charCount(s []byte) int {
	for _, c := range s {
		if c >= utf8.RuneSelf {
			return utf8.RuneCount(s)
		}
	}
	return len(s)
}

func (s *stringStats) merge(other typeStats) {
	o := other.(*stringStats)
	if !o.seen {
		return
	}
	if !s.seen {
		s.seen = true
		s.min, s.max = append(s.min[:0], o.min...), append(s.max[:0], o.max...)
		s.minLength, s.maxLength = o.minLength, o.maxLength
		return
	}
	if bytes.Compare(o.min, s.min) < 0 {
		s.min = append(s.min[:0], o.min...)
	}
	if bytes.Compare(o.max, s.max) > 0 {
		s.max = append(s.max[:0], o.max...)
	}
	s.minLength, s.maxLength = min(s.minLength, o.minLength), max(s.maxLength, o.maxLength)
}

func (s *stringStats) fill(cs *ColumnStats) {
	if !s.seen {
		return
	}
	cs.Min, cs.Max = string(s.min), string(s.max)
	cs.MinLength, cs.MaxLength = s.minLength, s.maxLength
}

// boolStats covers bool columns: false sorts before true.
type boolStats struct{ sawFalse, sawTrue bool }

func (s *boolStats) observe(arr arrow.Array, nulls []byte, offset int, d *distinct) {
	a := arr.(*array.Boolean)
	for i := range a.Len() {
		if isNull(nulls, offset, i) {
			continue
		}
		if a.Value(i) {
			s.sawTrue = true
			d.add(mix64(1))
		} else {
			s.sawFalse = true
			d.add(mix64(0))
		}
	}
}

func (s *boolStats) merge(other typeStats) {
	o := other.(*boolStats)
	s.sawFalse = s.sawFalse || o.sawFalse
	s.sawTrue = s.sawTrue || o.sawTrue
}

func (s *boolStats) fill(cs *ColumnStats) {
	switch {
	case s.sawFalse && s.sawTrue:
		cs.Min, cs.Max = "false", "true"
	case s.sawFalse:
		cs.Min, cs.Max = "false", "false"
	case s.sawTrue:
		cs.Min, cs.Max = "true", "true"
	}
}
