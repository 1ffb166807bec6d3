package profile

import "math"

// exactSum adds float64 values without rounding error (Shewchuk's
// algorithm, as Python's math.fsum): the sum is kept as non-overlapping
// partials and rounded once when read. Its value is therefore the same
// whatever order the values and the merged sums arrive in, so a report's
// mean does not depend on how batches were spread over workers.
type exactSum struct {
	partials []float64
	// special is the sum of the infinities and NaNs, and of any partial
	// sum that overflowed: it decides the value when non-zero.
	special float64
}

func (s *exactSum) add(x float64) {
	if math.IsInf(x, 0) || math.IsNaN(x) {
		s.special += x
		return
	}
	i := 0
	for _, y := range s.partials {
		if math.Abs(x) < math.Abs(y) {
			x, y = y, x
		}
		hi := x + y
		if math.IsInf(hi, 0) {
			s.special += hi
			return
		}
		if lo := y - (hi - x); lo != 0 {
			s.partials[i] = lo
			i++
		}
		x = hi
	}
	s.partials = append(s.partials[:i], x)
}

func (s *exactSum) merge(o *exactSum) {
	for _, p := range o.partials {
		s.add(p)
	}
	s.special += o.special
}

// value is the exact sum rounded to the nearest float64, ties to even.
func (s *exactSum) value() float64 {
	if s.special != 0 || math.IsNaN(s.special) {
		return s.special
	}
	p := s.partials
	n := len(p)
	if n == 0 {
		return 0
	}
	n--
	hi, lo := p[n], 0.0
	for n > 0 {
		x, y := hi, p[n-1]
		n--
		hi = x + y
		if lo = y - (hi - x); lo != 0 {
			break
		}
	}
	// Half-way cases: the partials below decide which way to round.
	if n > 0 && (lo < 0 && p[n-1] < 0 || lo > 0 && p[n-1] > 0) {
		y := lo * 2
		if x := hi + y; x-hi == y {
			hi = x
		}
	}
	return hi
}
