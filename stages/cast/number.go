package cast

import (
	"math"
	"math/bits"

	"github.com/apache/arrow-go/v18/arrow/decimal128"
)

// trimSpace drops the ASCII white space around s: a cell such as " 42 "
// casts like "42". It never allocates.
func trimSpace(s string) string {
	for len(s) > 0 && isSpace(s[0]) {
		s = s[1:]
	}
	for len(s) > 0 && isSpace(s[len(s)-1]) {
		s = s[:len(s)-1]
	}
	return s
}

func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f'
}

// parseInt parses an optionally signed run of decimal digits within
// [lo, hi]. It accepts nothing else: no underscores, no base prefixes, no
// decimal point.
func parseInt(s string, lo, hi int64) (int64, bool) {
	s = trimSpace(s)
	neg := false
	if len(s) > 0 && (s[0] == '-' || s[0] == '+') {
		neg = s[0] == '-'
		s = s[1:]
	}
	if s == "" {
		return 0, false
	}
	var u uint64
	if len(s) <= 18 {
		// 18 digits cannot overflow a uint64: no check per digit.
		for i := 0; i < len(s); i++ {
			d := s[i] - '0'
			if d > 9 {
				return 0, false
			}
			u = u*10 + uint64(d)
		}
	} else {
		for i := 0; i < len(s); i++ {
			d := s[i] - '0'
			if d > 9 || u > (math.MaxUint64-9)/10 {
				return 0, false
			}
			u = u*10 + uint64(d)
		}
	}
	if neg {
		if u > uint64(-(lo+1))+1 {
			return 0, false
		}
		return int64(-u), true
	}
	if u > uint64(hi) {
		return 0, false
	}
	return int64(u), true
}

func (c *Caster) int32Value(s string) (int32, bool) {
	v, ok := parseInt(s, math.MinInt32, math.MaxInt32)
	return int32(v), ok
}

func (c *Caster) int64Value(s string) (int64, bool) {
	return parseInt(s, math.MinInt64, math.MaxInt64)
}

func (c *Caster) float64Value(s string) (float64, bool) { return parseFloat(s) }

// decimalFault says why a decimal did not parse.
type decimalFault uint8

const (
	decimalOK decimalFault = iota
	decimalSyntax
	decimalPrecision
)

// ten38 is 10^38 as a 128-bit number: a decimal128 of precision 38 holds
// magnitudes below it.
var ten38hi, ten38lo = uint64(0x4B3B4CA85A86C47A), uint64(0x098A224000000000)

// parseDecimal parses exact decimal text ("-1234.5678") into the integer
// value·10^scale, rounding digits beyond the scale half to even. intDigits
// is the most digits allowed before the point.
func parseDecimal(s string, scale, intDigits int) (decimal128.Num, decimalFault) {
	s = trimSpace(s)
	neg := false
	if len(s) > 0 && (s[0] == '-' || s[0] == '+') {
		neg = s[0] == '-'
		s = s[1:]
	}
	intPart, frac := s, ""
	for i := 0; i < len(s); i++ {
		if s[i] == '.' {
			intPart, frac = s[:i], s[i+1:]
			break
		}
	}
	if intPart == "" && frac == "" || !allDigits(intPart) || !allDigits(frac) {
		return decimal128.Num{}, decimalSyntax
	}
	for len(intPart) > 0 && intPart[0] == '0' {
		intPart = intPart[1:]
	}
	if len(intPart) > intDigits {
		return decimal128.Num{}, decimalPrecision
	}
	var hi, lo uint64
	for i := 0; i < len(intPart); i++ {
		hi, lo = mulAdd10(hi, lo, intPart[i]-'0')
	}
	for i := range scale {
		d := byte(0)
		if i < len(frac) {
			d = frac[i] - '0'
		}
		hi, lo = mulAdd10(hi, lo, d)
	}
	if len(frac) > scale && roundsUp(frac[scale:], lo&1 == 1) {
		var carry uint64
		lo, carry = bits.Add64(lo, 1, 0)
		hi += carry
		if hi > ten38hi || hi == ten38hi && lo >= ten38lo {
			return decimal128.Num{}, decimalPrecision
		}
	}
	if neg {
		var borrow uint64
		lo, borrow = bits.Sub64(0, lo, 0)
		hi, _ = bits.Sub64(0, hi, borrow)
	}
	return decimal128.New(int64(hi), lo), decimalOK
}

// roundsUp decides half-to-even rounding: dropped are the digits cut off,
// odd whether the last digit kept is odd.
func roundsUp(dropped string, odd bool) bool {
	switch {
	case dropped[0] > '5':
		return true
	case dropped[0] < '5':
		return false
	}
	for i := 1; i < len(dropped); i++ {
		if dropped[i] != '0' {
			return true
		}
	}
	return odd
}

// mulAdd10 returns (hi, lo)·10 + d; the callers keep it below 10^38.
func mulAdd10(hi, lo uint64, d byte) (uint64, uint64) {
	carry, lo := bits.Mul64(lo, 10)
	hi = hi*10 + carry
	lo, carry = bits.Add64(lo, uint64(d), 0)
	return hi + carry, lo
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i]-'0' > 9 {
			return false
		}
	}
	return true
}

func (c *Caster) decimalValue(s string) (decimal128.Num, bool) {
	v, fault := parseDecimal(s, c.spec.Scale, c.intDigits)
	return v, fault == decimalOK
}

// parseBool accepts true/false, yes/no, y/n, t/f and 1/0 in any case.
func parseBool(s string) (value, ok bool) {
	s = trimSpace(s)
	switch len(s) {
	case 1:
		switch s[0] {
		case '1', 't', 'T', 'y', 'Y':
			return true, true
		case '0', 'f', 'F', 'n', 'N':
			return false, true
		}
	case 2:
		return false, lowerEquals(s, "no")
	case 3:
		return true, lowerEquals(s, "yes")
	case 4:
		return true, lowerEquals(s, "true")
	case 5:
		return false, lowerEquals(s, "false")
	}
	return false, false
}

// lowerEquals reports whether s equals the lower-case ASCII word, ignoring
// the case of s.
func lowerEquals(s, word string) bool {
	for i := 0; i < len(word); i++ {
		c := s[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != word[i] {
			return false
		}
	}
	return true
}
