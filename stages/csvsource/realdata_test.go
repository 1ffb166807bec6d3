package csvsource

import (
	"testing"

	"github.com/apache/arrow-go/v18/arrow/array"

	"runner/stages"
	"runner/stages/stagetest"
)

// healthcareHeader is the header of the real dataset.
var healthcareHeader = []string{"Name", "Age", "Gender", "Blood Type", "Medical Condition", "Date of Admission", "Doctor", "Hospital", "Insurance Provider", "Billing Amount", "Room Number", "Admission Type", "Discharge Date", "Medication", "Test Results"}

func TestRealDataset(t *testing.T) {
	path := stagetest.RealDataset(t)
	mem := stagetest.Allocator(t)
	cfg := Config{Paths: []string{path}, Header: true, Quote: '"', NullValues: []string{"", "NA", "N/A"}}
	r, err := Open(t.Context(), cfg, mem)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if got := r.Header(); len(got) != len(healthcareHeader) {
		t.Fatalf("header = %q, want %q", got, healthcareHeader)
	}
	for i, name := range healthcareHeader {
		if r.Header()[i] != name {
			t.Errorf("header field %d = %q, want %q", i+1, r.Header()[i], name)
		}
	}
	// Cells checked by the line they come from.
	spot := map[int]map[int]string{
		2:     {0: "Bobby JacksOn", 1: "30", 9: "18856.281305978155", 14: "Normal"},
		5:     {0: "andrEw waTtS", 7: "Hernandez Rogers and Vang,", 8: "Medicare", 12: "2020-12-18"},
		55501: {},
	}
	rows, wantLine := 0, 2
	for r.Next() {
		batch := r.RecordBatch()
		if n := len(r.Rejects()); n > 0 {
			t.Fatalf("%d rejects, the first: %+v", n, r.Rejects()[0])
		}
		origins := batch.Column(len(healthcareHeader)).(*array.Int64)
		for i := range int(batch.NumRows()) {
			o := stages.Origin(origins.Value(i))
			if o.File() != 0 || o.Line() != wantLine {
				t.Fatalf("row %d has origin %s, want line %d", rows, o, wantLine)
			}
			for c, want := range spot[o.Line()] {
				if got := batch.Column(c).(*array.String).Value(i); got != want {
					t.Errorf("line %d %s = %q, want %q", o.Line(), healthcareHeader[c], got, want)
				}
			}
			for c := range healthcareHeader {
				if batch.Column(c).IsNull(i) {
					t.Errorf("line %d %s is null", o.Line(), healthcareHeader[c])
				}
			}
			rows++
			wantLine++
		}
	}
	if err := r.Err(); err != nil {
		t.Fatal(err)
	}
	if rows != 55500 {
		t.Errorf("read %d rows, want 55500", rows)
	}
	if s := r.Stats(); s.Rows != 55500 || s.Rejected != 0 || s.Files != 1 || s.Bytes != 8399221 {
		t.Errorf("Stats() = %+v, want 55500 rows, 0 rejected, 1 file, 8399221 bytes", s)
	}
}
