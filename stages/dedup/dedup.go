// Package dedup owns duplicate removal: for every row, given the row hash
// of its key columns (rowhash) and its position in the stream, it decides
// whether the row survives. With keep = "first" a row survives when its
// key is new; with keep = "last" when no later row has its key, which
// takes two passes over the stream: Observe over all of it, then Select.
//
// The only state is one fingerprint per distinct key (hashset), about 11
// bytes each for keep = "first" and 16 for keep = "last" with a size hint,
// so memory grows with distinct keys, never with the rows themselves.
// Dedup decides; stages.Filter drops the rows.
//
// Decisions depend only on the keys and ordinals, never on how the stream
// is cut into batches.
package dedup

import (
	"fmt"
	"math"
	"slices"

	"runner/stages/hashset"
	"runner/stages/plan"
	"runner/stages/rowhash"
)

// Dedup decides which rows survive. It is not safe for concurrent use.
type Dedup struct {
	keep plan.Keep
	// seen holds every key met so far (keep = "first").
	seen *hashset.Set
	// last maps every key to the ordinal of its last row (keep = "last").
	last *hashset.Map32
	// Per-batch scratch, grown to the largest batch and reused, so that
	// no call allocates once batches stop growing.
	ords  []uint32
	found []bool
}

// New returns a Dedup for the keep policy. sizeHint is the number of
// distinct keys expected (the row count is a fine estimate): with it the
// tables are sized once and rarely grow, which keeps memory near its floor
// and inserts fast; a hint of zero lets them grow from small.
func New(keep plan.Keep, sizeHint int) *Dedup {
	d := &Dedup{keep: keep}
	if keep == plan.KeepLast {
		d.last = hashset.NewMap32(sizeHint)
	} else {
		d.seen = hashset.NewSet(sizeHint)
	}
	return d
}

// maxOrdinal is the last row keep = "last" can track: it stores ordinals
// as uint32 to keep its table small.
const maxOrdinal = math.MaxUint32

// Observe is the first pass of keep = "last": it records, for every key,
// the ordinal of its last row. ordinals[i] is the 0-based position of row
// i in the stream. Batches may come in any order.
func (d *Dedup) Observe(keys []rowhash.Hash, ordinals []uint64) error {
	if d.keep != plan.KeepLast {
		return fmt.Errorf("dedup: Observe is the first pass of keep = %q, not of %s", plan.KeepLast, policy(d.keep))
	}
	if len(ordinals) != len(keys) {
		return fmt.Errorf("dedup: observe: %d ordinals for %d keys", len(ordinals), len(keys))
	}
	ords, err := d.narrow(ordinals)
	if err != nil {
		return fmt.Errorf("dedup: observe: %w", err)
	}
	d.last.KeepMax(keys, ords)
	return nil
}

// Select sets keep[i] for every row and returns how many rows it dropped.
// keys[i] is row i's key and ordinals[i] its 0-based position in the
// stream. keep = "first": a row survives when its key is new, and the
// ordinals are not read (they may be nil). keep = "last": a row survives
// when it is the last row of its key, which requires Observe over the
// whole stream first.
func (d *Dedup) Select(keys []rowhash.Hash, ordinals []uint64, keep []bool) (dropped int, err error) {
	if len(keep) != len(keys) {
		return 0, fmt.Errorf("dedup: select: %d keep flags for %d keys", len(keep), len(keys))
	}
	switch d.keep {
	case plan.KeepFirst:
		if ordinals != nil && len(ordinals) != len(keys) {
			return 0, fmt.Errorf("dedup: select: %d ordinals for %d keys", len(ordinals), len(keys))
		}
		return len(keys) - d.seen.InsertAll(keys, keep), nil
	case plan.KeepLast:
		return d.selectLast(keys, ordinals, keep)
	}
	return 0, fmt.Errorf("dedup: select: %s", policy(d.keep))
}

// policy names a keep policy for an error message.
func policy(k plan.Keep) string {
	if slices.Contains(plan.Keeps, k) {
		return fmt.Sprintf("keep = %q", k)
	}
	return fmt.Sprintf("unknown keep policy %d", k)
}

func (d *Dedup) selectLast(keys []rowhash.Hash, ordinals []uint64, keep []bool) (int, error) {
	if len(ordinals) != len(keys) {
		return 0, fmt.Errorf("dedup: select: %d ordinals for %d keys", len(ordinals), len(keys))
	}
	d.ords = grow(d.ords, len(keys))
	d.found = grow(d.found, len(keys))
	last := d.ords
	if n := d.last.GetAll(keys, last, d.found); n != len(keys) {
		for i, ok := range d.found {
			if !ok {
				return 0, fmt.Errorf("dedup: select: the key of row %d was never observed: keep = %q needs Observe over the whole stream before Select", ordinals[i], plan.KeepLast)
			}
		}
	}
	dropped := 0
	for i, o := range ordinals {
		if o > maxOrdinal {
			return 0, fmt.Errorf("dedup: select: %w", pastLimit(o))
		}
		keep[i] = uint64(last[i]) == o
		if !keep[i] {
			dropped++
		}
	}
	return dropped, nil
}

// narrow converts ordinals to uint32 in d.ords.
func (d *Dedup) narrow(ordinals []uint64) ([]uint32, error) {
	d.ords = grow(d.ords, len(ordinals))
	for i, o := range ordinals {
		if o > maxOrdinal {
			return nil, pastLimit(o)
		}
		d.ords[i] = uint32(o)
	}
	return d.ords, nil
}

func pastLimit(ordinal uint64) error {
	return fmt.Errorf("row %d is past the limit of keep = %q, which tracks at most %d rows; use keep = %q or split the input",
		ordinal, plan.KeepLast, uint64(maxOrdinal)+1, plan.KeepFirst)
}

func grow[T any](s []T, n int) []T {
	if cap(s) < n {
		return make([]T, n)
	}
	return s[:n]
}

// Bytes returns the memory the Dedup holds: its table and its scratch.
func (d *Dedup) Bytes() int {
	b := cap(d.ords)*4 + cap(d.found)
	if d.last != nil {
		return b + d.last.Bytes()
	}
	return b + d.seen.Bytes()
}
