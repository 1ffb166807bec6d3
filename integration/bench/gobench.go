package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"os/exec"
	"strconv"
	"strings"
)

// stageBenchmarks selects the Go benchmarks of the stages, one or more per
// stage: CSV read, cast, every clean function and operator, dedup, the key
// sets, shaping into BSON, the sink's accounting, profiling, filtering, and
// the data generator. The sink's write-path benchmark is left out: the
// ceiling and load measured at every size say the same, end to end.
const stageBenchmarks = `^Benchmark(RealDataset|Generated|Cast|Eval|Select|SetInsert|SetContains|Map32KeepMax|EncodeHealthcare|Accounting|ProfileHealthcare|Filter|Write)$`

// goBench is one benchmark's result: its package, name and metrics.
type goBench struct {
	Package string
	Name    string
	Metrics map[string]float64
}

// goBenchmarks runs the stages' benchmarks.
func goBenchmarks(ctx context.Context, benchTime string, logf func(string, ...any)) ([]goBench, error) {
	logf("Go benchmarks of the stages (-benchtime %s)", benchTime)
	cmd := exec.CommandContext(ctx, "go", "test", "-run", "^$", "-bench", stageBenchmarks, "-benchmem",
		"-benchtime", benchTime, "./stages/...")
	out, err := cmd.CombinedOutput()
	if err != nil {
		return nil, fmt.Errorf("go test -bench: %w\n%s", err, out)
	}
	return parseBenchmarks(out), nil
}

// parseBenchmarks reads `go test -bench` output: each result line follows
// the `pkg:` line of its package.
func parseBenchmarks(out []byte) []goBench {
	var results []goBench
	pkg := ""
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		line := sc.Text()
		if p, ok := strings.CutPrefix(line, "pkg: "); ok {
			pkg = strings.TrimPrefix(p, "runner/")
			continue
		}
		fields := strings.Fields(line)
		if len(fields) < 4 || !strings.HasPrefix(fields[0], "Benchmark") {
			continue
		}
		b := goBench{Package: pkg, Name: trimProcs(strings.TrimPrefix(fields[0], "Benchmark")), Metrics: map[string]float64{}}
		for i := 2; i+1 < len(fields); i += 2 {
			if v, err := strconv.ParseFloat(fields[i], 64); err == nil {
				b.Metrics[fields[i+1]] = v
			}
		}
		results = append(results, b)
	}
	return results
}

// trimProcs drops the -N suffix go test adds for GOMAXPROCS.
func trimProcs(name string) string {
	if i := strings.LastIndexByte(name, '-'); i > 0 {
		if _, err := strconv.Atoi(name[i+1:]); err == nil {
			return name[:i]
		}
	}
	return name
}
