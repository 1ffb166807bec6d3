package profile

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"runner/stages/stagetest"
)

// healthcareSchema types the dataset's fields as pipelines/healthcare.hcl
// does, each column named by its CSV header.
func healthcareSchema() *arrow.Schema {
	str, i32, f64, date := arrow.BinaryTypes.String, arrow.PrimitiveTypes.Int32, arrow.PrimitiveTypes.Float64, arrow.FixedWidthTypes.Date32
	types := []struct {
		header string
		typ    arrow.DataType
	}{
		{"Name", str}, {"Age", i32}, {"Gender", str}, {"Blood Type", str}, {"Medical Condition", str},
		{"Date of Admission", date}, {"Doctor", str}, {"Hospital", str}, {"Insurance Provider", str},
		{"Billing Amount", f64}, {"Room Number", i32}, {"Admission Type", str}, {"Discharge Date", date},
		{"Medication", str}, {"Test Results", str},
	}
	fields := make([]arrow.Field, len(types))
	for i, c := range types {
		fields[i] = arrow.Field{Name: c.header, Type: c.typ, Nullable: true}
	}
	return arrow.NewSchema(fields, nil)
}

// healthcareBatch casts records, whose fields are in the schema's order,
// into a typed batch.
func healthcareBatch(tb testing.TB, mem memory.Allocator, schema *arrow.Schema, records [][]string) arrow.RecordBatch {
	tb.Helper()
	b := array.NewRecordBuilder(mem, schema)
	defer b.Release()
	for _, rec := range records {
		for i, text := range rec {
			if err := appendText(b.Field(i), text); err != nil {
				tb.Fatalf("%s %q: %v", schema.Field(i).Name, text, err)
			}
		}
	}
	return b.NewRecordBatch()
}

func appendText(b array.Builder, text string) error {
	if text == "" {
		b.AppendNull()
		return nil
	}
	switch fb := b.(type) {
	case *array.StringBuilder:
		fb.Append(text)
	case *array.Int32Builder:
		n, err := strconv.ParseInt(text, 10, 32)
		if err != nil {
			return err
		}
		fb.Append(int32(n))
	case *array.Float64Builder:
		f, err := strconv.ParseFloat(text, 64)
		if err != nil {
			return err
		}
		fb.Append(f)
	case *array.Date32Builder:
		d, err := time.Parse("2006-01-02", text)
		if err != nil {
			return err
		}
		fb.Append(arrow.Date32FromTime(d))
	default:
		return fmt.Errorf("no cast to %s", b.Type())
	}
	return nil
}

// TestHealthcareDataset profiles the real dataset in 8192-row batches, once
// in one profiler and once split between two merged ones, and spot-checks
// columns against values computed independently from the CSV.
func TestHealthcareDataset(t *testing.T) {
	path := stagetest.RealDataset(t)
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r := csv.NewReader(f)
	if _, err := r.Read(); err != nil {
		t.Fatalf("reading the header: %v", err)
	}
	var records [][]string
	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		records = append(records, rec)
	}

	mem := stagetest.Allocator(t)
	schema := healthcareSchema()
	var columns []string
	for _, f := range schema.Fields() {
		columns = append(columns, f.Name)
	}
	newProfiler := func() *Profiler {
		p, err := New(schema, columns)
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	one, workers := newProfiler(), [2]*Profiler{newProfiler(), newProfiler()}
	for i, start := 0, 0; start < len(records); i, start = i+1, start+8192 {
		batch := healthcareBatch(t, mem, schema, records[start:min(start+8192, len(records))])
		one.Observe(batch)
		workers[i%2].Observe(batch)
		batch.Release()
	}
	workers[0].Merge(workers[1])
	got := one.Result()
	if diff := cmp.Diff(got, workers[0].Result(), cmpopts.EquateApprox(1e-12, 0)); diff != "" {
		t.Errorf("two merged workers differ from one profiler (-one +merged):\n%s", diff)
	}

	byName := make(map[string]ColumnStats)
	for _, cs := range got {
		byName[cs.Name] = cs
	}
	mean := func(f float64) *float64 { return &f }
	// Expected values computed from the CSV with another tool.
	tests := []struct {
		column string
		want   ColumnStats
	}{
		{column: "Gender", want: ColumnStats{Type: "utf8", Distinct: 2, Min: "Female", Max: "Male", MinLength: 4, MaxLength: 6}},
		{column: "Age", want: ColumnStats{Type: "int32", Distinct: 77, Min: "13", Max: "89", Mean: mean(51.53945945945946)}},
		{column: "Blood Type", want: ColumnStats{Type: "utf8", Distinct: 8, Min: "A+", Max: "O-", MinLength: 2, MaxLength: 3}},
		{column: "Name", want: ColumnStats{Type: "utf8", Distinct: 49992, Min: "AARON DuncAn", Max: "zachary WALl", MinLength: 6, MaxLength: 28}},
		{column: "Date of Admission", want: ColumnStats{Type: "date32", Distinct: 1827, Min: "2019-05-08", Max: "2024-05-07"}},
		{column: "Billing Amount", want: ColumnStats{Type: "float64", Distinct: 50000, Min: "-2008.4921398591305", Max: "52764.276736469175", Mean: mean(25539.31609721199)}},
		{column: "Room Number", want: ColumnStats{Type: "int32", Distinct: 400, Min: "101", Max: "500", Mean: mean(301.1348288288288)}},
	}
	for _, tc := range tests {
		t.Run(tc.column, func(t *testing.T) {
			tc.want.Name, tc.want.Count, tc.want.DistinctExact = tc.column, int64(len(records)), true
			if diff := cmp.Diff(tc.want, byName[tc.column], cmpopts.EquateApprox(1e-9, 0)); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

// syntheticHealthcare makes n records shaped like the real dataset's: the
// same fields, similar lengths, and similar numbers of distinct values (names
// and amounts nearly all distinct, categories few).
func syntheticHealthcare(n int) [][]string {
	rng := rand.New(rand.NewPCG(3, 5))
	pick := func(s ...string) string { return s[rng.IntN(len(s))] }
	name := func() string { return "Patient " + strconv.Itoa(rng.IntN(1_000_000)) }
	day := func() string {
		return time.Date(2019, 5, 8+rng.IntN(1827), 0, 0, 0, 0, time.UTC).Format("2006-01-02")
	}
	records := make([][]string, n)
	for i := range records {
		records[i] = []string{
			name(), strconv.Itoa(13 + rng.IntN(77)), pick("Male", "Female"),
			pick("A+", "A-", "B+", "B-", "AB+", "AB-", "O+", "O-"),
			pick("Arthritis", "Asthma", "Cancer", "Diabetes", "Hypertension", "Obesity"),
			day(), "Doctor " + strconv.Itoa(rng.IntN(40_000)), "Hospital " + strconv.Itoa(rng.IntN(40_000)),
			pick("Aetna", "Blue Cross", "Cigna", "Medicare", "UnitedHealthcare"),
			strconv.FormatFloat(rng.Float64()*52000-2000, 'f', -1, 64), strconv.Itoa(101 + rng.IntN(400)),
			pick("Elective", "Emergency", "Urgent"), day(),
			pick("Aspirin", "Ibuprofen", "Lipitor", "Paracetamol", "Penicillin"),
			pick("Abnormal", "Inconclusive", "Normal"),
		}
	}
	return records
}

// BenchmarkProfileHealthcare profiles a healthcare-sized run (seven
// 8192-row batches, 15 columns) from a fresh profiler each time, so the cost
// of new distinct values and of growing the sets is counted, as in a run.
func BenchmarkProfileHealthcare(b *testing.B) {
	const batches, rows = 7, 8192
	mem := memory.NewGoAllocator()
	schema := healthcareSchema()
	records := syntheticHealthcare(batches * rows)
	var data []arrow.RecordBatch
	for i := range batches {
		batch := healthcareBatch(b, mem, schema, records[i*rows:(i+1)*rows])
		defer batch.Release()
		data = append(data, batch)
	}
	var columns []string
	for _, f := range schema.Fields() {
		columns = append(columns, f.Name)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		p, err := New(schema, columns)
		if err != nil {
			b.Fatal(err)
		}
		for _, batch := range data {
			p.Observe(batch)
		}
		p.Result()
	}
	cells := float64(b.N) * batches * rows * float64(len(columns))
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/cells, "ns/cell")
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/(float64(b.N)*batches*rows), "ns/row")
}
