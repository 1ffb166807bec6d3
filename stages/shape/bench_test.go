package shape

import (
	"fmt"
	"math/rand/v2"
	"strconv"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/memory"

	"runner/stages"
	"runner/stages/plan"
)

// syntheticHealthcare makes n records shaped like the real dataset's (same
// header, similar values and lengths), so the benchmark runs without it.
func syntheticHealthcare(n int) (header []string, records [][]string, lines []int) {
	header = []string{"Name", "Age", "Gender", "Blood Type", "Medical Condition", "Date of Admission", "Doctor",
		"Hospital", "Insurance Provider", "Billing Amount", "Room Number", "Admission Type", "Discharge Date",
		"Medication", "Test Results"}
	pick := func(rng *rand.Rand, s ...string) string { return s[rng.IntN(len(s))] }
	first := []string{"Bobby", "Leslie", "Danny", "Andrew", "Adrienne", "Emily", "Christopher", "Michelle", "Aaron", "Connor"}
	last := []string{"Jackson", "Terry", "Smith", "Watts", "Bell", "Hernandez", "Gonzalez", "Mitchell", "Davies", "Wells"}
	rng := rand.New(rand.NewPCG(7, 11))
	for i := range n {
		admitted := 18000 + rng.IntN(1800)
		day := func(d int) string { return fmt.Sprintf("%04d-%02d-%02d", 1970+d/365, 1+d%365/31, 1+d%365%28) }
		records = append(records, []string{
			pick(rng, first...) + " " + pick(rng, last...),
			strconv.Itoa(13 + rng.IntN(77)),
			pick(rng, "Male", "Female"),
			pick(rng, "A+", "A-", "B+", "B-", "AB+", "AB-", "O+", "O-"),
			pick(rng, "Arthritis", "Asthma", "Cancer", "Diabetes", "Hypertension", "Obesity"),
			day(admitted),
			pick(rng, first...) + " " + pick(rng, last...),
			pick(rng, last...) + " and " + pick(rng, last...),
			pick(rng, "Blue Cross", "Medicare", "Aetna", "UnitedHealthcare", "Cigna"),
			strconv.FormatFloat(rng.Float64()*50000, 'f', -1, 64),
			strconv.Itoa(101 + rng.IntN(400)),
			pick(rng, "Emergency", "Elective", "Urgent"),
			day(admitted + rng.IntN(30)),
			pick(rng, "Aspirin", "Ibuprofen", "Lipitor", "Paracetamol", "Penicillin"),
			pick(rng, "Normal", "Abnormal", "Inconclusive"),
		})
		lines = append(lines, i+2)
	}
	return header, records, lines
}

// BenchmarkEncodeHealthcare encodes healthcare documents (four embedded
// objects, 16 leaves) from 8192-row batches: with _id derived by hashing all
// 16 columns, as the pipeline does, and with _id read from a column, which
// leaves the cost of the encoding alone.
func BenchmarkEncodeHealthcare(b *testing.B) {
	const rows = 8192
	header, records, lines := syntheticHealthcare(rows)
	batch := healthcareBatch(b, memory.NewGoAllocator(), header, records, lines)
	defer batch.Release()
	derived := healthcareConfig()
	explicit := healthcareConfig()
	explicit.Document.Fields = append([]*plan.DocField{colField("_id", "name")}, explicit.Document.Fields...)
	tests := []struct {
		name string
		cfg  Config
	}{
		{name: "derived_id", cfg: derived},
		{name: "column_id", cfg: explicit},
	}
	for _, tc := range tests {
		b.Run(tc.name, func(b *testing.B) {
			s, err := New(tc.cfg, batch.Schema())
			if err != nil {
				b.Fatal(err)
			}
			var docs stages.DocBatch
			if err := s.Encode(batch, nil, nil, &docs); err != nil { // size the buffers once
				b.Fatal(err)
			}
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				docs.Reset()
				if err := s.Encode(batch, nil, nil, &docs); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*rows), "ns/row")
			b.ReportMetric(float64(len(docs.Data))/rows, "bytes/doc")
		})
	}
}
