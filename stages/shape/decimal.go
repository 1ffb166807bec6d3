package shape

import (
	"math/bits"

	"github.com/apache/arrow-go/v18/arrow/decimal128"
)

// The limits of a BSON Decimal128 (IEEE 754-2008 decimal128 in the binary
// integer decimal encoding): a coefficient of at most 34 decimal digits and
// an exponent in [-6176, 6111], stored with a bias of 6176.
const (
	decimalDigits = 34
	minDecimalExp = -6176
	maxDecimalExp = 6111
	// maxCoeffHi and maxCoeffLo are 10^34 - 1, the largest coefficient,
	// split into its high and low 64 bits.
	maxCoeffHi = 0x1ed09bead87c0
	maxCoeffLo = 0x378d8e63ffffffff
)

// decimalBID encodes the value n × 10^exp as the high and low words of a
// BSON Decimal128, keeping its exponent (so 1.50 stays 1.50, as
// bson.ParseDecimal128 would). ok is false when n has more significant digits
// than a Decimal128 holds: trailing zeros are dropped to make room, anything
// else would round.
func decimalBID(n decimal128.Num, exp int) (hi, lo uint64, ok bool) {
	hi, lo = uint64(n.HighBits()), n.LowBits()
	var sign uint64
	if int64(hi) < 0 {
		sign = 1 << 63
		var borrow uint64
		lo, borrow = bits.Sub64(0, lo, 0)
		hi, _ = bits.Sub64(0, hi, borrow)
	}
	for hi > maxCoeffHi || hi == maxCoeffHi && lo > maxCoeffLo {
		qhi, r := bits.Div64(0, hi, 10)
		qlo, r := bits.Div64(r, lo, 10)
		if r != 0 || exp == maxDecimalExp {
			return 0, 0, false
		}
		hi, lo, exp = qhi, qlo, exp+1
	}
	return sign | uint64(exp-minDecimalExp)<<49 | hi, lo, true
}
