package cast

import (
	"math"
	"math/big"
	"math/bits"
	"strconv"
)

// Floats are the widest column of a typical file, and strconv.ParseFloat
// spends most of its time scanning text in its general way (underscores,
// hex, special values). parseFloat scans plain decimal text itself and
// converts it exactly, as strconv does: Clinger's fast path when the digits
// and the power of ten are both exact in a float64, else the Eisel-Lemire
// algorithm. Whatever it declines (more than 19 digits, a far exponent, the
// rare halfway case) goes to strconv.ParseFloat, so the result is always
// strconv's, bit for bit.

// pow10Exact holds the powers of ten a float64 holds exactly.
var pow10Exact = [...]float64{1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
	1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22}

// The Eisel-Lemire table covers 10^pow10Min to 10^pow10Max: decimal text
// with at most 19 digits and an exponent in this range is parsed without
// strconv.
const (
	pow10Min = -64
	pow10Max = 64
)

// pow10Mantissas[e-pow10Min] is the 128-bit mantissa of 10^e, scaled so
// that its top bit is set and truncated, as the algorithm requires. It is
// computed once and only read.
var pow10Mantissas = makePow10Mantissas()

func makePow10Mantissas() [pow10Max - pow10Min + 1][2]uint64 {
	var table [pow10Max - pow10Min + 1][2]uint64
	two128 := new(big.Int).Lsh(big.NewInt(1), 128)
	for e := pow10Min; e <= pow10Max; e++ {
		r := new(big.Rat).SetInt(new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(abs(e))), nil))
		if e < 0 {
			r.Inv(r)
		}
		// Scale by a power of two into [2^127, 2^128).
		for r.Cmp(new(big.Rat).SetInt(two128)) >= 0 {
			r.Quo(r, big.NewRat(2, 1))
		}
		for r.Cmp(new(big.Rat).SetFrac(two128, big.NewInt(2))) < 0 {
			r.Mul(r, big.NewRat(2, 1))
		}
		m := new(big.Int).Quo(r.Num(), r.Denom())
		table[e-pow10Min] = [2]uint64{new(big.Int).Rsh(m, 64).Uint64(), m.Uint64()}
	}
	return table
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

// parseFloat parses a finite decimal number. It refuses what
// strconv.ParseFloat would also accept but a data file never means: hex
// floats, digits separated by underscores ("1_0" is not ten), infinities
// and NaN.
func parseFloat(s string) (float64, bool) {
	s = trimSpace(s)
	if f, ok := parseDecimalFloat(s); ok {
		return f, true
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; c == 'x' || c == 'X' || c == '_' {
			return 0, false
		}
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return 0, false // a syntax error, or a magnitude beyond float64 (±Inf)
	}
	return f, !math.IsInf(f, 0) && !math.IsNaN(f)
}

// parseDecimalFloat is the fast path: [sign] digits [. digits] [e [sign]
// digits], at most 19 significant digits. It reports false for anything
// else, and for the cases only strconv can settle.
func parseDecimalFloat(s string) (float64, bool) {
	i, neg := 0, false
	if i < len(s) && (s[i] == '-' || s[i] == '+') {
		neg = s[i] == '-'
		i++
	}
	var man uint64
	exp10, ndigits, sawDigit, sawDot := 0, 0, false, false
	for ; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '.' && !sawDot:
			sawDot = true
			continue
		case c < '0' || c > '9':
		default:
			sawDigit = true
			if c == '0' && man == 0 {
				if sawDot {
					exp10--
				}
				continue // leading zeros are not significant
			}
			if ndigits == 19 {
				return 0, false
			}
			man = man*10 + uint64(c-'0')
			ndigits++
			if sawDot {
				exp10--
			}
			continue
		}
		break
	}
	if !sawDigit {
		return 0, false
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		eneg := false
		if i < len(s) && (s[i] == '-' || s[i] == '+') {
			eneg = s[i] == '-'
			i++
		}
		e, start := 0, i
		for ; i < len(s) && '0' <= s[i] && s[i] <= '9'; i++ {
			if e > 1000 {
				return 0, false // far out of range: let strconv say so
			}
			e = e*10 + int(s[i]-'0')
		}
		if i == start {
			return 0, false
		}
		if eneg {
			e = -e
		}
		exp10 += e
	}
	if i != len(s) {
		return 0, false
	}
	if man>>53 == 0 && -22 <= exp10 && exp10 <= 22 {
		f := float64(man)
		if exp10 < 0 {
			f /= pow10Exact[-exp10]
		} else {
			f *= pow10Exact[exp10]
		}
		if neg {
			f = -f
		}
		return f, true
	}
	return eiselLemire(man, exp10, neg)
}

// eiselLemire converts man·10^exp10 to the nearest float64, or reports
// false when it cannot be sure. It follows the algorithm as Go's strconv
// implements it (https://nigeltao.github.io/blog/2020/eisel-lemire.html).
func eiselLemire(man uint64, exp10 int, neg bool) (float64, bool) {
	if man == 0 {
		if neg {
			return math.Copysign(0, -1), true
		}
		return 0, true
	}
	if exp10 < pow10Min || exp10 > pow10Max {
		return 0, false
	}
	pow := pow10Mantissas[exp10-pow10Min]
	exp2 := 1 + (exp10*108853)>>15 // floor(exp10·log2(10)) + 1
	const bias = 1023              // of a float64's exponent
	clz := bits.LeadingZeros64(man)
	man <<= uint(clz)
	retExp2 := uint64(exp2+63+bias) - uint64(clz)
	xHi, xLo := bits.Mul64(man, pow[0])
	if xHi&0x1FF == 0x1FF && xLo+man < man {
		yHi, yLo := bits.Mul64(man, pow[1])
		mergedHi, mergedLo := xHi, xLo+yHi
		if mergedLo < xLo {
			mergedHi++
		}
		if mergedHi&0x1FF == 0x1FF && mergedLo+1 == 0 && yLo+man < man {
			return 0, false
		}
		xHi, xLo = mergedHi, mergedLo
	}
	msb := xHi >> 63
	retMantissa := xHi >> (msb + 9)
	retExp2 -= 1 ^ msb
	if xLo == 0 && xHi&0x1FF == 0 && retMantissa&3 == 1 {
		return 0, false // halfway between two floats
	}
	retMantissa += retMantissa & 1
	retMantissa >>= 1
	if retMantissa>>53 > 0 {
		retMantissa >>= 1
		retExp2++
	}
	if retExp2-1 >= 0x7FF-1 {
		return 0, false // subnormal or infinite
	}
	f := math.Float64frombits(retExp2<<52 | retMantissa&(1<<52-1))
	if neg {
		f = -f
	}
	return f, true
}
