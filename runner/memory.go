package runner

import (
	"os"
	"runtime/debug"
)

// memoryAllowance is the heap a run needs besides its key sets: the
// batches in flight between stages, the profiles, the runtime's own.
const memoryAllowance = 112 << 20

// memoryLimit keeps the heap near what a run needs. Go's collector lets the
// heap grow to twice what is live before collecting, and the key sets of
// dedup and of the unique and similar_except checks are live to the end: at
// millions of rows that doubling alone would add more than the sets
// themselves. So, unless GOMEMLIMIT says otherwise, the run sets a soft
// limit of the allowance plus the sets' size and raises it as they grow:
// memory then stays what the rows need, and the sets can grow as far as
// the data makes them (the limit never stops a run, it only makes the
// collector work sooner).
type memoryLimit struct {
	enabled bool
	// previous is the limit to restore when the run ends.
	previous int64
	current  int64
}

// limitStep is how much the key sets must grow before the limit follows.
const limitStep = 4 << 20

func newMemoryLimit() *memoryLimit {
	if _, set := os.LookupEnv("GOMEMLIMIT"); set {
		return &memoryLimit{}
	}
	m := &memoryLimit{enabled: true, current: memoryAllowance}
	m.previous = debug.SetMemoryLimit(m.current)
	return m
}

// track raises the limit to the allowance plus stateBytes, the key sets'
// size now.
func (m *memoryLimit) track(stateBytes int64) {
	if !m.enabled || memoryAllowance+stateBytes < m.current+limitStep {
		return
	}
	m.current = memoryAllowance + stateBytes
	debug.SetMemoryLimit(m.current)
}

// restore puts back the limit the process had before the run.
func (m *memoryLimit) restore() {
	if m.enabled {
		debug.SetMemoryLimit(m.previous)
	}
}
