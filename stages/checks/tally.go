package checks

import (
	"fmt"
	"strings"

	"runner/stages/hashset"
	"runner/stages/plan"
	"runner/stages/report"
)

// Result is a check's outcome over every kept row.
type Result struct {
	Check       *plan.Check
	RowsChecked int64
	Failures    int64
	// Failed says the failures exceed what the check tolerates.
	Failed  bool
	Samples []report.Sample
	Detail  string
}

// Tally accumulates Partials in stream order. It is not safe for
// concurrent use: one goroutine feeds it, in order.
type Tally struct {
	suite  *Suite
	rows   int64
	checks []tallyCheck
}

type tallyCheck struct {
	failures int64
	samples  []report.Sample
	seen     *hashset.Set
}

// NewTally starts counting. sizeHint is the expected number of kept rows,
// to size the key sets of unique and similar_except.
func (s *Suite) NewTally(sizeHint int) *Tally {
	t := &Tally{suite: s, checks: make([]tallyCheck, len(s.checks))}
	for i, c := range s.checks {
		if c.keys != nil {
			t.checks[i].seen = hashset.NewSet(sizeHint)
		}
	}
	return t
}

// Add counts the rows of p that dedup kept (keep[i]; nil keeps every row).
func (t *Tally) Add(p *Partial, keep []bool) {
	for i := 0; i < p.rows; i++ {
		if keep == nil || keep[i] {
			t.rows++
		}
	}
	for ci, c := range t.suite.checks {
		tc, pc := &t.checks[ci], &p.checks[ci]
		for i := 0; i < p.rows; i++ {
			if keep != nil && !keep[i] {
				continue
			}
			failed := false
			switch {
			case pc.failing != nil:
				failed = pc.failing[i]
			case tc.seen != nil:
				failed = !tc.seen.Insert(pc.keys[i])
			}
			if !failed {
				continue
			}
			tc.failures++
			if len(tc.samples) < MaxSamples {
				tc.samples = append(tc.samples, sample(c, p, pc, i))
			}
		}
	}
}

func sample(c *check, p *Partial, pc *partialCheck, row int) report.Sample {
	s := report.Sample{Line: p.origins[row].Line(), Values: pc.samples[row]}
	switch c.spec.Kind {
	case plan.CheckUnique:
		s.Note = "repeats the " + strings.Join(c.keys, ", ") + " of an earlier row"
	case plan.CheckSimilarExcept:
		s.Note = "equal to an earlier row in every column but " + strings.Join(c.spec.Columns, ", ")
	}
	return s
}

// Bytes returns the memory the key sets hold.
func (t *Tally) Bytes() int {
	n := 0
	for _, tc := range t.checks {
		if tc.seen != nil {
			n += tc.seen.Bytes()
		}
	}
	return n
}

// Results returns every pre-load check's outcome, in declaration order.
func (t *Tally) Results() []Result {
	out := make([]Result, 0, len(t.checks))
	for ci, c := range t.suite.checks {
		tc := t.checks[ci]
		r := Result{Check: c.spec, RowsChecked: t.rows, Failures: tc.failures, Samples: tc.samples}
		if c.spec.Kind == plan.CheckRowCount {
			r.Detail, r.Failed = rowCount(c.spec, t.rows)
			if r.Failed {
				r.Failures = 1
			}
		} else {
			r.Failed = c.spec.MaxFailures.Exceeded(tc.failures, t.rows)
		}
		out = append(out, r)
	}
	return out
}

func rowCount(spec *plan.Check, rows int64) (string, bool) {
	switch {
	case spec.MinRows != nil && rows < *spec.MinRows:
		return fmt.Sprintf("%d rows to load; at least %d required", rows, *spec.MinRows), true
	case spec.MaxRows != nil && rows > *spec.MaxRows:
		return fmt.Sprintf("%d rows to load; at most %d allowed", rows, *spec.MaxRows), true
	}
	return fmt.Sprintf("%d rows to load", rows), false
}
