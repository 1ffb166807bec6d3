package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"time"

	"runner/stages/report"
)

// bench holds everything one run measured.
type bench struct {
	work              string
	bin               string
	pipeline          string
	command           string
	started, finished time.Time
	// loadMax is the largest size whose ceiling and load are measured;
	// 0 measures them at every size.
	loadMax int
	stages  []goBench
	sizes   []sizeResult
	real    *sizeResult
}

func (b *bench) logf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "%s  %s\n", time.Since(b.started).Round(time.Second), fmt.Sprintf(format, args...))
}

// process is what a runner process cost, from its resource usage.
type process struct {
	Wall    time.Duration
	CPU     time.Duration
	PeakRSS int64
	Run     *report.Run
}

// sizeResult is the measurements at one size.
type sizeResult struct {
	Rows    int
	DryRun  process
	Docs    int64
	Ceiling time.Duration
	Apply   process
	// Loaded says the ceiling and the load were measured.
	Loaded bool
}

// build compiles the runner binary the measurements run.
func (b *bench) build(ctx context.Context) error {
	b.bin = filepath.Join(b.work, "runner")
	b.logf("building %s", b.bin)
	cmd := exec.CommandContext(ctx, "go", "build", "-trimpath", "-o", b.bin, ".")
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("go build: %w\n%s", err, out)
	}
	var err error
	b.pipeline, err = filepath.Abs(filepath.Join("pipelines", "healthcare.hcl"))
	return err
}

// runner runs the runner binary in the work folder (reports land there)
// and returns what the process cost and, with -json, its run report.
func (b *bench) runner(ctx context.Context, args ...string) (process, error) {
	cmd := exec.CommandContext(ctx, b.bin, args...)
	cmd.Dir = b.work
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	start := time.Now()
	err := cmd.Run()
	p := process{Wall: time.Since(start)}
	if err != nil {
		return p, fmt.Errorf("runner %v: %w\n%s%s", args, err, stdout.Bytes(), stderr.Bytes())
	}
	if u, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		p.CPU = time.Duration(u.Utime.Nano() + u.Stime.Nano())
	}
	if bytes.HasPrefix(bytes.TrimSpace(stdout.Bytes()), []byte("{")) {
		p.Run = &report.Run{}
		if err := json.Unmarshal(stdout.Bytes(), p.Run); err != nil {
			return p, fmt.Errorf("runner %v printed no run report: %w", args, err)
		}
		// The process's own figure: the rusage a parent gets for a child
		// carries the parent's peak, since the child started sharing its
		// memory (see runner's processUsage).
		p.PeakRSS = p.Run.Runtime.PeakRSSBytes
	}
	return p, nil
}

// measureSize generates rows of data and measures a dry run, the ceiling
// and a load at that size.
func (b *bench) measureSize(ctx context.Context, rows int) (sizeResult, error) {
	csv := filepath.Join(b.work, fmt.Sprintf("healthcare-%d.csv", rows))
	b.logf("%d rows: generating", rows)
	if _, err := b.runner(ctx, "generate", "-rows", fmt.Sprint(rows), "-seed", "1", "-out", csv, "-force"); err != nil {
		return sizeResult{}, err
	}
	defer os.Remove(csv)
	r, err := b.measure(ctx, csv, b.loadMax == 0 || rows <= b.loadMax)
	r.Rows = rows
	return r, err
}

// measureReal measures the real dataset as measureSize does generated data.
func (b *bench) measureReal(ctx context.Context, csv string) (*sizeResult, error) {
	abs, err := filepath.Abs(csv)
	if err != nil {
		return nil, err
	}
	r, err := b.measure(ctx, abs, true)
	if err != nil {
		return nil, err
	}
	r.Rows = int(r.DryRun.Run.Reconciliation.RowsRead)
	return &r, nil
}

func (b *bench) measure(ctx context.Context, csv string, load bool) (sizeResult, error) {
	r := sizeResult{Loaded: load}
	base := filepath.Base(csv)
	apply := []string{"apply", b.pipeline, "-var", "csv_path=" + csv, "-json"}
	var err error
	b.logf("%s: dry run", base)
	if r.DryRun, err = b.runner(ctx, append(apply, "-dry-run")...); err != nil {
		return r, err
	}
	r.Docs = r.DryRun.Run.Reconciliation.RowsLoaded
	if !load {
		return r, nil
	}

	docs := filepath.Join(b.work, "documents.bson")
	defer os.Remove(docs)
	if _, err := b.runner(ctx, append(apply, "-dry-run", "-out", docs)...); err != nil {
		return r, err
	}
	store := filepath.Join(b.work, "ceiling-store")
	b.logf("%s: the ceiling, InsertMany of %d documents", base, r.Docs)
	loaded, took, err := measureCeiling(ctx, docs, store)
	os.RemoveAll(store)
	if err != nil {
		return r, fmt.Errorf("ceiling: %w", err)
	}
	if loaded != r.Docs {
		return r, fmt.Errorf("ceiling: loaded %d documents, the dry run built %d", loaded, r.Docs)
	}
	r.Ceiling = took

	store = filepath.Join(b.work, "apply-store")
	defer os.RemoveAll(store)
	b.logf("%s: apply into the embedded store", base)
	if r.Apply, err = b.runner(ctx, append(apply, "-store-dir", store)...); err != nil {
		return r, err
	}
	if got := r.Apply.Run.Reconciliation.RowsLoaded; got != r.Docs {
		return r, fmt.Errorf("apply loaded %d documents, the dry run built %d", got, r.Docs)
	}
	return r, nil
}
