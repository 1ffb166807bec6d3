package profile

import (
	"math"
	"strconv"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"runner/stages"
	"runner/stages/stagetest"
)

func ptr(f float64) *float64 { return &f }

// profileOf profiles column "v" of the rows, observed one batch per element
// of batches.
func profileOf(t *testing.T, typ arrow.DataType, batches ...string) ColumnStats {
	t.Helper()
	mem := stagetest.Allocator(t)
	fields := []arrow.Field{{Name: "v", Type: typ, Nullable: true}}
	p, err := New(arrow.NewSchema(fields, nil), []string{"v"})
	if err != nil {
		t.Fatal(err)
	}
	for _, rows := range batches {
		batch := stagetest.Batch(t, mem, fields, rows)
		p.Observe(batch)
		batch.Release()
	}
	return p.Result()[0]
}

// values turns a list of JSON values into rows of column "v".
func values(vs ...string) string {
	rows := make([]string, len(vs))
	for i, v := range vs {
		rows[i] = `{"v": ` + v + `}`
	}
	return "[" + strings.Join(rows, ",") + "]"
}

func TestProfileTypes(t *testing.T) {
	tests := []struct {
		name    string
		typ     arrow.DataType
		batches []string
		want    ColumnStats
	}{
		{
			name:    "utf8",
			typ:     arrow.BinaryTypes.String,
			batches: []string{values(`"Male"`, `null`, `"Female"`), values(`"Male"`, `"Zoë"`, `""`, `null`)},
			want: ColumnStats{Type: "utf8", Count: 7, Nulls: 2, Distinct: 4, DistinctExact: true,
				Min: "", Max: "Zoë", MinLength: 0, MaxLength: 6},
		},
		{
			name:    "utf8 lengths count characters",
			typ:     arrow.BinaryTypes.String,
			batches: []string{values(`"Zoë"`, `"Ñúñez"`)},
			want: ColumnStats{Type: "utf8", Count: 2, Distinct: 2, DistinctExact: true,
				Min: "Zoë", Max: "Ñúñez", MinLength: 3, MaxLength: 5},
		},
		{
			name:    "int32",
			typ:     arrow.PrimitiveTypes.Int32,
			batches: []string{values(`30`, `null`, `62`), values(`13`, `30`, `-2147483648`)},
			want: ColumnStats{Type: "int32", Count: 6, Nulls: 1, Distinct: 4, DistinctExact: true,
				Min: "-2147483648", Max: "62", Mean: ptr((30 + 62 + 13 + 30 - 2147483648) / 5.0)},
		},
		{
			name:    "int64 sums beyond 64 bits",
			typ:     arrow.PrimitiveTypes.Int64,
			batches: []string{values(`9223372036854775807`, `9223372036854775807`, `null`, `1`)},
			want: ColumnStats{Type: "int64", Count: 4, Nulls: 1, Distinct: 2, DistinctExact: true,
				Min: "1", Max: "9223372036854775807", Mean: ptr((2*float64(math.MaxInt64) + 1) / 3)},
		},
		{
			name:    "float64",
			typ:     arrow.PrimitiveTypes.Float64,
			batches: []string{values(`18856.28`, `-0.0`, `null`), values(`0.0`, `-100.5`)},
			want: ColumnStats{Type: "float64", Count: 5, Nulls: 1, Distinct: 3, DistinctExact: true,
				Min: "-100.5", Max: "18856.28", Mean: ptr((18856.28 - 100.5) / 4)},
		},
		{
			name:    "decimal128",
			typ:     &arrow.Decimal128Type{Precision: 38, Scale: 2},
			batches: []string{values(`"18856.28"`, `null`, `"-100.50"`), values(`"18856.28"`, `"0.01"`)},
			want: ColumnStats{Type: "decimal(38, 2)", Count: 5, Nulls: 1, Distinct: 3, DistinctExact: true,
				Min: "-100.50", Max: "18856.28", Mean: ptr((2*18856.28 - 100.50 + 0.01) / 4)},
		},
		{
			name:    "bool",
			typ:     arrow.FixedWidthTypes.Boolean,
			batches: []string{values(`true`, `null`, `true`), values(`false`)},
			want: ColumnStats{Type: "bool", Count: 4, Nulls: 1, Distinct: 2, DistinctExact: true,
				Min: "false", Max: "true"},
		},
		{
			name:    "bool only true",
			typ:     arrow.FixedWidthTypes.Boolean,
			batches: []string{values(`true`, `true`)},
			want:    ColumnStats{Type: "bool", Count: 2, Distinct: 1, DistinctExact: true, Min: "true", Max: "true"},
		},
		{
			name:    "date32",
			typ:     arrow.FixedWidthTypes.Date32,
			batches: []string{values(`19753`, `null`, `17659`), values(`19753`, `-1`)},
			want: ColumnStats{Type: "date32", Count: 5, Nulls: 1, Distinct: 3, DistinctExact: true,
				Min: "1969-12-31", Max: "2024-01-31"},
		},
		{
			name:    "timestamp",
			typ:     stages.TimestampType,
			batches: []string{values(`"2024-01-31T12:34:56.789Z"`, `null`, `"2019-08-20T00:00:00Z"`)},
			want: ColumnStats{Type: "timestamp[ms, tz=UTC]", Count: 3, Nulls: 1, Distinct: 2, DistinctExact: true,
				Min: "2019-08-20T00:00:00Z", Max: "2024-01-31T12:34:56.789Z"},
		},
		{
			name:    "all null",
			typ:     arrow.PrimitiveTypes.Float64,
			batches: []string{values(`null`, `null`)},
			want:    ColumnStats{Type: "float64", Count: 2, Nulls: 2, DistinctExact: true},
		},
		{
			name:    "no rows",
			typ:     arrow.BinaryTypes.String,
			batches: []string{values()},
			want:    ColumnStats{Type: "utf8", DistinctExact: true},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tc.want.Name = "v"
			got := profileOf(t, tc.typ, tc.batches...)
			if diff := cmp.Diff(tc.want, got, cmpopts.EquateApprox(1e-12, 0)); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

// TestProfileNaN checks that NaN counts as one distinct value, stays out of
// min and max, and shows in the mean.
func TestProfileNaN(t *testing.T) {
	mem := stagetest.Allocator(t)
	fields := []arrow.Field{{Name: "v", Type: arrow.PrimitiveTypes.Float64, Nullable: true}}
	b := array.NewFloat64Builder(mem)
	defer b.Release()
	b.AppendValues([]float64{1, math.NaN(), 2, math.NaN()}, nil)
	arr := b.NewArray()
	defer arr.Release()
	schema := arrow.NewSchema(fields, nil)
	batch := array.NewRecordBatch(schema, []arrow.Array{arr}, 4)
	defer batch.Release()
	p, err := New(schema, []string{"v"})
	if err != nil {
		t.Fatal(err)
	}
	p.Observe(batch)
	got := p.Result()[0]
	if got.Distinct != 3 || got.Min != "1" || got.Max != "2" || got.Mean == nil || !math.IsNaN(*got.Mean) {
		t.Errorf("got distinct %d, min %q, max %q, mean %v; want 3, 1, 2, NaN", got.Distinct, got.Min, got.Max, got.Mean)
	}
}

// TestProfileSlicedBatch checks that a batch sliced out of a larger one
// (offset validity bitmap and values) is read from its own first row.
func TestProfileSlicedBatch(t *testing.T) {
	mem := stagetest.Allocator(t)
	fields := []arrow.Field{{Name: "s", Type: arrow.BinaryTypes.String, Nullable: true}, {Name: "n", Type: arrow.PrimitiveTypes.Int32, Nullable: true}}
	batch := stagetest.Batch(t, mem, fields, `[{"s": "zz", "n": 100}, {"s": null, "n": null}, {"s": "b", "n": 2}, {"s": "a", "n": null}, {"s": "yy", "n": 99}]`)
	defer batch.Release()
	slice := batch.NewSlice(1, 4)
	defer slice.Release()
	p, err := New(batch.Schema(), []string{"s", "n"})
	if err != nil {
		t.Fatal(err)
	}
	p.Observe(slice)
	want := []ColumnStats{
		{Name: "s", Type: "utf8", Count: 3, Nulls: 1, Distinct: 2, DistinctExact: true, Min: "a", Max: "b", MinLength: 1, MaxLength: 1},
		{Name: "n", Type: "int32", Count: 3, Nulls: 2, Distinct: 1, DistinctExact: true, Min: "2", Max: "2", Mean: ptr(2)},
	}
	if diff := cmp.Diff(want, p.Result()); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func TestNewErrors(t *testing.T) {
	schema := arrow.NewSchema([]arrow.Field{
		{Name: "a", Type: arrow.BinaryTypes.String},
		{Name: "blob", Type: arrow.BinaryTypes.Binary},
	}, nil)
	tests := []struct {
		name    string
		columns []string
		want    string
	}{
		{name: "unknown column", columns: []string{"a", "b"}, want: `profile: the schema has 0 columns named "b", want 1`},
		{name: "unsupported type", columns: []string{"blob"}, want: `profile: column "blob": no statistics for arrow type binary`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := New(schema, tc.columns); err == nil || err.Error() != tc.want {
				t.Fatalf("New error = %v, want %q", err, tc.want)
			}
		})
	}
}

// sequenceBatch returns a batch of columns "n" (int64) and "s" (utf8)
// holding the values from through to-1, so distinct values can be counted
// in advance.
func sequenceBatch(mem memory.Allocator, schema *arrow.Schema, from, to int) arrow.RecordBatch {
	b := array.NewRecordBuilder(mem, schema)
	defer b.Release()
	ints := b.Field(0).(*array.Int64Builder)
	strs := b.Field(1).(*array.StringBuilder)
	var buf []byte
	for v := from; v < to; v++ {
		ints.Append(int64(v))
		buf = strconv.AppendInt(append(buf[:0], "patient-"...), int64(v), 10)
		strs.BinaryBuilder.Append(buf)
	}
	return b.NewRecordBatch()
}

func sequenceSchema() *arrow.Schema {
	return arrow.NewSchema([]arrow.Field{
		{Name: "n", Type: arrow.PrimitiveTypes.Int64, Nullable: true},
		{Name: "s", Type: arrow.BinaryTypes.String, Nullable: true},
	}, nil)
}

// observeRange observes the values from through to-1 in batches of 65536.
func observeRange(t *testing.T, mem memory.Allocator, p *Profiler, from, to int) {
	t.Helper()
	for start := from; start < to; start += 65_536 {
		batch := sequenceBatch(mem, p.schema, start, min(start+65_536, to))
		p.Observe(batch)
		batch.Release()
	}
}

// TestDistinctSwitchesToSketch checks that counting is exact up to
// DistinctLimit values, estimated past it, and that the estimate of one
// million distinct values is within 1.5% (the sketch's standard error is
// 0.41%, so this is over three of them).
func TestDistinctSwitchesToSketch(t *testing.T) {
	tests := []struct {
		name      string
		values    int
		exact     bool
		tolerance float64
	}{
		{name: "at the limit", values: DistinctLimit, exact: true},
		{name: "one past the limit", values: DistinctLimit + 1, tolerance: 0.015},
		{name: "one million", values: 1_000_000, tolerance: 0.015},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			mem := stagetest.Allocator(t)
			p, err := New(sequenceSchema(), []string{"n", "s"})
			if err != nil {
				t.Fatal(err)
			}
			observeRange(t, mem, p, 0, tc.values)
			observeRange(t, mem, p, 0, 1000) // repeats change nothing
			for _, cs := range p.Result() {
				if cs.DistinctExact != tc.exact {
					t.Errorf("%s: DistinctExact = %v, want %v", cs.Name, cs.DistinctExact, tc.exact)
				}
				if tc.exact && cs.Distinct != int64(tc.values) {
					t.Errorf("%s: Distinct = %d, want exactly %d", cs.Name, cs.Distinct, tc.values)
				}
				rel := math.Abs(float64(cs.Distinct)-float64(tc.values)) / float64(tc.values)
				t.Logf("%s: %d distinct counted for %d values (%.3f%% off)", cs.Name, cs.Distinct, tc.values, 100*rel)
				if rel > tc.tolerance {
					t.Errorf("%s: Distinct = %d for %d values, off by %.2f%%, want within %.1f%%",
						cs.Name, cs.Distinct, tc.values, 100*rel, 100*tc.tolerance)
				}
				if cs.Count != int64(tc.values+1000) {
					t.Errorf("%s: Count = %d, want %d", cs.Name, cs.Count, tc.values+1000)
				}
			}
		})
	}
}

// TestMergeEqualsOneProfiler splits ranges of values between profilers, in
// every combination of exact and estimated counts, and checks that merging
// them gives what one profiler observing everything gives.
func TestMergeEqualsOneProfiler(t *testing.T) {
	type span struct{ from, to int }
	tests := []struct {
		name  string
		parts [][]span // the spans each worker observes
	}{
		{name: "exact and exact", parts: [][]span{{{0, 1000}}, {{500, 3000}}}},
		{name: "exact and exact past the limit together", parts: [][]span{{{0, 40_000}}, {{30_000, 80_000}}}},
		{name: "estimate and exact", parts: [][]span{{{0, 100_000}}, {{90_000, 95_000}, {200_000, 201_000}}}},
		{name: "exact and estimate", parts: [][]span{{{0, 5_000}}, {{1_000, 150_000}}}},
		{name: "estimate and estimate", parts: [][]span{{{0, 120_000}}, {{100_000, 250_000}}}},
		{name: "three workers, one empty", parts: [][]span{{{0, 70_000}}, {}, {{60_000, 70_001}}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			mem := stagetest.Allocator(t)
			newProfiler := func() *Profiler {
				p, err := New(sequenceSchema(), []string{"s", "n"})
				if err != nil {
					t.Fatal(err)
				}
				return p
			}
			all := newProfiler()
			merged := newProfiler()
			for _, part := range tc.parts {
				worker := newProfiler()
				for _, sp := range part {
					observeRange(t, mem, worker, sp.from, sp.to)
					observeRange(t, mem, all, sp.from, sp.to)
				}
				merged.Merge(worker)
			}
			if diff := cmp.Diff(all.Result(), merged.Result()); diff != "" {
				t.Errorf("merged (-one profiler +merged):\n%s", diff)
			}
		})
	}
}

// TestMergeFloatMean checks that merging float columns matches one profiler
// up to rounding of the sum.
func TestMergeFloatMean(t *testing.T) {
	mem := stagetest.Allocator(t)
	fields := []arrow.Field{{Name: "v", Type: arrow.PrimitiveTypes.Float64, Nullable: true}}
	schema := arrow.NewSchema(fields, nil)
	rows := []string{values(`0.1`, `0.2`, `null`), values(`0.3`, `-7.25`), values(`null`)}
	all, _ := New(schema, []string{"v"})
	merged, _ := New(schema, []string{"v"})
	for _, r := range rows {
		batch := stagetest.Batch(t, mem, fields, r)
		worker, _ := New(schema, []string{"v"})
		worker.Observe(batch)
		all.Observe(batch)
		merged.Merge(worker)
		batch.Release()
	}
	if diff := cmp.Diff(all.Result(), merged.Result(), cmpopts.EquateApprox(1e-12, 0)); diff != "" {
		t.Errorf("(-one profiler +merged):\n%s", diff)
	}
}
