package cast

import (
	"fmt"
	"strconv"
	"syscall"
	"testing"
	"time"

	"runner/stages/plan"
	"runner/stages/stagetest"
)

// benchCases are realistic columns: the shapes of the hospital admissions
// file, plus the other types and a layout that needs time.Parse.
var benchCases = []struct {
	name  string
	spec  Spec
	value func(i int) string
}{
	{name: "int32", spec: Spec{Type: plan.TypeInt32}, value: func(i int) string { return fmt.Sprint(18 + i%70) }},
	{name: "int64", spec: Spec{Type: plan.TypeInt64}, value: func(i int) string { return fmt.Sprint(int64(i) * 7919 * 1_000_003) }},
	{name: "float64", spec: Spec{Type: plan.TypeFloat64}, value: billingAmount},
	{name: "decimal128", spec: Spec{Type: plan.TypeDecimal128, Scale: 2}, value: billingAmount},
	{name: "bool", spec: Spec{Type: plan.TypeBool}, value: func(i int) string { return []string{"true", "False", "yes", "N"}[i%4] }},
	{name: "date", spec: Spec{Type: plan.TypeDate}, value: func(i int) string { return fmt.Sprintf("20%02d-%02d-%02d", 19+i%6, 1+i%12, 1+i%28) }},
	{name: "date_time_parse", spec: Spec{Type: plan.TypeDate, Format: "Jan 2, 2006"}, value: func(i int) string {
		return time.Date(2019+i%6, time.Month(1+i%12), 1+i%28, 0, 0, 0, 0, time.UTC).Format("Jan 2, 2006")
	}},
	{name: "timestamp_rfc3339", spec: Spec{Type: plan.TypeTimestamp}, value: func(i int) string {
		return fmt.Sprintf("2024-%02d-%02dT%02d:%02d:%02d.%03d+02:00", 1+i%12, 1+i%28, i%24, i%60, (i*7)%60, i%1000)
	}},
	{name: "timestamp_zone", spec: Spec{Type: plan.TypeTimestamp, Format: "2006-01-02 15:04:05", Zone: "America/New_York"}, value: func(i int) string {
		return fmt.Sprintf("2024-%02d-%02d %02d:%02d:%02d", 1+i%12, 1+i%28, i%24, i%60, (i*7)%60)
	}},
}

// billingAmount is shaped like the real file's Billing Amount: a float
// written in its shortest form, such as 18856.281305978155.
func billingAmount(i int) string {
	return strconv.FormatFloat(1000+float64(i*7919%4_900_000)/100+float64(i)/7, 'f', -1, 64)
}

const benchCells = 8192

// cpuTime returns the CPU time the process has used, in nanoseconds. On a
// busy machine it measures the work better than the elapsed time does.
func cpuTime(b *testing.B) int64 {
	var u syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &u); err != nil {
		b.Fatal(err)
	}
	return u.Utime.Nano() + u.Stime.Nano()
}

func BenchmarkCast(b *testing.B) {
	for _, bc := range benchCases {
		b.Run(bc.name, func(b *testing.B) {
			mem := stagetest.Allocator(b)
			values := make([]string, benchCells)
			for i := range values {
				values[i] = bc.value(i)
			}
			in := stringArray(b, mem, values)
			defer in.Release()
			c, err := New(bc.spec)
			if err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			cpu := cpuTime(b)
			for b.Loop() {
				out, failures := c.Cast(mem, in)
				if len(failures) > 0 {
					b.Fatalf("%d failures, the first: %+v", len(failures), failures[0])
				}
				out.Release()
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*benchCells), "ns/cell")
			b.ReportMetric(float64(cpuTime(b)-cpu)/float64(b.N*benchCells), "cpu-ns/cell")
		})
	}
}

// TestCastAllocations checks that casting allocates per array, never per
// cell: an array of 4096 cells costs no more allocations than one of 16.
func TestCastAllocations(t *testing.T) {
	for _, bc := range benchCases {
		t.Run(bc.name, func(t *testing.T) {
			mem := stagetest.Allocator(t)
			c, err := New(bc.spec)
			if err != nil {
				t.Fatal(err)
			}
			allocs := func(n int) float64 {
				values := make([]string, n)
				for i := range values {
					values[i] = bc.value(i)
				}
				in := stringArray(t, mem, values)
				defer in.Release()
				return testing.AllocsPerRun(5, func() {
					out, _ := c.Cast(mem, in)
					out.Release()
				})
			}
			if small, large := allocs(16), allocs(4096); large > small {
				t.Errorf("casting 4096 cells makes %v allocations, 16 cells %v: some cells allocate", large, small)
			}
		})
	}
}
