// Command bench measures runner and writes BENCHMARKS.md: the stages' Go
// benchmarks, then, at each size of generated healthcare data, a dry run
// (the client's own cost), a load into the embedded store, and the store's
// ceiling (a plain InsertMany of the same documents, built beforehand), all
// in one run so that ratios compare like with like on a noisy machine.
//
// The store takes about seven minutes per five million documents, so the
// ceiling and the load at the largest size are left to `make bench-full`.
//
//	go run ./integration/bench                 (make bench)
//	go run ./integration/bench -load-max 0     (make bench-full)
//	go run ./integration/bench -sizes 55500,555000 -out /tmp/bench.md
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

func main() {
	sizes := flag.String("sizes", "55500,555000,5550000", "rows of generated data to measure, comma-separated")
	out := flag.String("out", "BENCHMARKS.md", "the report to write")
	work := flag.String("work", "", "scratch folder for data, stores and documents (default: a temporary one, removed after)")
	real := flag.String("real", filepath.Join("..", "shared", "data", "healthcare_dataset.csv"), "the real dataset, measured when present")
	benchTime := flag.String("benchtime", "500ms", "-benchtime of the Go benchmarks")
	loadMax := flag.Int("load-max", 555_000, "measure the ceiling and the load only at sizes up to this many rows (0: every size); the dry run is measured at every size")
	flag.Parse()

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, *sizes, *out, *work, *real, *benchTime, *loadMax); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, sizeList, out, work, real, benchTime string, loadMax int) error {
	var sizes []int
	for _, s := range strings.Split(sizeList, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || n <= 0 {
			return fmt.Errorf("-sizes: %q is not a number of rows", s)
		}
		sizes = append(sizes, n)
	}
	if work == "" {
		dir, err := os.MkdirTemp("", "runner-bench-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(dir)
		work = dir
	}
	b := &bench{work: work, started: time.Now(), loadMax: loadMax,
		command: strings.Join(append([]string{"go run ./integration/bench"}, os.Args[1:]...), " ")}
	if err := b.build(ctx); err != nil {
		return err
	}
	var err error
	if b.stages, err = goBenchmarks(ctx, benchTime, b.logf); err != nil {
		return err
	}
	for _, n := range sizes {
		r, err := b.measureSize(ctx, n)
		if err != nil {
			return fmt.Errorf("%d rows: %w", n, err)
		}
		b.sizes = append(b.sizes, r)
	}
	if _, err := os.Stat(real); err == nil {
		if b.real, err = b.measureReal(ctx, real); err != nil {
			return fmt.Errorf("the real dataset: %w", err)
		}
	} else {
		b.logf("the real dataset is not at %s: skipping it", real)
	}
	b.finished = time.Now()
	if err := os.WriteFile(out, []byte(b.markdown()), 0o644); err != nil {
		return err
	}
	b.logf("wrote %s in %s", out, b.finished.Sub(b.started).Round(time.Second))
	return nil
}
