package columns

import (
	"sort"

	"runner/stages"
)

// MaxExamples is how many changed values per column the stats keep for the
// cleaning report: the ones from the earliest lines.
const MaxExamples = 5

// Stats counts what the stage did to each column. Stats of batches handled
// by different goroutines merge into the same result whatever the order.
type Stats struct {
	// Columns follow the plan's declaration order.
	Columns []ColumnStats
}

// ColumnStats counts what happened in one column.
type ColumnStats struct {
	// Nulls counts source cells that were null (empty or a null value).
	Nulls int64
	// Changed counts values the clean list or expression changed in the
	// rows the stage kept: the final value's text differs from the source
	// text.
	Changed         int64
	CastFailures    int64
	DefaultsApplied int64
	RequiredMissing int64
	// Examples are up to MaxExamples changed values, earliest line first.
	Examples []Example
}

// Example is one changed value.
type Example struct {
	Origin stages.Origin
	Before string
	After  string
}

func newStats(columns int) Stats { return Stats{Columns: make([]ColumnStats, columns)} }

// Merge adds o to s.
func (s *Stats) Merge(o Stats) {
	if s.Columns == nil {
		s.Columns = make([]ColumnStats, len(o.Columns))
	}
	for i := range o.Columns {
		a, b := &s.Columns[i], &o.Columns[i]
		a.Nulls += b.Nulls
		a.Changed += b.Changed
		a.CastFailures += b.CastFailures
		a.DefaultsApplied += b.DefaultsApplied
		a.RequiredMissing += b.RequiredMissing
		a.Examples = append(a.Examples, b.Examples...)
		sort.Slice(a.Examples, func(x, y int) bool { return a.Examples[x].Origin < a.Examples[y].Origin })
		if len(a.Examples) > MaxExamples {
			a.Examples = a.Examples[:MaxExamples]
		}
	}
}
