package profile

import (
	"fmt"

	"github.com/axiomhq/hyperloglog"
)

// DistinctLimit is how many distinct values per column are counted exactly.
// Past it a column's count becomes a HyperLogLog estimate, so a profiler's
// memory stays bounded (about 1 MiB per column at most) whatever the rows.
const DistinctLimit = 65_536

// sketchPrecision gives the sketch 2^16 one-byte registers (64 KiB): a
// standard error of 1.04/√65536 ≈ 0.41%. It is created dense, since it only
// exists once a column has DistinctLimit values, so its registers depend only
// on the set of hashes inserted, never on their order: merged sketches equal
// the sketch of everything.
const sketchPrecision = 16

// distinct counts the distinct values of a column by their 64-bit hashes:
// exactly in a hash set up to DistinctLimit, then in a sketch.
type distinct struct {
	set    hashSet
	sketch *hyperloglog.Sketch
}

// add records a value's hash and reports whether the value may be new:
// false means it was seen before, so nothing else about it can change a
// column's statistics. Once the count is estimated every value may be new.
//
// It runs once per cell, so the common case, a nonzero hash going into the
// set, probes the table right here rather than in a further call.
func (d *distinct) add(h uint64) bool {
	s := &d.set
	if h == 0 || d.sketch != nil {
		return d.addRare(h)
	}
	if 2*(s.n+1) > len(s.slots) && len(s.slots) < maxSlots { // at most half full
		s.grow()
	}
	mask := uint64(len(s.slots) - 1)
	for i := h & mask; ; i = (i + 1) & mask {
		switch s.slots[i] {
		case h:
			return false
		case 0:
			if s.len() == DistinctLimit {
				return d.overflow(h)
			}
			s.slots[i] = h
			s.n++
			return true
		}
	}
}

// addRare is add for the hash 0, which marks empty slots and so is kept
// apart, and for a column whose count is already estimated.
func (d *distinct) addRare(h uint64) bool {
	switch {
	case d.sketch != nil:
		d.sketch.InsertHash(h)
		return true
	case d.set.hasZero:
		return false
	case d.set.len() == DistinctLimit:
		return d.overflow(h)
	}
	d.set.hasZero = true
	return true
}

// overflow takes in a new value's hash when the set is full: counting
// becomes an estimate from here on.
func (d *distinct) overflow(h uint64) bool {
	d.toSketch()
	d.sketch.InsertHash(h)
	return true
}

// toSketch moves the exact set into a new sketch and frees the set.
func (d *distinct) toSketch() {
	sk, err := hyperloglog.NewSketch(sketchPrecision, false)
	if err != nil {
		// sketchPrecision is a valid constant; only a change to it can get here.
		panic(fmt.Sprintf("profile: hyperloglog precision %d: %v", sketchPrecision, err))
	}
	d.set.each(sk.InsertHash)
	d.sketch = sk
	d.set = hashSet{}
}

// merge adds the values other has counted.
func (d *distinct) merge(other *distinct) {
	if other.sketch == nil {
		other.set.each(func(h uint64) { d.add(h) })
		return
	}
	if d.sketch == nil {
		d.toSketch()
	}
	if err := d.sketch.Merge(other.sketch); err != nil {
		// Both sketches have sketchPrecision, the only thing Merge checks.
		panic(fmt.Sprintf("profile: merging distinct-value sketches: %v", err))
	}
}

// count returns the number of distinct values and whether it is exact.
func (d *distinct) count() (n int64, exact bool) {
	if d.sketch != nil {
		return int64(d.sketch.Estimate()), false
	}
	return int64(d.set.len()), true
}

// hashSet is a set of 64-bit hashes with open addressing and linear
// probing: one flat slice, no per-entry allocation, and a probe that reads
// one cache line in the common case, which a Go map of the same keys does
// not match on the per-cell budget.
type hashSet struct {
	// slots holds the hashes; 0 marks an empty slot, so the hash 0 is
	// recorded in hasZero instead.
	slots   []uint64
	n       int
	hasZero bool
}

// minSlots and maxSlots bound the table: maxSlots holds DistinctLimit
// hashes at half load (1 MiB).
const (
	minSlots = 64
	maxSlots = 2 * DistinctLimit
)

func (s *hashSet) len() int {
	if s.hasZero {
		return s.n + 1
	}
	return s.n
}

// grow enlarges the table eightfold, never beyond what DistinctLimit
// hashes need at half load. Rehashing costs a cache miss per entry on large
// tables, and growing in big steps rehashes about a third as many entries
// as doubling would.
func (s *hashSet) grow() {
	old := s.slots
	s.slots = make([]uint64, min(max(minSlots, 8*len(old)), maxSlots))
	mask := uint64(len(s.slots) - 1)
	for _, h := range old {
		if h == 0 {
			continue
		}
		i := h & mask
		for s.slots[i] != 0 {
			i = (i + 1) & mask
		}
		s.slots[i] = h
	}
}

// each calls fn with every hash in the set.
func (s *hashSet) each(fn func(uint64)) {
	if s.hasZero {
		fn(0)
	}
	for _, h := range s.slots {
		if h != 0 {
			fn(h)
		}
	}
}
