// Package profile owns the per-column quality statistics of a run, the
// rows of quality.csv: for every profiled column its count, nulls, distinct
// values, min, max, mean (numbers) and lengths (strings), gathered over the
// kept rows batch by batch.
//
// Memory stays bounded whatever the row count: distinct values are counted
// exactly, by 64-bit hash, up to DistinctLimit per column, and estimated
// with a HyperLogLog sketch past it (ColumnStats.DistinctExact says which).
// Parallel workers each fill a Profiler and Merge them; the result is the
// same as one profiler observing every batch (up to float rounding in
// float64 means).
package profile

import (
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"
)

// ColumnStats are the statistics of one column, as quality.csv reports them.
type ColumnStats struct {
	Name string
	// Type is the column's Arrow type, as Arrow writes it ("utf8", "int32",
	// "date32", "timestamp[ms, tz=UTC]", "decimal(38, 2)").
	Type string
	// Count is the number of rows observed; Nulls how many were null.
	Count, Nulls int64
	// Distinct is the number of distinct non-null values: exact while
	// DistinctExact, an estimate within about 1% otherwise.
	Distinct      int64
	DistinctExact bool
	// Min and Max are the extreme non-null values in text form: strings
	// compared bytewise, numbers in Go's shortest form, dates as
	// 2006-01-02, timestamps in RFC 3339 (UTC), booleans as false < true.
	// Both are empty when every value is null.
	Min, Max string
	// Mean is the mean of the non-null values of a numeric column (int32,
	// int64, float64, decimal128); nil for other types or when every value
	// is null.
	Mean *float64
	// MinLength and MaxLength are the shortest and longest string values,
	// in characters; zero for other types.
	MinLength, MaxLength int
}

// Profiler gathers the statistics of a fixed list of columns. It is not
// safe for concurrent use: each worker fills its own, and Merge combines
// them.
type Profiler struct {
	schema  *arrow.Schema
	columns []*column
}

type column struct {
	name         string
	index        int
	dt           arrow.DataType
	count, nulls int64
	distinct     distinct
	stats        typeStats
}

// New returns a profiler of the named columns of schema, reported in the
// given order.
func New(schema *arrow.Schema, columns []string) (*Profiler, error) {
	p := &Profiler{schema: schema}
	for _, name := range columns {
		idx := schema.FieldIndices(name)
		if len(idx) != 1 {
			return nil, fmt.Errorf("profile: the schema has %d columns named %q, want 1", len(idx), name)
		}
		dt := schema.Field(idx[0]).Type
		stats, err := statsFor(dt)
		if err != nil {
			return nil, fmt.Errorf("profile: column %q: %w", name, err)
		}
		p.columns = append(p.columns, &column{name: name, index: idx[0], dt: dt, stats: stats})
	}
	return p, nil
}

// Observe takes in every row of batch, which must have the schema the
// profiler was built for (the runner passes the kept rows only). It
// panics otherwise: that is a wiring mistake, not a data problem.
func (p *Profiler) Observe(batch arrow.RecordBatch) {
	if !batch.Schema().Equal(p.schema) {
		panic("profile: Observe got a batch of another schema than the profiler's")
	}
	for _, c := range p.columns {
		arr := batch.Column(c.index)
		c.count += int64(arr.Len())
		var nulls []byte
		if n := arr.NullN(); n > 0 {
			c.nulls += int64(n)
			nulls = arr.NullBitmapBytes()
		}
		c.stats.observe(arr, nulls, arr.Data().Offset(), &c.distinct)
	}
}

// Merge adds to p everything other has observed; other must profile the
// same columns of the same schema (it panics otherwise, a wiring mistake)
// and is left unchanged.
func (p *Profiler) Merge(other *Profiler) {
	if !p.schema.Equal(other.schema) || len(p.columns) != len(other.columns) {
		panic("profile: Merge got a profiler of other columns")
	}
	for i, c := range p.columns {
		o := other.columns[i]
		if c.index != o.index {
			panic(fmt.Sprintf("profile: Merge got column %q where %q was expected", o.name, c.name))
		}
		c.count += o.count
		c.nulls += o.nulls
		c.distinct.merge(&o.distinct)
		c.stats.merge(o.stats)
	}
}

// Result returns the statistics of every profiled column, in the order
// given to New.
func (p *Profiler) Result() []ColumnStats {
	out := make([]ColumnStats, len(p.columns))
	for i, c := range p.columns {
		cs := &out[i]
		cs.Name, cs.Type, cs.Count, cs.Nulls = c.name, c.dt.String(), c.count, c.nulls
		cs.Distinct, cs.DistinctExact = c.distinct.count()
		c.stats.fill(cs)
	}
	return out
}
