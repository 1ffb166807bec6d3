package stages_test

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/decimal128"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"runner/stages"
	"runner/stages/plan"
	"runner/stages/stagetest"
)

// column builds a one-column batch named "v" from JSON values.
func column(t *testing.T, mem memory.Allocator, typ arrow.DataType, values ...string) arrow.RecordBatch {
	t.Helper()
	rows := make([]string, len(values))
	for i, v := range values {
		rows[i] = `{"v":` + v + `}`
	}
	return stagetest.Batch(t, mem, []arrow.Field{{Name: "v", Type: typ, Nullable: true}},
		"["+strings.Join(rows, ",")+"]")
}

func arrowType(t *testing.T, typ plan.Type, scale int) arrow.DataType {
	t.Helper()
	dt, err := stages.ArrowType(typ, scale)
	if err != nil {
		t.Fatal(err)
	}
	return dt
}

func TestFilterEveryType(t *testing.T) {
	// keepMiddle drops the first and last rows and keeps the middle ones,
	// so values move and nulls shift position.
	tests := []struct {
		name   string
		typ    arrow.DataType
		values []string
		keep   []bool
		want   []string
	}{
		{name: "string", typ: arrowType(t, plan.TypeString, 0),
			values: []string{`"a"`, `null`, `""`, `"Sons and Miller"`, `"Zoë"`},
			keep:   []bool{false, true, true, false, true},
			want:   []string{`null`, `""`, `"Zoë"`}},
		{name: "int32", typ: arrowType(t, plan.TypeInt32, 0),
			values: []string{`1`, `-2`, `null`, `2147483647`},
			keep:   []bool{true, false, true, true},
			want:   []string{`1`, `null`, `2147483647`}},
		{name: "int64", typ: arrowType(t, plan.TypeInt64, 0),
			values: []string{`null`, `9007199254740993`, `-1`},
			keep:   []bool{true, true, false},
			want:   []string{`null`, `9007199254740993`}},
		{name: "float64", typ: arrowType(t, plan.TypeFloat64, 0),
			values: []string{`18856.281305978155`, `-23.866729145456247`, `null`, `0`},
			keep:   []bool{false, true, true, true},
			want:   []string{`-23.866729145456247`, `null`, `0`}},
		{name: "decimal128", typ: arrowType(t, plan.TypeDecimal128, 2),
			values: []string{`"12.34"`, `null`, `"-0.01"`},
			keep:   []bool{true, false, true},
			want:   []string{`"12.34"`, `"-0.01"`}},
		{name: "bool", typ: arrowType(t, plan.TypeBool, 0),
			values: []string{`true`, `false`, `null`, `true`, `false`, `true`, `true`, `false`, `true`, `false`},
			keep:   []bool{false, true, true, true, false, true, false, true, true, true},
			want:   []string{`false`, `null`, `true`, `true`, `false`, `true`, `false`}},
		{name: "date", typ: arrowType(t, plan.TypeDate, 0),
			values: []string{`"2019-05-08"`, `"2024-05-07"`, `null`},
			keep:   []bool{false, true, true},
			want:   []string{`"2024-05-07"`, `null`}},
		{name: "timestamp", typ: arrowType(t, plan.TypeTimestamp, 0),
			values: []string{`"2024-01-31T10:00:00Z"`, `null`, `"2024-02-02T00:00:00.123Z"`},
			keep:   []bool{true, false, true},
			want:   []string{`"2024-01-31T10:00:00Z"`, `"2024-02-02T00:00:00.123Z"`}},
		{name: "origin", typ: stages.OriginField.Type,
			values: []string{`2`, `3`, `4`, `5`},
			keep:   []bool{false, false, true, true},
			want:   []string{`4`, `5`}},
		{name: "raw binary", typ: stages.RawField.Type,
			values: []string{`"YSxi"`, `""`, `null`, `"Yw=="`},
			keep:   []bool{true, true, false, true},
			want:   []string{`"YSxi"`, `""`, `"Yw=="`}},
		{name: "none kept", typ: arrowType(t, plan.TypeString, 0),
			values: []string{`"a"`, `null`},
			keep:   []bool{false, false},
			want:   nil},
		{name: "no nulls", typ: arrowType(t, plan.TypeInt32, 0),
			values: []string{`1`, `2`, `3`},
			keep:   []bool{true, false, true},
			want:   []string{`1`, `3`}},
		{name: "all strings empty", typ: arrowType(t, plan.TypeString, 0),
			values: []string{`""`, `""`, `""`},
			keep:   []bool{true, false, true},
			want:   []string{`""`, `""`}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			mem := stagetest.Allocator(t)
			in := column(t, mem, tc.typ, tc.values...)
			defer in.Release()
			want := column(t, mem, tc.typ, tc.want...)
			defer want.Release()
			got, err := stages.Filter(mem, in, tc.keep)
			if err != nil {
				t.Fatal(err)
			}
			defer got.Release()
			if !array.RecordEqual(got, want) {
				t.Fatalf("Filter = %v, want %v", got.Column(0), want.Column(0))
			}
		})
	}
}

// TestFilterSliced filters a batch that is a slice of a larger one, so
// every buffer starts at a non-zero offset.
func TestFilterSliced(t *testing.T) {
	mem := stagetest.Allocator(t)
	fields := []arrow.Field{
		{Name: "s", Type: arrow.BinaryTypes.String, Nullable: true},
		{Name: "b", Type: arrow.FixedWidthTypes.Boolean, Nullable: true},
		{Name: "i", Type: arrow.PrimitiveTypes.Int32, Nullable: true},
		stages.RawField,
	}
	full := stagetest.Batch(t, mem, fields, `[
		{"s":"x","b":true,"i":1,"_raw":"eA=="},
		{"s":"ab","b":null,"i":null,"_raw":"YWI="},
		{"s":null,"b":false,"i":3,"_raw":""},
		{"s":"cde","b":true,"i":4,"_raw":"Y2Rl"},
		{"s":"f","b":true,"i":null,"_raw":"Zg=="},
		{"s":"g","b":false,"i":6,"_raw":"Zw=="}]`)
	defer full.Release()
	sliced := full.NewSlice(1, 5)
	defer sliced.Release()
	want := stagetest.Batch(t, mem, fields, `[
		{"s":"ab","b":null,"i":null,"_raw":"YWI="},
		{"s":"cde","b":true,"i":4,"_raw":"Y2Rl"},
		{"s":"f","b":true,"i":null,"_raw":"Zg=="}]`)
	defer want.Release()
	got, err := stages.Filter(mem, sliced, []bool{true, false, true, true})
	if err != nil {
		t.Fatal(err)
	}
	defer got.Release()
	if !array.RecordEqual(got, want) {
		t.Fatalf("Filter of a slice:\n%v\nwant\n%v", got, want)
	}
}

func TestFilterKeepsEverything(t *testing.T) {
	tests := []struct {
		name   string
		values []string
		keep   []bool
	}{
		{name: "some rows", values: []string{`1`, `null`, `3`}, keep: []bool{true, true, true}},
		{name: "no rows"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			mem := stagetest.Allocator(t)
			in := column(t, mem, arrow.PrimitiveTypes.Int32, tc.values...)
			got, err := stages.Filter(mem, in, tc.keep)
			if err != nil {
				t.Fatal(err)
			}
			if got != in {
				t.Errorf("Filter keeping every row returned a new batch")
			}
			// The caller owns the result: releasing both must be safe and
			// leave nothing allocated.
			got.Release()
			in.Release()
		})
	}
}

func TestFilterErrors(t *testing.T) {
	tests := []struct {
		name    string
		typ     arrow.DataType
		values  []string
		keep    []bool
		wantErr string
	}{
		{name: "too few keep flags", typ: arrow.PrimitiveTypes.Int32, values: []string{`1`, `2`},
			keep: []bool{true}, wantErr: "1 keep flags for a batch of 2 rows"},
		{name: "unsupported type", typ: arrow.PrimitiveTypes.Int16, values: []string{`1`, `2`},
			keep: []bool{true, false}, wantErr: `column "v": unsupported type int16`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			mem := stagetest.Allocator(t)
			in := column(t, mem, tc.typ, tc.values...)
			defer in.Release()
			got, err := stages.Filter(mem, in, tc.keep)
			if err == nil {
				got.Release()
				t.Fatalf("Filter succeeded, want an error containing %q", tc.wantErr)
			}
			if !strings.Contains(err.Error(), tc.wantErr) {
				t.Fatalf("Filter error = %q, want it to contain %q", err, tc.wantErr)
			}
		})
	}
}

// healthcareFields is the schema of a typed healthcare batch with its
// hidden columns: 15 columns plus _origin.
func healthcareFields() []arrow.Field {
	str := arrow.BinaryTypes.String
	i32 := arrow.PrimitiveTypes.Int32
	date := arrow.FixedWidthTypes.Date32
	return []arrow.Field{
		{Name: "name", Type: str, Nullable: true}, {Name: "age", Type: i32, Nullable: true},
		{Name: "gender", Type: str, Nullable: true}, {Name: "blood_type", Type: str, Nullable: true},
		{Name: "medical_condition", Type: str, Nullable: true}, {Name: "admitted_on", Type: date, Nullable: true},
		{Name: "doctor", Type: str, Nullable: true}, {Name: "hospital", Type: str, Nullable: true},
		{Name: "insurance_provider", Type: str, Nullable: true},
		{Name: "billing_amount", Type: arrow.PrimitiveTypes.Float64, Nullable: true},
		{Name: "room_number", Type: i32, Nullable: true}, {Name: "admission_type", Type: str, Nullable: true},
		{Name: "discharged_on", Type: date, Nullable: true}, {Name: "medication", Type: str, Nullable: true},
		{Name: "test_results", Type: str, Nullable: true},
		stages.OriginField,
	}
}

// randomBatch fills every column of fields with random values, a tenth of
// them null (except in the origin column).
func randomBatch(mem memory.Allocator, rng *rand.Rand, fields []arrow.Field, rows int) arrow.RecordBatch {
	b := array.NewRecordBuilder(mem, arrow.NewSchema(fields, nil))
	defer b.Release()
	for c, f := range fields {
		fb := b.Field(c)
		for range rows {
			if f.Nullable && rng.IntN(10) == 0 {
				fb.AppendNull()
				continue
			}
			switch fb := fb.(type) {
			case *array.StringBuilder:
				fb.Append(strings.Repeat("x", rng.IntN(20)))
			case *array.BinaryBuilder:
				fb.Append([]byte(strings.Repeat("y", rng.IntN(30))))
			case *array.Int32Builder:
				fb.Append(rng.Int32())
			case *array.Int64Builder:
				fb.Append(rng.Int64())
			case *array.Float64Builder:
				fb.Append(rng.Float64() * 50_000)
			case *array.Date32Builder:
				fb.Append(arrow.Date32(rng.IntN(20_000)))
			case *array.TimestampBuilder:
				fb.Append(arrow.Timestamp(rng.Int64()))
			case *array.BooleanBuilder:
				fb.Append(rng.IntN(2) == 0)
			case *array.Decimal128Builder:
				fb.Append(decimal128.FromI64(rng.Int64()))
			default:
				panic(fmt.Sprintf("randomBatch: no values for %T", fb))
			}
		}
	}
	return b.NewRecordBatch()
}

// TestFilterAgainstSlices compares Filter with concatenating one-row
// slices of the kept rows, over random batches of every type, random
// slicing and random keep flags.
func TestFilterAgainstSlices(t *testing.T) {
	fields := append(healthcareFields(),
		arrow.Field{Name: "ok", Type: arrow.FixedWidthTypes.Boolean, Nullable: true},
		arrow.Field{Name: "at", Type: stages.TimestampType, Nullable: true},
		arrow.Field{Name: "dec", Type: &arrow.Decimal128Type{Precision: 38, Scale: 4}, Nullable: true},
		arrow.Field{Name: "i64", Type: arrow.PrimitiveTypes.Int64, Nullable: true},
		stages.RawField)
	tests := []struct {
		name     string
		rows     int
		keepRate float64
	}{
		{name: "long runs", rows: 2_000, keepRate: 0.995},
		{name: "mostly kept", rows: 300, keepRate: 0.95},
		{name: "half kept", rows: 301, keepRate: 0.5},
		{name: "rarely kept", rows: 97, keepRate: 0.05},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			mem := stagetest.Allocator(t)
			rng := rand.New(rand.NewPCG(5, uint64(tc.rows)))
			full := randomBatch(mem, rng, fields, tc.rows)
			defer full.Release()
			from := int64(rng.IntN(9))
			in := full.NewSlice(from, int64(tc.rows)-int64(rng.IntN(9)))
			defer in.Release()
			keep := make([]bool, in.NumRows())
			var keptRows []int64
			for i := range keep {
				keep[i] = rng.Float64() < tc.keepRate
				if keep[i] {
					keptRows = append(keptRows, int64(i))
				}
			}
			got, err := stages.Filter(mem, in, keep)
			if err != nil {
				t.Fatal(err)
			}
			defer got.Release()
			if got.NumRows() != int64(len(keptRows)) {
				t.Fatalf("Filter kept %d rows, want %d", got.NumRows(), len(keptRows))
			}
			for c, col := range in.Columns() {
				parts := make([]arrow.Array, len(keptRows))
				for k, i := range keptRows {
					parts[k] = array.NewSlice(col, i, i+1)
				}
				want, err := array.Concatenate(parts, mem)
				for _, p := range parts {
					p.Release()
				}
				if err != nil {
					t.Fatal(err)
				}
				if !array.Equal(got.Column(c), want) {
					t.Errorf("column %s:\n got %v\nwant %v", fields[c].Name, got.Column(c), want)
				}
				want.Release()
			}
		})
	}
}

// BenchmarkFilter drops 1% of the rows of a healthcare-shaped batch of
// 8192 rows and 16 columns. It allocates from Go's allocator: the checked
// one records a stack trace per allocation, which would dwarf the copy.
func BenchmarkFilter(b *testing.B) {
	const rows = 8192
	mem := memory.NewGoAllocator()
	rng := rand.New(rand.NewPCG(1, 2))
	in := randomBatch(mem, rng, healthcareFields(), rows)
	defer in.Release()
	keep := make([]bool, rows)
	for i := range keep {
		keep[i] = rng.IntN(100) != 0
	}
	b.ReportAllocs()
	for b.Loop() {
		out, err := stages.Filter(mem, in, keep)
		if err != nil {
			b.Fatal(err)
		}
		out.Release()
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/rows, "ns/row")
}
