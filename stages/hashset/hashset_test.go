package hashset

import (
	"encoding/binary"
	"fmt"
	"math/rand/v2"
	"testing"

	"runner/stages/rowhash"
)

// key is what a table can tell apart: the partition byte and the stored
// Lo. The reference maps below key on it so they agree with the tables on
// the documented fingerprint.
type key struct {
	part uint8
	lo   uint64
}

func keyOf(h rowhash.Hash) key {
	p, lo := fingerprint(h)
	return key{part: p, lo: lo}
}

func hash(part uint8, lo uint64) rowhash.Hash {
	return rowhash.Hash{Hi: uint64(part)<<56 | 0xABCDEF, Lo: lo}
}

func TestSetInsertContains(t *testing.T) {
	tests := []struct {
		name     string
		inserts  []rowhash.Hash
		wantNew  []bool
		present  []rowhash.Hash
		absent   []rowhash.Hash
		wantSize int
	}{
		{
			name:     "empty",
			absent:   []rowhash.Hash{hash(0, 1), hash(255, 1<<63)},
			wantSize: 0,
		},
		{
			name:     "distinct keys",
			inserts:  []rowhash.Hash{hash(1, 10), hash(1, 11), hash(2, 10)},
			wantNew:  []bool{true, true, true},
			present:  []rowhash.Hash{hash(1, 10), hash(1, 11), hash(2, 10)},
			absent:   []rowhash.Hash{hash(1, 12), hash(3, 10)},
			wantSize: 3,
		},
		{
			name:     "repeat is not new",
			inserts:  []rowhash.Hash{hash(7, 99), hash(7, 99), hash(7, 99)},
			wantNew:  []bool{true, false, false},
			present:  []rowhash.Hash{hash(7, 99)},
			wantSize: 1,
		},
		{
			name:     "only the top byte of Hi picks the partition",
			inserts:  []rowhash.Hash{{Hi: 5 << 56, Lo: 42}, {Hi: 5<<56 | 1234, Lo: 42}},
			wantNew:  []bool{true, false},
			present:  []rowhash.Hash{{Hi: 5<<56 | 99, Lo: 42}},
			absent:   []rowhash.Hash{{Hi: 6 << 56, Lo: 42}},
			wantSize: 1,
		},
		{
			name:     "zero Lo is stored as one",
			inserts:  []rowhash.Hash{hash(9, 0), hash(9, 1), hash(10, 1), hash(10, 0)},
			wantNew:  []bool{true, false, true, false},
			present:  []rowhash.Hash{hash(9, 0), hash(9, 1), hash(10, 0)},
			absent:   []rowhash.Hash{hash(11, 0), hash(9, 2)},
			wantSize: 2,
		},
		{
			name: "keys clustered at the end of a partition wrap around",
			inserts: []rowhash.Hash{
				hash(3, ^uint64(0)), hash(3, ^uint64(0)-1), hash(3, ^uint64(0)-2), hash(3, ^uint64(0)-3),
			},
			wantNew:  []bool{true, true, true, true},
			present:  []rowhash.Hash{hash(3, ^uint64(0)-2)},
			absent:   []rowhash.Hash{hash(3, ^uint64(0)-4), hash(3, 2)},
			wantSize: 4,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := NewSet(0)
			for i, h := range tc.inserts {
				if got := s.Insert(h); got != tc.wantNew[i] {
					t.Errorf("Insert #%d (%v) = %v, want %v", i, h, got, tc.wantNew[i])
				}
			}
			for _, h := range tc.present {
				if !s.Contains(h) {
					t.Errorf("Contains(%v) = false, want true", h)
				}
			}
			for _, h := range tc.absent {
				if s.Contains(h) {
					t.Errorf("Contains(%v) = true, want false", h)
				}
			}
			if s.Len() != tc.wantSize {
				t.Errorf("Len = %d, want %d", s.Len(), tc.wantSize)
			}
		})
	}
}

func TestMap32PutGet(t *testing.T) {
	type put struct {
		h           rowhash.Hash
		v           uint32
		wantOld     uint32
		wantExisted bool
	}
	tests := []struct {
		name string
		puts []put
		want map[rowhash.Hash]uint32
		miss []rowhash.Hash
	}{
		{
			name: "new keys",
			puts: []put{{h: hash(1, 5), v: 10}, {h: hash(2, 5), v: 20}},
			want: map[rowhash.Hash]uint32{hash(1, 5): 10, hash(2, 5): 20},
			miss: []rowhash.Hash{hash(3, 5)},
		},
		{
			name: "overwrite returns the old value",
			puts: []put{{h: hash(1, 5), v: 10}, {h: hash(1, 5), v: 11, wantOld: 10, wantExisted: true},
				{h: hash(1, 5), v: 0, wantOld: 11, wantExisted: true}},
			want: map[rowhash.Hash]uint32{hash(1, 5): 0},
		},
		{
			name: "zero value is a value",
			puts: []put{{h: hash(4, 8), v: 0}},
			want: map[rowhash.Hash]uint32{hash(4, 8): 0},
			miss: []rowhash.Hash{hash(4, 9)},
		},
		{
			name: "zero Lo shares the slot of one",
			puts: []put{{h: hash(4, 0), v: 3}, {h: hash(4, 1), v: 4, wantOld: 3, wantExisted: true}},
			want: map[rowhash.Hash]uint32{hash(4, 0): 4},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m := NewMap32(0)
			for i, p := range tc.puts {
				old, existed := m.Put(p.h, p.v)
				if old != p.wantOld || existed != p.wantExisted {
					t.Errorf("Put #%d = (%d, %v), want (%d, %v)", i, old, existed, p.wantOld, p.wantExisted)
				}
			}
			for h, want := range tc.want {
				if got, ok := m.Get(h); !ok || got != want {
					t.Errorf("Get(%v) = (%d, %v), want (%d, true)", h, got, ok, want)
				}
			}
			for _, h := range tc.miss {
				if got, ok := m.Get(h); ok {
					t.Errorf("Get(%v) = (%d, true), want a miss", h, got)
				}
			}
			if m.Len() != len(tc.want) {
				t.Errorf("Len = %d, want %d", m.Len(), len(tc.want))
			}
		})
	}
}

// TestGrowth fills partitions unevenly, so some grow many times while
// others stay empty, and checks that nothing is lost or invented.
func TestGrowth(t *testing.T) {
	tests := []struct {
		name     string
		sizeHint int
		perPart  map[uint8]int
	}{
		{name: "one partition from nothing", perPart: map[uint8]int{0: 10_000}},
		{name: "uneven partitions", perPart: map[uint8]int{0: 1, 17: 500, 128: 3_000, 255: 20_000}},
		{name: "past the size hint", sizeHint: 2_560, perPart: map[uint8]int{3: 5_000, 200: 10}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := NewSet(tc.sizeHint)
			m := NewMap32(tc.sizeHint)
			rng := rand.New(rand.NewPCG(1, 2))
			var all []rowhash.Hash
			bytesBefore := s.Bytes()
			for p := range 256 {
				for range tc.perPart[uint8(p)] {
					h := hash(uint8(p), rng.Uint64())
					all = append(all, h)
					if !s.Insert(h) {
						t.Fatalf("Insert(%v) = false for a new key", h)
					}
					m.Put(h, uint32(len(all)))
				}
			}
			if s.Bytes() <= bytesBefore {
				t.Errorf("Bytes = %d after growth, was %d", s.Bytes(), bytesBefore)
			}
			for i, h := range all {
				if !s.Contains(h) {
					t.Fatalf("lost %v after growth", h)
				}
				if v, ok := m.Get(h); !ok || v != uint32(i+1) {
					t.Fatalf("Get(%v) = (%d, %v), want (%d, true)", h, v, ok, i+1)
				}
			}
			for p := range 256 {
				if tc.perPart[uint8(p)] == 0 && s.Contains(hash(uint8(p), all[0].Lo)) {
					t.Errorf("partition %d holds a key nobody inserted", p)
				}
			}
			if s.Len() != len(all) || m.Len() != len(all) {
				t.Errorf("Len = %d, %d, want %d", s.Len(), m.Len(), len(all))
			}
		})
	}
}

// TestAgainstMap inserts random hashes, many of them repeated, and checks
// every answer against a Go map.
func TestAgainstMap(t *testing.T) {
	tests := []struct {
		name     string
		ops      int
		distinct int
		sizeHint int
	}{
		{name: "small, many repeats", ops: 5_000, distinct: 300},
		{name: "large, few repeats", ops: 200_000, distinct: 150_000},
		{name: "presized", ops: 100_000, distinct: 60_000, sizeHint: 60_000},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rng := rand.New(rand.NewPCG(7, uint64(tc.ops)))
			pool := make([]rowhash.Hash, tc.distinct)
			for i := range pool {
				pool[i] = rowhash.Hash{Hi: rng.Uint64(), Lo: rng.Uint64()}
			}
			s, m := NewSet(tc.sizeHint), NewMap32(tc.sizeHint)
			refSet := map[key]bool{}
			refMap := map[key]uint32{}
			for i := range tc.ops {
				h := pool[rng.IntN(len(pool))]
				k := keyOf(h)
				if got, want := s.Contains(h), refSet[k]; got != want {
					t.Fatalf("op %d: Contains = %v, want %v", i, got, want)
				}
				if got, want := s.Insert(h), !refSet[k]; got != want {
					t.Fatalf("op %d: Insert = %v, want %v", i, got, want)
				}
				refSet[k] = true
				wantOld, wantExisted := refMap[k]
				old, existed := m.Put(h, uint32(i))
				if old != wantOld || existed != wantExisted {
					t.Fatalf("op %d: Put = (%d, %v), want (%d, %v)", i, old, existed, wantOld, wantExisted)
				}
				refMap[k] = uint32(i)
			}
			if s.Len() != len(refSet) || m.Len() != len(refMap) {
				t.Fatalf("Len = %d, %d, want %d", s.Len(), m.Len(), len(refSet))
			}
			for _, h := range pool {
				v, ok := m.Get(h)
				want, wantOK := refMap[keyOf(h)]
				if v != want || ok != wantOK {
					t.Fatalf("Get(%v) = (%d, %v), want (%d, %v)", h, v, ok, want, wantOK)
				}
			}
		})
	}
}

// TestBatchesAgreeWithSingles checks InsertAll, KeepMax and GetAll against
// the one-at-a-time methods on streams with repeats inside a batch, across
// groups and across batches.
func TestBatchesAgreeWithSingles(t *testing.T) {
	tests := []struct {
		name     string
		rows     int
		distinct int
		batch    int
	}{
		{name: "empty", rows: 0, distinct: 1, batch: 10},
		{name: "one row", rows: 1, distinct: 1, batch: 1},
		{name: "repeats inside a group", rows: 1_000, distinct: 20, batch: 1_000},
		{name: "odd batches", rows: 20_000, distinct: 9_000, batch: 77},
		{name: "batches of one", rows: 3_000, distinct: 1_500, batch: 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rng := rand.New(rand.NewPCG(11, uint64(tc.rows)))
			pool := make([]rowhash.Hash, tc.distinct)
			for i := range pool {
				pool[i] = rowhash.Hash{Hi: rng.Uint64(), Lo: rng.Uint64()}
			}
			hs := make([]rowhash.Hash, tc.rows)
			vs := make([]uint32, tc.rows)
			for i := range hs {
				hs[i] = pool[rng.IntN(len(pool))]
				vs[i] = rng.Uint32()
			}
			single, batched := NewSet(0), NewSet(0)
			singleMap, batchedMap := NewMap32(0), NewMap32(0)
			isNew := make([]bool, tc.batch)
			for start := 0; start < len(hs); start += tc.batch {
				end := min(start+tc.batch, len(hs))
				added := batched.InsertAll(hs[start:end], isNew)
				batchedMap.KeepMax(hs[start:end], vs[start:end])
				want := 0
				for i := start; i < end; i++ {
					wantNew := single.Insert(hs[i])
					if isNew[i-start] != wantNew {
						t.Fatalf("row %d: InsertAll new = %v, Insert = %v", i, isNew[i-start], wantNew)
					}
					if wantNew {
						want++
					}
					if old, existed := singleMap.Get(hs[i]); !existed || vs[i] > old {
						singleMap.Put(hs[i], vs[i])
					}
				}
				if added != want {
					t.Fatalf("rows %d-%d: InsertAll added %d, want %d", start, end, added, want)
				}
			}
			probe := append(append([]rowhash.Hash(nil), pool...), rowhash.Hash{Hi: 1, Lo: 2})
			got := make([]uint32, len(probe))
			found := make([]bool, len(probe))
			n := batchedMap.GetAll(probe, got, found)
			wantFound := 0
			for i, h := range probe {
				want, ok := singleMap.Get(h)
				if found[i] != ok || got[i] != want {
					t.Fatalf("GetAll #%d = (%d, %v), Get = (%d, %v)", i, got[i], found[i], want, ok)
				}
				if ok {
					wantFound++
				}
			}
			if n != wantFound || batched.Len() != single.Len() || batchedMap.Len() != singleMap.Len() {
				t.Fatalf("found %d, Len %d/%d, want %d, %d/%d", n, batched.Len(), batchedMap.Len(), wantFound, single.Len(), singleMap.Len())
			}
		})
	}
}

// FuzzSet reads the input as operations on hashes drawn from a tiny,
// clustered key space, so probes collide, wrap around and cross growth.
func FuzzSet(f *testing.F) {
	f.Add([]byte{0, 0, 0, 0, 1, 0, 0, 0})
	f.Add([]byte{0, 1, 255, 7, 0, 1, 255, 8, 1, 1, 255, 7, 2, 1, 0, 0})
	f.Fuzz(func(t *testing.T, ops []byte) {
		s, m := NewSet(0), NewMap32(0)
		refSet := map[key]bool{}
		refMap := map[key]uint32{}
		for i := 0; i+4 <= len(ops); i += 4 {
			op := ops[i] % 3
			// The top byte of Lo picks the first slot, so keys sharing it
			// probe the same run of slots.
			h := rowhash.Hash{Hi: uint64(ops[i+1]%4) << 56, Lo: uint64(ops[i+2])<<56 | uint64(ops[i+3]%4)}
			k := keyOf(h)
			switch op {
			case 0:
				if got, want := s.Insert(h), !refSet[k]; got != want {
					t.Fatalf("Insert(%v) = %v, want %v", h, got, want)
				}
				refSet[k] = true
			case 1:
				if got, want := s.Contains(h), refSet[k]; got != want {
					t.Fatalf("Contains(%v) = %v, want %v", h, got, want)
				}
			case 2:
				v := binary.LittleEndian.Uint32(ops[i : i+4])
				wantOld, wantExisted := refMap[k]
				if old, existed := m.Put(h, v); old != wantOld || existed != wantExisted {
					t.Fatalf("Put(%v) = (%d, %v), want (%d, %v)", h, old, existed, wantOld, wantExisted)
				}
				refMap[k] = v
			}
		}
		if s.Len() != len(refSet) || m.Len() != len(refMap) {
			t.Fatalf("Len = %d, %d, want %d, %d", s.Len(), m.Len(), len(refSet), len(refMap))
		}
		for k, want := range refMap {
			if got, ok := m.Get(rowhash.Hash{Hi: uint64(k.part) << 56, Lo: k.lo}); !ok || got != want {
				t.Fatalf("Get(%v) = (%d, %v), want (%d, true)", k, got, ok, want)
			}
		}
	})
}

var benchSizes = []int{55_500, 555_000, 5_550_000}

func randomHashes(n int) []rowhash.Hash {
	rng := rand.New(rand.NewPCG(uint64(n), 3))
	hs := make([]rowhash.Hash, n)
	for i := range hs {
		hs[i] = rowhash.Hash{Hi: rng.Uint64(), Lo: rng.Uint64()}
	}
	return hs
}

// batchRows is the size of the batches the engine streams.
const batchRows = 8192

// BenchmarkSetInsert builds a set of n distinct hashes per iteration, one
// Insert at a time or with InsertAll over batches, with and without a size
// hint, and reports the cost of one insert and the memory each entry takes.
func BenchmarkSetInsert(b *testing.B) {
	for _, n := range benchSizes {
		hs := randomHashes(n)
		isNew := make([]bool, batchRows)
		for _, mode := range []string{"single", "batch"} {
			for _, hinted := range []bool{true, false} {
				b.Run(fmt.Sprintf("n=%d/%s/hint=%v", n, mode, hinted), func(b *testing.B) {
					b.ReportAllocs()
					hint := 0
					if hinted {
						hint = n
					}
					var s *Set
					for b.Loop() {
						s = NewSet(hint)
						if mode == "single" {
							for _, h := range hs {
								s.Insert(h)
							}
							continue
						}
						for start := 0; start < n; start += batchRows {
							s.InsertAll(hs[start:min(start+batchRows, n)], isNew)
						}
					}
					b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(n), "ns/insert")
					b.ReportMetric(float64(s.Bytes())/float64(n), "bytes/entry")
				})
			}
		}
	}
}

// BenchmarkSetContains looks up every member of a full set.
func BenchmarkSetContains(b *testing.B) {
	for _, n := range benchSizes {
		hs := randomHashes(n)
		s := NewSet(n)
		for _, h := range hs {
			s.Insert(h)
		}
		b.Run(fmt.Sprintf("n=%d", n), func(b *testing.B) {
			b.ReportAllocs()
			found := 0
			for b.Loop() {
				for _, h := range hs {
					if s.Contains(h) {
						found++
					}
				}
			}
			if found != b.N*n {
				b.Fatalf("found %d of %d", found, b.N*n)
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(n), "ns/lookup")
		})
	}
}

// BenchmarkMap32KeepMax builds a presized map of n hashes per iteration
// with KeepMax over batches, as dedup's keep = "last" does.
func BenchmarkMap32KeepMax(b *testing.B) {
	for _, n := range benchSizes {
		hs := randomHashes(n)
		vs := make([]uint32, n)
		for i := range vs {
			vs[i] = uint32(i)
		}
		b.Run(fmt.Sprintf("n=%d", n), func(b *testing.B) {
			b.ReportAllocs()
			var m *Map32
			for b.Loop() {
				m = NewMap32(n)
				for start := 0; start < n; start += batchRows {
					end := min(start+batchRows, n)
					m.KeepMax(hs[start:end], vs[start:end])
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(n), "ns/put")
			b.ReportMetric(float64(m.Bytes())/float64(n), "bytes/entry")
		})
	}
}
