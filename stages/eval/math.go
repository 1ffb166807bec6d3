package eval

import (
	"math"
	"strconv"

	"github.com/apache/arrow-go/v18/arrow"
)

// absFactory: the absolute value, of type t (float64 for decimals). The
// smallest integer of its type has no absolute value in that type: null.
func absFactory(c *call) (kernel, error) {
	return signKernel(c.types[0], func(x int64) int64 { return max(x, -x) }, math.Abs), nil
}

// maxRoundDigits bounds round's digits: a float64 has no digit beyond 10^±330,
// so larger counts all behave alike.
const maxRoundDigits = 330

// roundFactory: integers are returned unchanged; other numbers are rounded
// half away from zero to digits decimal places (negative digits round to
// tens, hundreds...).
func roundFactory(c *call) (kernel, error) {
	t := c.types[0]
	digits := int(max(min(c.consts[1].i, maxRoundDigits), -maxRoundDigits))
	if t.IsInteger() {
		return func(ec *evalCtx, args []value) (arrow.Array, error) {
			if args[0].arr == nil {
				return materialise(ec.mem, args[0].sc, ec.rows)
			}
			args[0].arr.Retain()
			return args[0].arr, nil
		}, nil
	}
	return func(ec *evalCtx, args []value) (arrow.Array, error) {
		a, err := viewNumbers(ec.mem, args[0], t, false)
		if err != nil {
			return nil, err
		}
		defer a.release()
		n := ec.rows
		buf, out := newValues[float64](ec.mem, n)
		for i := range out {
			out[i] = roundHalfAway(a.floatAt(i), digits)
		}
		return makeArray(arrow.PrimitiveTypes.Float64, n, sameValidity(ec.mem, a.arr, n), buf), nil
	}, nil
}

// roundHalfAway rounds x half away from zero to digits decimal places, as
// the decimal x is written in: round(2.675, 2) is 2.68 although the float64
// nearest 2.675 lies just below it. The result is the float64 nearest the
// rounded decimal.
func roundHalfAway(x float64, digits int) float64 {
	if x == 0 || math.IsNaN(x) || math.IsInf(x, 0) {
		return x
	}
	if digits > len(pow10)-1 || digits < -(len(pow10)-1) {
		return roundDecimal(x, digits)
	}
	var y float64
	if digits >= 0 {
		y = x * pow10[digits]
	} else {
		y = x / pow10[-digits]
	}
	if math.Abs(y) >= 1<<52 {
		return x // no digit left to round at this place
	}
	// y carries the rounding error of x and of the product; only when it
	// lies that close to a tie can the error decide the direction.
	if tie := math.Abs(math.Abs(y-math.Trunc(y)) - 0.5); tie <= math.Abs(y)*0x1p-50 {
		return roundDecimal(x, digits)
	}
	r := math.Round(y)
	switch {
	case r == 0:
		return 0
	case digits >= 0:
		return r / pow10[digits]
	}
	return r * pow10[-digits]
}

// roundDecimal rounds the shortest decimal that reads back as x, digit by
// digit, and reads the result back; it allocates nothing.
func roundDecimal(x float64, digits int) float64 {
	var buf [32]byte
	b := strconv.AppendFloat(buf[:0], math.Abs(x), 'e', -1, 64) // d.ddde±dd
	var mant [24]byte
	m, i := 0, 0
	for ; i < len(b) && b[i] != 'e'; i++ {
		if b[i] != '.' {
			mant[m] = b[i]
			m++
		}
	}
	exp := 0
	neg := b[i+1] == '-'
	for _, c := range b[i+2:] {
		exp = exp*10 + int(c-'0')
	}
	if neg {
		exp = -exp
	}
	// x = 0.mant × 10^(exp+1); keep the digits down to 10^-digits.
	keep := exp + 1 + digits
	switch {
	case keep >= m:
		return x
	case keep < 0 || (keep == 0 && mant[0] < '5'):
		return 0
	}
	var out [32]byte
	o := copy(out[1:], mant[:keep]) + 1
	out[0] = '0'
	if mant[keep] >= '5' {
		k := o - 1
		for out[k] == '9' {
			out[k] = '0'
			k--
		}
		out[k]++
	}
	text := strconv.AppendInt(append(out[:o], 'e'), int64(exp+1-keep), 10)
	// ParseFloat only fails on a result beyond float64's range, and then it
	// returns the infinity that is the nearest float64.
	f, _ := strconv.ParseFloat(string(text), 64)
	return math.Copysign(f, x)
}
