package profile

import (
	"math"
	"math/big"
	"math/rand/v2"
	"testing"
)

func TestExactSumIsTheRoundedExactSum(t *testing.T) {
	for _, c := range []struct {
		name   string
		values []float64
		want   float64
	}{
		{"empty", nil, 0},
		{"cancellation", []float64{1e16, 1, -1e16}, 1},
		{"tenths", []float64{.1, .1, .1, .1, .1, .1, .1, .1, .1, .1}, 1},
		{"half-way rounds to even", []float64{1, 0x1p-53, 0x1p-106}, 1 + 0x1p-52},
		{"infinity", []float64{1, math.Inf(1), 2}, math.Inf(1)},
		{"overflow", []float64{math.MaxFloat64, math.MaxFloat64}, math.Inf(1)},
		{"nan", []float64{1, math.NaN()}, math.NaN()},
	} {
		t.Run(c.name, func(t *testing.T) {
			var s exactSum
			for _, v := range c.values {
				s.add(v)
			}
			if got := s.value(); math.Float64bits(got) != math.Float64bits(c.want) && !(math.IsNaN(got) && math.IsNaN(c.want)) {
				t.Errorf("sum = %v, want %v", got, c.want)
			}
		})
	}
}

// TestExactSumIgnoresOrder sums the same values in shuffled orders, split
// into merged parts as workers split batches, against big.Float's exact sum.
func TestExactSumIgnoresOrder(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	values := make([]float64, 5000)
	exact := new(big.Float).SetPrec(4096)
	for i := range values {
		values[i] = (rng.Float64() - 0.3) * math.Pow(10, float64(rng.IntN(30)-10))
		exact.Add(exact, new(big.Float).SetFloat64(values[i]))
	}
	want, _ := exact.Float64()
	for try := range 20 {
		rng.Shuffle(len(values), func(i, j int) { values[i], values[j] = values[j], values[i] })
		var total exactSum
		for rest := values; len(rest) > 0; {
			n := min(len(rest), 1+rng.IntN(700))
			var part exactSum
			for _, v := range rest[:n] {
				part.add(v)
			}
			total.merge(&part)
			rest = rest[n:]
		}
		if got := total.value(); got != want {
			t.Fatalf("try %d: sum = %v, want %v", try, got, want)
		}
	}
}
