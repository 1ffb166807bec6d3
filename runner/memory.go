package runner

import (
	"os"
	"runtime/debug"

	"runner/stages/embedded"
)

// memoryAllowance is the heap a run needs besides its key sets: the
// batches in flight between stages, the profiles, the runtime's own. A run
// that hosts the embedded store uses the store's allowance instead, with
// the store's collector setting (see package embedded).
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
	enabled   bool
	allowance int64
	// previous is the limit and collector percentage to restore when the
	// run ends.
	previous   int64
	previousGC int
	current    int64
	// keySets is the key sets' size at their largest, limit or not.
	keySets int64
}

// limitStep is how much the key sets must grow before the limit follows.
const limitStep = 4 << 20

// newMemoryLimit sets the limit for a run; hostsStore says the run loads
// into the embedded store in this process.
func newMemoryLimit(hostsStore bool) *memoryLimit {
	if _, set := os.LookupEnv("GOMEMLIMIT"); set {
		return &memoryLimit{}
	}
	m := &memoryLimit{enabled: true, allowance: memoryAllowance, previousGC: -1}
	if hostsStore {
		m.allowance = embedded.HostMemoryAllowance
		if _, set := os.LookupEnv("GOGC"); !set {
			m.previousGC = debug.SetGCPercent(embedded.HostGCPercent)
		}
	}
	m.current = m.allowance
	m.previous = debug.SetMemoryLimit(m.current)
	return m
}

// track raises the limit to the allowance plus stateBytes, the key sets'
// size now.
func (m *memoryLimit) track(stateBytes int64) {
	m.keySets = max(m.keySets, stateBytes)
	if !m.enabled || m.allowance+stateBytes < m.current+limitStep {
		return
	}
	m.current = m.allowance + stateBytes
	debug.SetMemoryLimit(m.current)
}

// restore puts back the settings the process had before the run.
func (m *memoryLimit) restore() {
	if !m.enabled {
		return
	}
	debug.SetMemoryLimit(m.previous)
	if m.previousGC >= 0 {
		debug.SetGCPercent(m.previousGC)
	}
}
