// Package hashset owns the compact in-memory sets of row hashes that grow
// with a stream: dedup keeps one entry per distinct key for the whole run,
// so at 5.5 million rows a Go map (40 bytes or more per entry, and twice
// that while it grows) would dominate the runner's memory. Set keeps about
// 11 bytes per entry instead when given a size hint, 15 at most without
// one; Map32, with its 4-byte value, about 16.
//
// # Layout
//
// A table is 256 partitions chosen by the top byte of Hash.Hi. Each
// partition is an open-addressing array of 64-bit slots holding Hash.Lo,
// probed linearly from a position derived from the key's high bits, kept
// at most 80% full, and grown on its own by half again when it fills up,
// so growth never holds two copies of the whole table: only of one
// partition, 1/256 of it. Zero marks an empty slot, so a Lo of zero is
// stored as one.
//
// # False matches
//
// A table keeps 72 bits of each 128-bit hash: the partition byte and the
// 64-bit slot. Two different rows whose hashes agree on those 72 bits look
// like one key, and dedup would drop the second row. For n distinct keys
// the chance that any two agree is about n²/2^73 (the birthday bound over
// 2^72 values; Lo values 0 and 1 sharing a slot adds a 2^-64 share of
// that): 3.3e-9 at 5.55 million rows, below one in a hundred million, and
// 3.3e-7 at 55.5 million. Storing fewer bits would make the tables
// smaller but put that bound within reach of real files.
package hashset

import (
	"iter"
	"math/bits"
	"unsafe"

	"runner/stages/rowhash"
)

const (
	partitionBits = 8
	partitions    = 1 << partitionBits

	// A partition grows once it is 80% full: filling it up to there, an
	// insert takes about three probes on average, mostly within one cache
	// line.
	maxLoadNum, maxLoadDen = 4, 5
	// Growing by half again rather than doubling keeps the average load
	// near 66% without a size hint, and moving each entry about twice
	// over the table's life costs little next to the memory it saves.
	growNum, growDen = 3, 2
	// A size hint fills each partition to 75% of its slots, leaving room
	// for partitions that receive more than their share of the keys.
	hintLoadNum, hintLoadDen = 3, 4
	// An empty table without a hint takes 128 KiB, and skips the many
	// small resizes a table growing from nothing would make.
	minSlots = 64

	// group is how many hashes the batch methods read ahead: enough
	// cache misses in flight to hide most of the memory latency of a table
	// far larger than the caches, few enough to stay within what the CPU
	// can track.
	group = 32
)

// part is one partition: keys[i] is a stored Lo (0: empty) and vals[i]
// its value. V is struct{} for Set, which costs no memory.
type part[V any] struct {
	keys  []uint64
	vals  []V
	n     int
	limit int // the partition grows when n reaches limit
}

// table is the probing logic Set and Map32 share.
type table[V any] struct {
	parts [partitions]part[V]
	n     int
	// warmed keeps the slots warm read, so the compiler cannot drop
	// those reads as unused.
	warmed uint64
}

// fingerprint splits h into its partition and the key stored in a slot.
func fingerprint(h rowhash.Hash) (uint8, uint64) {
	key := h.Lo
	if key == 0 {
		key = 1
	}
	return uint8(h.Hi >> (64 - partitionBits)), key
}

func (t *table[V]) presize(sizeHint int) {
	if sizeHint <= 0 {
		return
	}
	perPart := (sizeHint + partitions - 1) / partitions
	slots := max(minSlots, (perPart*hintLoadDen+hintLoadNum-1)/hintLoadNum)
	for i := range t.parts {
		t.parts[i].resize(slots)
	}
}

// find returns the slot that holds key, or the empty slot where it
// belongs. The partition must have slots.
func (p *part[V]) find(key uint64) (int, bool) {
	keys := p.keys
	// The key's high bits scaled to the slot count pick the first slot:
	// no power-of-two sizes needed, so growth can be by any factor.
	i, _ := bits.Mul64(key, uint64(len(keys)))
	for {
		switch keys[i] {
		case key:
			return int(i), true
		case 0:
			return int(i), false
		}
		i++
		if i == uint64(len(keys)) {
			i = 0
		}
	}
}

// resize moves the partition's entries into slots new slots.
func (p *part[V]) resize(slots int) {
	old := *p
	p.keys = make([]uint64, slots)
	p.vals = make([]V, slots)
	p.limit = slots * maxLoadNum / maxLoadDen
	for i, key := range old.keys {
		if key == 0 {
			continue
		}
		j, _ := p.find(key)
		p.keys[j] = key
		p.vals[j] = old.vals[i]
	}
}

// lookup returns h's partition and slot, and whether h is there.
func (t *table[V]) lookup(h rowhash.Hash) (*part[V], int, bool) {
	pi, key := fingerprint(h)
	p := &t.parts[pi]
	if p.n == 0 {
		return p, 0, false
	}
	i, ok := p.find(key)
	return p, i, ok
}

// insert returns the slot of h, adding h when it is not there yet, and
// whether it was there.
func (t *table[V]) insert(h rowhash.Hash) (*part[V], int, bool) {
	pi, key := fingerprint(h)
	p := &t.parts[pi]
	if p.n >= p.limit {
		p.resize(max(minSlots, len(p.keys)*growNum/growDen))
	}
	i, ok := p.find(key)
	if !ok {
		p.keys[i] = key
		p.n++
		t.n++
	}
	return p, i, ok
}

// warm reads the first slot of each of hs's hashes (at most group of
// them). Go has no prefetch instruction, and a loop of inserts or lookups
// waits on each cache miss in turn, since each probe branches on the slot
// it reads. Here the slots' addresses are computed first and then read in
// a loop of a few instructions per slot with no branch on what it reads,
// so the CPU keeps many misses in flight at once, and the probes that
// follow find their slots in the cache.
func (t *table[V]) warm(hs []rowhash.Hash) {
	var slots [group]*uint64
	for j, h := range hs {
		pi, key := fingerprint(h)
		p := &t.parts[pi]
		slots[j] = &t.warmed
		if len(p.keys) > 0 {
			i, _ := bits.Mul64(key, uint64(len(p.keys)))
			slots[j] = &p.keys[i]
		}
	}
	var x uint64
	for _, s := range slots[:len(hs)] {
		x ^= *s
	}
	t.warmed = x
}

// groups yields hs in groups of up to group hashes, each with the index of
// its first hash, warming every group before yielding it.
func (t *table[V]) groups(hs []rowhash.Hash) iter.Seq2[int, []rowhash.Hash] {
	return func(yield func(int, []rowhash.Hash) bool) {
		for start := 0; start < len(hs); start += group {
			g := hs[start:min(start+group, len(hs))]
			t.warm(g)
			if !yield(start, g) {
				return
			}
		}
	}
}

func (t *table[V]) bytes() int {
	var zero V
	b := int(unsafe.Sizeof(*t))
	for i := range t.parts {
		p := &t.parts[i]
		b += cap(p.keys)*8 + cap(p.vals)*int(unsafe.Sizeof(zero))
	}
	return b
}

// Set is a set of row hashes. The zero value is not usable; call NewSet.
// A Set is not safe for concurrent use.
type Set struct {
	t table[struct{}]
}

// NewSet returns an empty set with room for about sizeHint hashes before
// any partition grows. A hint of zero or less starts small.
func NewSet(sizeHint int) *Set {
	s := &Set{}
	s.t.presize(sizeHint)
	return s
}

// Insert adds h and reports whether it was not there yet.
func (s *Set) Insert(h rowhash.Hash) bool {
	_, _, ok := s.t.insert(h)
	return !ok
}

// InsertAll inserts every hash of hs in order and sets isNew[i] to whether
// hs[i] was not there yet (so of two equal hashes in hs only the first is
// new). It returns how many were new. isNew must be at least as long as hs.
// On a table larger than the CPU caches it is faster than calling Insert
// for each hash: it overlaps the memory accesses of consecutive hashes.
func (s *Set) InsertAll(hs []rowhash.Hash, isNew []bool) int {
	isNew = isNew[:len(hs)]
	added := 0
	for start, g := range s.t.groups(hs) {
		for j, h := range g {
			_, _, ok := s.t.insert(h)
			isNew[start+j] = !ok
			if !ok {
				added++
			}
		}
	}
	return added
}

// Contains reports whether h is in the set.
func (s *Set) Contains(h rowhash.Hash) bool {
	_, _, ok := s.t.lookup(h)
	return ok
}

// Len returns the number of hashes in the set.
func (s *Set) Len() int { return s.t.n }

// Bytes returns the memory the set holds.
func (s *Set) Bytes() int { return s.t.bytes() }

// Map32 maps row hashes to uint32 values: dedup with keep = "last" keeps
// the ordinal of each key's last row. The zero value is not usable; call
// NewMap32. A Map32 is not safe for concurrent use.
type Map32 struct {
	t table[uint32]
}

// NewMap32 returns an empty map with room for about sizeHint hashes before
// any partition grows. A hint of zero or less starts small.
func NewMap32(sizeHint int) *Map32 {
	m := &Map32{}
	m.t.presize(sizeHint)
	return m
}

// Put sets h's value to v and returns the value it replaced, if any.
func (m *Map32) Put(h rowhash.Hash, v uint32) (old uint32, existed bool) {
	p, i, ok := m.t.insert(h)
	if ok {
		old = p.vals[i]
	}
	p.vals[i] = v
	return old, ok
}

// Get returns h's value and whether h is in the map.
func (m *Map32) Get(h rowhash.Hash) (uint32, bool) {
	p, i, ok := m.t.lookup(h)
	if !ok {
		return 0, false
	}
	return p.vals[i], true
}

// KeepMax sets the value of every hs[i] to vs[i], unless it already holds a
// larger one: after any sequence of calls each hash maps to the largest
// value it was given, whatever the order of the calls. Like
// Set.InsertAll, it overlaps the memory accesses of consecutive hashes.
// vs must be at least as long as hs.
func (m *Map32) KeepMax(hs []rowhash.Hash, vs []uint32) {
	vs = vs[:len(hs)]
	for start, g := range m.t.groups(hs) {
		for j, h := range g {
			p, i, ok := m.t.insert(h)
			if v := vs[start+j]; !ok || v > p.vals[i] {
				p.vals[i] = v
			}
		}
	}
}

// GetAll sets vs[i] and found[i] to what Get(hs[i]) returns, and returns
// how many hashes were found. Like Set.InsertAll, it overlaps the memory
// accesses of consecutive hashes. vs and found must be at least as long as
// hs.
func (m *Map32) GetAll(hs []rowhash.Hash, vs []uint32, found []bool) int {
	vs, found = vs[:len(hs)], found[:len(hs)]
	n := 0
	for start, g := range m.t.groups(hs) {
		for j, h := range g {
			p, i, ok := m.t.lookup(h)
			found[start+j] = ok
			vs[start+j] = 0
			if ok {
				vs[start+j] = p.vals[i]
				n++
			}
		}
	}
	return n
}

// Len returns the number of hashes in the map.
func (m *Map32) Len() int { return m.t.n }

// Bytes returns the memory the map holds.
func (m *Map32) Bytes() int { return m.t.bytes() }
