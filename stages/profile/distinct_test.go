package profile

import (
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
)

// TestDistinctEdges drives the counter with chosen hashes: the hash 0,
// which cannot live in the table, and the values around DistinctLimit.
func TestDistinctEdges(t *testing.T) {
	upTo := func(from, to uint64) []uint64 {
		var hs []uint64
		for h := from; h <= to; h++ {
			hs = append(hs, mix64(h)) // none is 0: only mix64(0x9e3779b97f4a7c15) is
		}
		return hs
	}
	tests := []struct {
		name      string
		hashes    []uint64
		wantCount int64
		wantExact bool
	}{
		{name: "zero counted once", hashes: []uint64{0, 7, 0, 7}, wantCount: 2, wantExact: true},
		{name: "full without zero", hashes: upTo(1, DistinctLimit), wantCount: DistinctLimit, wantExact: true},
		{name: "full with zero", hashes: append([]uint64{0}, upTo(1, DistinctLimit-1)...), wantCount: DistinctLimit, wantExact: true},
		{name: "zero past the limit", hashes: append(upTo(1, DistinctLimit), 0), wantExact: false},
		{name: "nonzero past a limit reached with zero", hashes: append([]uint64{0}, upTo(1, DistinctLimit)...), wantExact: false},
		{name: "repeats at the limit stay exact", hashes: append(upTo(1, DistinctLimit), upTo(1, 100)...), wantCount: DistinctLimit, wantExact: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var d distinct
			for _, h := range tc.hashes {
				d.add(h)
			}
			n, exact := d.count()
			if exact != tc.wantExact || exact && n != tc.wantCount {
				t.Fatalf("count() = %d, exact %v; want %d, exact %v", n, exact, tc.wantCount, tc.wantExact)
			}
			if !exact && (n < DistinctLimit*99/100 || n > DistinctLimit*101/100) {
				t.Fatalf("estimate %d for %d values", n, DistinctLimit+1)
			}
		})
	}
}

// TestDistinctIntegerWithZeroHash profiles the one int64 whose hash is 0
// next to 0 itself: both are counted.
func TestDistinctIntegerWithZeroHash(t *testing.T) {
	var zeroHash int64 = -0x61c8864680b583eb // 0x9e3779b97f4a7c15 as an int64
	if mix64(uint64(zeroHash)) != 0 {
		t.Fatalf("mix64(%d) is not 0", zeroHash)
	}
	got := profileOf(t, arrow.PrimitiveTypes.Int64, values(`-7046029254386353131`, `0`, `-7046029254386353131`))
	if got.Distinct != 2 || !got.DistinctExact {
		t.Fatalf("Distinct = %d (exact %v), want 2", got.Distinct, got.DistinctExact)
	}
}
