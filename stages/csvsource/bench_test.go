package csvsource

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"syscall"
	"testing"

	"runner/stages/stagetest"
)

func BenchmarkRealDataset(b *testing.B) {
	benchmarkFile(b, stagetest.RealDataset(b))
}

// BenchmarkGenerated reads a generated file of the real dataset's shape
// (15 fields, about 150 bytes a row, a few quoted fields), so the figure
// exists where the real file does not.
func BenchmarkGenerated(b *testing.B) {
	path := filepath.Join(b.TempDir(), "generated.csv")
	if err := os.WriteFile(path, generateCSV(55500), 0o644); err != nil {
		b.Fatal(err)
	}
	benchmarkFile(b, path)
}

func benchmarkFile(b *testing.B, path string) {
	info, err := os.Stat(path)
	if err != nil {
		b.Fatal(err)
	}
	mem := stagetest.Allocator(b)
	cfg := Config{Paths: []string{path}, Header: true, Quote: '"', NullValues: []string{"", "NA", "N/A"}}
	b.SetBytes(info.Size())
	b.ReportAllocs()
	var rows int64
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	cpu := cpuTime(b)
	for b.Loop() {
		r, err := Open(b.Context(), cfg, mem)
		if err != nil {
			b.Fatal(err)
		}
		for r.Next() {
		}
		if err := r.Err(); err != nil {
			b.Fatal(err)
		}
		rows += r.Stats().Rows
		if err := r.Close(); err != nil {
			b.Fatal(err)
		}
	}
	runtime.ReadMemStats(&after)
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(rows), "ns/row")
	b.ReportMetric(float64(cpuTime(b)-cpu)/float64(rows), "cpu-ns/row")
	b.ReportMetric(float64(after.Mallocs-before.Mallocs)/float64(rows), "allocs/row")
}

// cpuTime returns the CPU time the process has used, in nanoseconds. On a
// busy machine it measures the work better than the elapsed time does.
func cpuTime(b *testing.B) int64 {
	var u syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &u); err != nil {
		b.Fatal(err)
	}
	return u.Utime.Nano() + u.Stime.Nano()
}

// generateCSV returns a header and rows records shaped like the hospital
// admissions file.
func generateCSV(rows int) []byte {
	var buf bytes.Buffer
	buf.WriteString("Name,Age,Gender,Blood Type,Medical Condition,Date of Admission,Doctor,Hospital,Insurance Provider,Billing Amount,Room Number,Admission Type,Discharge Date,Medication,Test Results\n")
	hospitals := []string{"Sons and Miller", "Kim Inc", `"Hernandez Rogers and Vang,"`, "Cook PLC", `"Smith, Jones and Brown"`}
	for i := range rows {
		fmt.Fprintf(&buf, "Patient %c%c Number%d,%d,%s,%s,%s,2024-%02d-%02d,Doctor %d,%s,Blue Cross,%d.%015d,%d,Urgent,2024-%02d-%02d,Paracetamol,Normal\n",
			'A'+i%26, 'a'+i%19, i, 18+i%70, []string{"Male", "Female"}[i%2], []string{"A+", "B-", "O+", "AB-"}[i%4],
			[]string{"Cancer", "Obesity", "Diabetes", "Asthma"}[i%4], 1+i%12, 1+i%28, i%997, hospitals[i%len(hospitals)],
			10000+i%40000, i*7919%1000000000000000, 100+i%400, 1+i%12, 1+(i+3)%28)
	}
	return buf.Bytes()
}

// TestAllocationsPerBatch checks that reading allocates per batch, never
// per row: ten times the rows in batches of 4000 costs far less than one
// allocation per extra row.
func TestAllocationsPerBatch(t *testing.T) {
	mem := stagetest.Allocator(t)
	dir := t.TempDir()
	allocs := func(rows int) float64 {
		path := filepath.Join(dir, fmt.Sprintf("%d.csv", rows))
		if err := os.WriteFile(path, generateCSV(rows), 0o644); err != nil {
			t.Fatal(err)
		}
		cfg := Config{Paths: []string{path}, Header: true, Quote: '"', BatchRows: 4000, NullValues: []string{""}}
		return testing.AllocsPerRun(2, func() {
			r, err := Open(t.Context(), cfg, mem)
			if err != nil {
				t.Fatal(err)
			}
			for r.Next() {
			}
			if err := r.Err(); err != nil {
				t.Fatal(err)
			}
			r.Close()
		})
	}
	small, large := allocs(4000), allocs(40000)
	if extra := large - small; extra > 36000/10 {
		t.Errorf("36000 more rows cost %v more allocations (%v in all): rows allocate", extra, large)
	}
	t.Logf("allocations: %v for 4000 rows, %v for 40000", small, large)
}
