package shape

import (
	"math/big"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/decimal128"
	"go.mongodb.org/mongo-driver/v2/bson"
)

// checkBID compares decimalBID with the driver's text parser on the value
// coeff × 10^exp: both must agree on whether the value fits a Decimal128
// exactly and, when it does, on every bit.
func checkBID(t *testing.T, coeff *big.Int, exp int) {
	t.Helper()
	text := coeff.String() + "E" + strconv.Itoa(exp)
	hi, lo, ok := decimalBID(decimal128.FromBigInt(coeff), exp)
	want, err := bson.ParseDecimal128(text)
	if (err == nil) != ok {
		t.Fatalf("%s: decimalBID ok = %v, ParseDecimal128 error = %v", text, ok, err)
	}
	if !ok {
		return
	}
	if wantHi, wantLo := want.GetBytes(); hi != wantHi || lo != wantLo {
		t.Fatalf("%s: decimalBID = %016x%016x (%s), want %016x%016x (%s)",
			text, hi, lo, bson.NewDecimal128(hi, lo), wantHi, wantLo, want)
	}
}

func TestDecimalBIDEdgeCases(t *testing.T) {
	pow10 := func(n int64) *big.Int { return new(big.Int).Exp(big.NewInt(10), big.NewInt(n), nil) }
	minus := func(a, b *big.Int) *big.Int { return new(big.Int).Sub(a, b) }
	one := big.NewInt(1)
	tests := []struct {
		name  string
		coeff *big.Int
		exp   int
	}{
		{name: "zero", coeff: big.NewInt(0), exp: 0},
		{name: "zero with scale", coeff: big.NewInt(0), exp: -2},
		{name: "one cent", coeff: big.NewInt(1), exp: -2},
		{name: "trailing zero kept", coeff: big.NewInt(150), exp: -2},
		{name: "negative", coeff: big.NewInt(-1885628), exp: -2},
		{name: "largest coefficient", coeff: minus(pow10(34), one), exp: -5},
		{name: "largest coefficient negative", coeff: new(big.Int).Neg(minus(pow10(34), one)), exp: 0},
		{name: "35 digits ending in zero", coeff: new(big.Int).Mul(minus(pow10(34), one), big.NewInt(10)), exp: -3},
		{name: "38 digits ending in four zeros", coeff: new(big.Int).Mul(big.NewInt(123456789), pow10(29)), exp: -38},
		{name: "35 digits", coeff: minus(pow10(35), one), exp: 0},
		{name: "precision 38 maximum", coeff: minus(pow10(38), one), exp: -10},
		{name: "precision 38 minimum", coeff: new(big.Int).Neg(minus(pow10(38), one)), exp: 0},
		{name: "10^34 exactly", coeff: pow10(34), exp: 0},
		{name: "10^37 with scale 38", coeff: pow10(37), exp: -38},
		{name: "negative 10^36", coeff: new(big.Int).Neg(pow10(36)), exp: -1},
		{name: "negative scale", coeff: big.NewInt(42), exp: 3},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { checkBID(t, tc.coeff, tc.exp) })
	}
}

// TestDecimalBIDRandom checks many values of every length a decimal128(38)
// can hold, at every scale, against the driver's parser.
func TestDecimalBIDRandom(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	var digits strings.Builder
	for range 50_000 {
		n := 1 + rng.IntN(38)
		digits.Reset()
		for j := range n {
			d := rng.IntN(10)
			if j == 0 && n > 1 {
				d = 1 + rng.IntN(9)
			}
			digits.WriteByte(byte('0' + d))
		}
		text := digits.String()
		if n > 34 && rng.IntN(2) == 0 {
			// Half of the long ones end in enough zeros to fit exactly.
			text = text[:34] + strings.Repeat("0", n-34)
		}
		coeff, _ := new(big.Int).SetString(text, 10)
		if rng.IntN(2) == 0 {
			coeff.Neg(coeff)
		}
		checkBID(t, coeff, -rng.IntN(39))
	}
}
