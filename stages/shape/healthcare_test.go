package shape

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"go.mongodb.org/mongo-driver/v2/bson"

	"runner/stages"
	"runner/stages/plan"
	"runner/stages/rowhash"
	"runner/stages/stagetest"
	"runner/stages/stagetest/golden"
)

// healthcareColumn is a column of pipelines/healthcare.hcl: its name, the
// CSV header it comes from (empty for the derived stay_days) and its Arrow
// type.
type healthcareColumn struct {
	name, header string
	typ          arrow.DataType
}

func healthcareColumns() []healthcareColumn {
	str, i32, f64, date := arrow.BinaryTypes.String, arrow.PrimitiveTypes.Int32, arrow.PrimitiveTypes.Float64, arrow.FixedWidthTypes.Date32
	return []healthcareColumn{
		{name: "name", header: "Name", typ: str},
		{name: "age", header: "Age", typ: i32},
		{name: "gender", header: "Gender", typ: str},
		{name: "blood_type", header: "Blood Type", typ: str},
		{name: "medical_condition", header: "Medical Condition", typ: str},
		{name: "admitted_on", header: "Date of Admission", typ: date},
		{name: "doctor", header: "Doctor", typ: str},
		{name: "hospital", header: "Hospital", typ: str},
		{name: "insurance_provider", header: "Insurance Provider", typ: str},
		{name: "billing_amount", header: "Billing Amount", typ: f64},
		{name: "room_number", header: "Room Number", typ: i32},
		{name: "admission_type", header: "Admission Type", typ: str},
		{name: "discharged_on", header: "Discharge Date", typ: date},
		{name: "medication", header: "Medication", typ: str},
		{name: "test_results", header: "Test Results", typ: str},
		{name: "stay_days", typ: i32},
	}
}

// healthcareSchema is the schema of the typed batches of the healthcare
// pipeline: every column in declaration order, then _origin.
func healthcareSchema() *arrow.Schema {
	var fields []arrow.Field
	for _, c := range healthcareColumns() {
		fields = append(fields, arrow.Field{Name: c.name, Type: c.typ, Nullable: true})
	}
	return arrow.NewSchema(append(fields, stages.OriginField), nil)
}

// healthcareConfig mirrors the document block of pipelines/healthcare.hcl,
// with _id derived from every column as its dedup block makes it.
func healthcareConfig() Config {
	var keys []string
	for _, c := range healthcareColumns() {
		keys = append(keys, c.name)
	}
	return Config{
		IDKeys: keys,
		Document: plan.Document{Fields: []*plan.DocField{
			objField("patient",
				colField("name", "name"),
				colField("age", "age"),
				colField("gender", "gender"),
				colField("blood_type", "blood_type"),
			),
			objField("admission",
				colField("admitted_on", "admitted_on"),
				colField("discharged_on", "discharged_on"),
				colField("type", "admission_type"),
				colField("room", "room_number"),
				colField("doctor", "doctor"),
				colField("hospital", "hospital"),
				colField("stay_days", "stay_days"),
			),
			objField("medical",
				colField("condition", "medical_condition"),
				colField("medication", "medication"),
				colField("test_results", "test_results"),
			),
			objField("billing",
				colField("amount", "billing_amount"),
				colField("insurer", "insurance_provider"),
			),
		}},
	}
}

// healthcareBatch casts CSV records (in the file's column order, given by
// header) into a typed batch, as the source and columns stages would,
// without their cleaning. lines are the records' line numbers.
func healthcareBatch(tb testing.TB, mem memory.Allocator, header []string, records [][]string, lines []int) arrow.RecordBatch {
	tb.Helper()
	at := make(map[string]int, len(header))
	for i, h := range header {
		at[h] = i
	}
	b := array.NewRecordBuilder(mem, healthcareSchema())
	defer b.Release()
	for r, rec := range records {
		var admitted, discharged arrow.Date32
		for i, c := range healthcareColumns() {
			if c.header == "" { // stay_days
				b.Field(i).(*array.Int32Builder).Append(int32(discharged - admitted))
				continue
			}
			text := rec[at[c.header]]
			if text == "" || text == "NA" || text == "N/A" {
				b.Field(i).AppendNull()
				continue
			}
			switch fb := b.Field(i).(type) {
			case *array.StringBuilder:
				fb.Append(text)
			case *array.Int32Builder:
				n, err := strconv.ParseInt(text, 10, 32)
				if err != nil {
					tb.Fatalf("line %d: %s: %v", lines[r], c.header, err)
				}
				fb.Append(int32(n))
			case *array.Float64Builder:
				f, err := strconv.ParseFloat(text, 64)
				if err != nil {
					tb.Fatalf("line %d: %s: %v", lines[r], c.header, err)
				}
				fb.Append(f)
			case *array.Date32Builder:
				d, err := time.Parse("2006-01-02", text)
				if err != nil {
					tb.Fatalf("line %d: %s: %v", lines[r], c.header, err)
				}
				fb.Append(arrow.Date32FromTime(d))
				if c.name == "admitted_on" {
					admitted = arrow.Date32FromTime(d)
				} else {
					discharged = arrow.Date32FromTime(d)
				}
			}
		}
		b.Field(len(healthcareColumns())).(*array.Int64Builder).Append(int64(stages.MakeOrigin(0, lines[r])))
	}
	return b.NewRecordBatch()
}

// readDataset reads up to limit records of the real dataset (all when limit
// is 0) with their line numbers.
func readDataset(t *testing.T, limit int) (header []string, records [][]string, lines []int) {
	t.Helper()
	f, err := os.Open(stagetest.RealDataset(t))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r := csv.NewReader(f)
	header, err = r.Read()
	if err != nil {
		t.Fatalf("reading the header: %v", err)
	}
	for limit == 0 || len(records) < limit {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		line, _ := r.FieldPos(0)
		records = append(records, rec)
		lines = append(lines, line)
	}
	return header, records, lines
}

// TestHealthcareGolden encodes the first rows of the real dataset with the
// healthcare template and compares them, as extended JSON, with the golden
// file: the documents `runner plan` shows and MongoDB receives.
func TestHealthcareGolden(t *testing.T) {
	header, records, lines := readDataset(t, 5)
	mem := stagetest.Allocator(t)
	batch := healthcareBatch(t, mem, header, records, lines)
	defer batch.Release()
	docs := encode(t, healthcareConfig(), batch)
	var out strings.Builder
	for i := range docs.Len() {
		js, err := JSON(docs.Doc(i), nil)
		if err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(&out, "// %s\n%s\n", docs.Origins[i], js)
	}
	golden.Check(t, filepath.Join("testdata", "healthcare.golden"), []byte(out.String()))
}

// TestHealthcareDataset encodes every row of the real dataset in batches of
// 8192 and checks each document: valid BSON, its row's origin, _id the row
// hash of every column, and the fields' BSON types.
func TestHealthcareDataset(t *testing.T) {
	header, records, lines := readDataset(t, 0)
	mem := stagetest.Allocator(t)
	schema := healthcareSchema()
	cfg := healthcareConfig()
	s, err := New(cfg, schema)
	if err != nil {
		t.Fatal(err)
	}
	hasher, err := rowhash.New(schema, cfg.IDKeys)
	if err != nil {
		t.Fatal(err)
	}
	wantTypes := map[string]bson.Type{
		"_id": bson.TypeString, "patient.name": bson.TypeString, "patient.age": bson.TypeInt32,
		"admission.admitted_on": bson.TypeDateTime, "admission.discharged_on": bson.TypeDateTime,
		"admission.room": bson.TypeInt32, "admission.stay_days": bson.TypeInt32, "billing.amount": bson.TypeDouble,
	}
	var docs stages.DocBatch
	total := 0
	for start := 0; start < len(records); start += 8192 {
		end := min(start+8192, len(records))
		batch := healthcareBatch(t, mem, header, records[start:end], lines[start:end])
		docs.Reset()
		if err := s.Encode(batch, nil, nil, &docs); err != nil {
			batch.Release()
			t.Fatal(err)
		}
		hashes := hasher.Hash(batch, nil)
		batch.Release()
		for i := range docs.Len() {
			raw := bson.Raw(docs.Doc(i))
			if err := raw.Validate(); err != nil {
				t.Fatalf("line %d: invalid BSON: %v", lines[start+i], err)
			}
			if got, want := docs.Origins[i], stages.MakeOrigin(0, lines[start+i]); got != want {
				t.Fatalf("document %d: origin %s, want %s", start+i, got, want)
			}
			if first, _ := raw.IndexErr(0); first.Key() != "_id" || first.Value().StringValue() != hashes[i].Hex() {
				t.Fatalf("line %d: first element %s, want _id %q", lines[start+i], first, hashes[i].Hex())
			}
			for path, want := range wantTypes {
				if got := raw.Lookup(strings.Split(path, ".")...).Type; got != want {
					t.Fatalf("line %d: %s is %s, want %s", lines[start+i], path, got, want)
				}
			}
		}
		total += docs.Len()
	}
	if total != len(records) {
		t.Fatalf("%d documents for %d rows", total, len(records))
	}
}

// TestJSONGolden renders a document holding every BSON type the stage
// writes.
func TestJSONGolden(t *testing.T) {
	mem := stagetest.Allocator(t)
	batch := stagetest.Batch(t, mem, withOrigin(
		field("code", arrow.BinaryTypes.String),
		field("i32", arrow.PrimitiveTypes.Int32),
		field("i64", arrow.PrimitiveTypes.Int64),
		field("f64", arrow.PrimitiveTypes.Float64),
		field("dec", &arrow.Decimal128Type{Precision: 38, Scale: 2}),
		field("ok", arrow.FixedWidthTypes.Boolean),
		field("day", arrow.FixedWidthTypes.Date32),
		field("at", stages.TimestampType),
	), `[{"code": "A-1", "i32": 30, "i64": 9007199254740993, "f64": 18856.281305978155, "dec": "-18856.20",
	      "ok": true, "day": 19753, "at": "2024-01-31T12:34:56.789Z", "_origin": 2}]`)
	defer batch.Release()
	cfg := Config{Document: plan.Document{Fields: []*plan.DocField{
		colField("_id", "code"),
		objField("numbers", colField("int32", "i32"), colField("int64", "i64"), colField("double", "f64"), colField("decimal", "dec")),
		objField("when", colField("day", "day"), colField("at", "at")),
		colField("ok", "ok"),
		litField("missing", plan.TypeNull, plan.Null),
		litField("whole", plan.TypeFloat64, plan.FloatValue(2)),
	}}}
	js, err := JSON(encode(t, cfg, batch).Doc(0), nil)
	if err != nil {
		t.Fatal(err)
	}
	golden.Check(t, filepath.Join("testdata", "types.golden"), []byte(js+"\n"))
}

func TestJSONRejectsInvalidBSON(t *testing.T) {
	if _, err := JSON([]byte{5, 0, 0, 0}, nil); err == nil {
		t.Fatal("JSON accepted a truncated document")
	}
}

func TestJSONMasksSensitivePaths(t *testing.T) {
	mem := stagetest.Allocator(t)
	batch := stagetest.Batch(t, mem, []arrow.Field{
		{Name: "code", Type: arrow.BinaryTypes.String},
		{Name: "name", Type: arrow.BinaryTypes.String},
		{Name: "age", Type: arrow.PrimitiveTypes.Int32},
		stages.OriginField,
	}, `[{"code": "A-1", "name": "Ann Lee", "age": 30, "_origin": 2}]`)
	defer batch.Release()
	cfg := Config{Document: plan.Document{Fields: []*plan.DocField{
		colField("_id", "code"),
		objField("patient", colField("name", "name"), colField("age", "age")),
	}}}
	js, err := JSON(encode(t, cfg, batch).Doc(0), []string{"patient.name", "absent.path"})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(js, "Ann Lee") || !strings.Contains(js, `"name": "`+Masked+`"`) || !strings.Contains(js, `"age": 30`) {
		t.Fatalf("masked JSON = %s", js)
	}
}
