package runner

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/apache/arrow-go/v18/arrow/memory"

	"runner/stages/checks"
	"runner/stages/dedup"
	"runner/stages/mongosink"
	"runner/stages/plan"
	"runner/stages/report"
)

// applyOptions tune one run.
type applyOptions struct {
	file   string // the pipeline file, as reports name it
	dryRun bool
	// out, in a dry run, is where every document is written as a BSON
	// stream; empty writes none.
	out      string
	storeDir string
	mem      memory.Allocator
	workers  int
	meter    *meter
	// say prints a line about what the run is doing now.
	say     func(format string, args ...any)
	logger  *slog.Logger
	version string
	// beforePass, when set, runs before each read of the source; tests use
	// it to change the source between passes.
	beforePass func(passKind)
	// reportDirCreated, when set, runs once the run's report folder
	// exists; tests use it to make a report impossible to write.
	reportDirCreated func(dir string)
	// cleanup is the context of the work done after a failure or a
	// cancellation; it outlives the run's, and ends when the clean-up is
	// abandoned (a second Ctrl-C).
	cleanup context.Context
	// swapStepDone, when set, is called after each step of the three-step
	// swap: tests stop the process there.
	swapStepDone func(step int)
}

// cleanupTimeout bounds the work done after a failure or a cancellation
// (waiting for the writes in flight, dropping the staging collection,
// closing the store), so that Ctrl-C leaves the target as it was within a
// bounded time.
const cleanupTimeout = 30 * time.Second

// cleanupContext is the bounded context of the work after a failure or a
// cancellation.
func (x *applyRun) cleanupContext() (context.Context, context.CancelFunc) {
	return context.WithTimeout(x.opts.cleanup, cleanupTimeout)
}

// apply runs a plan end to end and always returns the run's report, filled
// as far as the run got; the error says why it failed and carries the exit
// code.
func apply(ctx context.Context, p *plan.Plan, opts applyOptions) (*report.Run, error) {
	x := &applyRun{plan: p, opts: opts, started: time.Now(), memory: newMemoryLimit(p.Target.URI == "" && !opts.dryRun)}
	defer x.memory.restore()
	x.run = &report.Run{
		Pipeline: p.Name, File: opts.file, RunID: x.started.UTC().Format("20060102T150405.000Z"),
		StartedAt: x.started.UTC(), DryRun: opts.dryRun,
		Source: report.Source{Path: p.Source.Path},
		Target: report.Target{URI: targetName(p, opts.storeDir), Database: p.Target.Database,
			Collection: p.Target.Collection, Mode: p.Target.Mode.String()},
		Rejects: report.Rejects{File: report.RejectsFile, Limit: p.Source.MaxRejects.String()},
	}
	for _, v := range p.Variables {
		x.run.Variables = append(x.run.Variables, report.Variable{Name: v.Name, Value: v.Value, Origin: v.Origin})
	}
	err := x.execute(ctx)
	x.finishReport(err)
	return x.run, x.writeReports(err)
}

// applyRun is the state of one apply.
type applyRun struct {
	plan    *plan.Plan
	opts    applyOptions
	started time.Time
	run     *report.Run
	dir     string
	files   []string
	rejects *report.RejectsWriter
	target  *target
	pass    *passResult
	results []checks.Result
	verify  *mongosink.Verification
	result  *mongosink.Result
	// rowsHint estimates the rows of the source, to size key sets once
	// instead of growing them.
	rowsHint int
	memory   *memoryLimit
	// indexSeconds is how long the indexes took to build.
	indexSeconds float64
	// multiPass is set when the source is read more than once; prints then
	// hold what the first pass read, which every later pass must read too.
	multiPass bool
	prints    []fileprint
	// hashed says whether prints hold the hashes yet: the first pass
	// records the sizes and times before it reads, the hashes after.
	hashed bool
	// discarded is set when a replace load was abandoned and its staging
	// collection dropped.
	discarded bool
}

func (x *applyRun) execute(ctx context.Context) (err error) {
	p := x.plan
	if x.files, err = expandSource(p.Source.Path); err != nil {
		return withCode(ExitRuntime, err)
	}
	x.run.Source.Files = x.files
	x.rowsHint = estimateRows(x.files)
	if x.dir, err = report.NewDir(p.Report.Dir, p.Name, x.run.RunID); err != nil {
		return err
	}
	if x.rejects, err = report.CreateRejects(x.dir, x.files, x.sensitive); err != nil {
		return err
	}
	if x.opts.reportDirCreated != nil {
		x.opts.reportDirCreated(x.dir)
	}

	if !x.opts.dryRun {
		x.opts.say("connecting to %s", targetName(p, x.opts.storeDir))
		if x.target, err = openTarget(ctx, p, x.opts.storeDir, x.opts.logger, x.opts.swapStepDone); err != nil {
			return err
		}
		defer func() {
			cctx, cancel := x.cleanupContext()
			defer cancel()
			err = errors.Join(err, x.target.close(cctx))
		}()
		// Before anything reads or writes the target, whatever the mode:
		// a run that died mid-swap may have left it missing.
		if x.run.Target.Recovered, err = x.target.sink.Recover(ctx); err != nil {
			return err
		}
		if x.run.Target.Recovered != "" {
			x.opts.say("%s", x.run.Target.Recovered)
		}
	}

	validate := !x.opts.dryRun && p.Target.Mode != plan.ModeReplace && hasErrorChecks(p)
	keepLastDedup := p.Dedup != nil && p.Dedup.Keep == plan.KeepLast
	x.multiPass = validate || keepLastDedup
	var keepLast *dedup.Dedup
	if keepLastDedup {
		keepLast = dedup.New(plan.KeepLast, x.rowsHint)
		x.opts.say("reading once to find the last row of every duplicate key")
		if _, err := x.runPass(ctx, observePass, keepLast, nil, nil); err != nil {
			return err
		}
	}
	if validate {
		// append and upsert write into the live collection, so the data is
		// checked in full before the first document is sent.
		x.opts.say("validating every row before loading (%s mode has no staging collection)", p.Target.Mode)
		res, err := x.runPass(ctx, validatePass, x.dedupFor(keepLast), nil, nil)
		if err != nil {
			return err
		}
		if failed := failedChecks(res.tally.Results()); failed != nil {
			x.pass, x.results = res, res.tally.Results()
			return withCode(ExitCheckFailed, fmt.Errorf("nothing was loaded: %s", failed))
		}
	}
	return x.load(ctx, keepLast)
}

// dedupFor returns the dedup state for a pass: the observed one for keep =
// "last", a fresh one for keep = "first" (each pass sees every key anew).
func (x *applyRun) dedupFor(keepLast *dedup.Dedup) *dedup.Dedup {
	switch {
	case x.plan.Dedup == nil:
		return nil
	case keepLast != nil:
		return keepLast
	}
	return dedup.New(plan.KeepFirst, x.rowsHint)
}

func (x *applyRun) runPass(ctx context.Context, kind passKind, d *dedup.Dedup, sink docSink, rejects *report.RejectsWriter) (*passResult, error) {
	if sink == nil {
		sink = discard{}
	}
	if x.opts.beforePass != nil {
		x.opts.beforePass(kind)
	}
	if err := x.checkSourceBefore(); err != nil {
		return nil, err
	}
	res, err := runPass(ctx, x.plan, passConfig{kind: kind, files: x.files, mem: x.opts.mem, workers: x.opts.workers,
		dedup: d, sink: sink, rejects: rejects, meter: x.opts.meter, rowsHint: x.rowsHint, memory: x.memory})
	// A changed source explains any failure of the pass (keep = "last"
	// meets keys it never observed), and a pass that read changed data
	// must not count as a success.
	if cerr := x.checkSourceAfter(ctx, kind); cerr != nil {
		x.pass = res
		return res, cerr
	}
	if errors.Is(err, errRejectsExceeded) {
		x.pass = res
		x.run.Rejects.Exceeded = true
		return res, withCode(ExitCheckFailed, fmt.Errorf("more than %s rows were rejected; see %s",
			x.plan.Source.MaxRejects, filepath.Join(x.dir, report.RejectsFile)))
	}
	if err != nil {
		return res, withCode(ExitRuntime, fmt.Errorf("%s pass: %w", kind, err))
	}
	return res, nil
}

// load runs the load pass into the target (or into nothing, dry), then
// decides from the checks whether the load stands.
func (x *applyRun) load(ctx context.Context, keepLast *dedup.Dedup) (err error) {
	p := x.plan
	var sink docSink = discard{}
	var load *mongosink.Load
	if x.opts.out != "" {
		f, err := os.OpenFile(x.opts.out, os.O_RDWR|os.O_CREATE|os.O_TRUNC, 0o600)
		if err != nil {
			return fmt.Errorf("create %s: %w", x.opts.out, err)
		}
		w := &bsonFile{w: bufio.NewWriterSize(f, 1<<20)}
		defer func() {
			if ferr := errors.Join(w.w.Flush(), f.Close()); ferr != nil && err == nil {
				err = fmt.Errorf("write %s: %w", x.opts.out, ferr)
			}
		}()
		sink = w
	}
	if !x.opts.dryRun {
		var err error
		if load, err = x.target.sink.Begin(ctx); err != nil {
			return err
		}
		sink = load
	}
	abort := func(cause error) error {
		if ctx.Err() != nil {
			return x.cancelled(ctx, load)
		}
		if load == nil {
			return cause
		}
		// A replace load writes into a staging collection, which the abort
		// drops: its documents never reach the target.
		x.discarded = p.Target.Mode == plan.ModeReplace
		cctx, cancel := x.cleanupContext()
		defer cancel()
		if err := load.Abort(cctx); err != nil {
			return errors.Join(cause, fmt.Errorf("abort the load: %w", err))
		}
		return cause
	}

	x.opts.say("reading %s", strings.Join(x.files, ", "))
	res, err := x.runPass(ctx, loadPass, x.dedupFor(keepLast), sink, x.rejects)
	x.pass = res
	if err != nil {
		return abort(err)
	}
	if load != nil {
		x.opts.say("finishing the load")
		result, err := load.Close(ctx)
		x.result = &result
		if err != nil {
			return abort(err)
		}
	}
	if rec := x.reconciliation(); !rec.Holds {
		return abort(withCode(ExitRuntime, fmt.Errorf("rows are unaccounted for: %s = %s",
			rec.Equation("loaded"), report.Thousands(rec.Accounted()))))
	}
	x.results = res.tally.Results()
	failed := failedChecks(x.results)
	if limit := p.Source.MaxRejects; failed == nil && limit.Exceeded(res.rejected(), res.rowsRead()) {
		x.run.Rejects.Exceeded = true
		failed = fmt.Errorf("%d of %d rows were rejected, more than max_rejects = %s; see %s",
			res.rejected(), res.rowsRead(), limit, filepath.Join(x.dir, report.RejectsFile))
	}
	if failed == nil && load != nil {
		if err := x.verifyAndIndex(ctx, load); err != nil {
			return abort(err)
		}
		if check := inDatabaseCheck(p); check != nil && !x.verify.Passed() && check.Severity == plan.SeverityError {
			failed = fmt.Errorf("check %q: what landed differs from what was sent", check.Name)
		}
	}
	if failed != nil {
		if load != nil && p.Target.Mode == plan.ModeReplace {
			failed = fmt.Errorf("%w; the previous collection was kept", failed)
		}
		return abort(withCode(ExitCheckFailed, failed))
	}
	if load != nil {
		if p.Target.Mode == plan.ModeReplace {
			x.opts.say("swapping the new collection in")
		}
		if err := load.Commit(ctx); err != nil {
			return abort(err)
		}
		x.run.Target.Swapped = p.Target.Mode == plan.ModeReplace
	}
	return nil
}

// cancelled stops a load the run's context cancelled and says what that
// left: in replace mode the staging collection is dropped (or, when the
// clean-up is abandoned or runs out of time, named as left) and the target
// is as it was; in append and upsert mode the documents written stay.
func (x *applyRun) cancelled(ctx context.Context, load *mongosink.Load) error {
	cause := context.Cause(ctx)
	target := x.plan.Target.Database + "." + x.plan.Target.Collection
	if load == nil {
		return withCode(ExitRuntime, fmt.Errorf("cancelled; nothing was written to %s: %w", target, cause))
	}
	staging := load.Staging()
	if staging != "" {
		x.opts.say("cancelled: dropping the staging collection %s (interrupt again to leave it for the next run)", staging)
	}
	cctx, cancel := x.cleanupContext()
	defer cancel()
	if err := load.Abort(cctx); err != nil {
		return withCode(ExitRuntime, fmt.Errorf("cancelled; %s is as it was, but the clean-up did not finish: %w (run cancelled: %w)", target, err, cause))
	}
	if staging == "" {
		return withCode(ExitRuntime, fmt.Errorf("cancelled; the documents written so far stay in %s (a re-run neither duplicates nor loses them): %w", target, cause))
	}
	return withCode(ExitRuntime, fmt.Errorf("cancelled; dropped the staging collection %s, %s is as it was: %w", staging, target, cause))
}

// verifyAndIndex verifies what landed, with an in_database check, and
// builds the indexes (the sink builds them during the verification when it
// can).
func (x *applyRun) verifyAndIndex(ctx context.Context, load *mongosink.Load) error {
	if check := inDatabaseCheck(x.plan); check != nil {
		x.opts.say("verifying what landed and creating the indexes")
		v, err := load.Verify(ctx, check.Sample)
		if err != nil {
			return err
		}
		x.verify = &v
	} else if len(x.plan.Target.Indexes) > 0 {
		x.opts.say("creating the indexes")
	}
	err := load.CreateIndexes(ctx)
	x.indexSeconds = load.IndexDuration().Seconds()
	return err
}

// failedChecks returns an error naming the checks with severity error that
// failed, or nil.
func failedChecks(results []checks.Result) error {
	var names []string
	for _, r := range results {
		if r.Failed && r.Check.Severity == plan.SeverityError {
			names = append(names, fmt.Sprintf("%q (%d rows)", r.Check.Name, r.Failures))
		}
	}
	if names == nil {
		return nil
	}
	return fmt.Errorf("check %s failed", strings.Join(names, ", "))
}

func hasErrorChecks(p *plan.Plan) bool {
	for _, c := range p.Checks {
		if c.Kind != plan.CheckInDatabase && c.Severity == plan.SeverityError {
			return true
		}
	}
	return false
}

func inDatabaseCheck(p *plan.Plan) *plan.Check {
	for i := range p.Checks {
		if p.Checks[i].Kind == plan.CheckInDatabase {
			return &p.Checks[i]
		}
	}
	return nil
}

// fileprint identifies the content of a source file as one pass read it.
type fileprint struct {
	size    int64
	modTime time.Time
	sum     [sha256.Size]byte
}

// statFile returns a file's size and modification time, without its hash.
func statFile(path string) (fileprint, error) {
	info, err := os.Stat(path)
	if err != nil {
		return fileprint{}, fmt.Errorf("source file %s: %w", path, err)
	}
	return fileprint{size: info.Size(), modTime: info.ModTime()}, nil
}

// hashFile returns a file's size, modification time and SHA-256.
func hashFile(path string) (fileprint, error) {
	fp, err := statFile(path)
	if err != nil {
		return fp, err
	}
	f, err := os.Open(path)
	if err != nil {
		return fp, fmt.Errorf("source file %s: %w", path, err)
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return fp, fmt.Errorf("hash source file %s: %w", path, err)
	}
	h.Sum(fp.sum[:0])
	return fp, nil
}

// diff says how now differs from was, or "" when they are the same; the
// hashes are compared only when both have one.
func (was fileprint) diff(now fileprint, hashed bool) string {
	var changes []string
	if now.size != was.size {
		changes = append(changes, fmt.Sprintf("its size went from %d to %d bytes", was.size, now.size))
	}
	if !now.modTime.Equal(was.modTime) {
		changes = append(changes, fmt.Sprintf("its modification time went from %s to %s",
			was.modTime.UTC().Format(time.RFC3339Nano), now.modTime.UTC().Format(time.RFC3339Nano)))
	}
	if hashed && now.sum != was.sum {
		changes = append(changes, "its content hash changed")
	}
	return strings.Join(changes, ", ")
}

// checkSourceBefore records the size and modification time of every source
// file before the first pass, and refuses them changed before a later one;
// the hashes are proved at the end of each pass, before anything is
// committed.
func (x *applyRun) checkSourceBefore() error {
	if !x.multiPass {
		return nil
	}
	prints := make([]fileprint, len(x.files))
	for i, path := range x.files {
		now, err := statFile(path)
		if err != nil {
			return withCode(ExitRuntime, err)
		}
		if x.prints != nil {
			if d := x.prints[i].diff(now, false); d != "" {
				return sourceChanged(path, d)
			}
		}
		prints[i] = now
	}
	if x.prints == nil {
		x.prints = prints
	}
	return nil
}

// checkSourceAfter proves that a pass read the files as they were before
// the first pass, and records their hashes after the first pass. A
// cancelled run skips it: it loads nothing anyway.
func (x *applyRun) checkSourceAfter(ctx context.Context, kind passKind) error {
	if !x.multiPass || ctx.Err() != nil {
		return nil
	}
	for i, path := range x.files {
		now, err := hashFile(path)
		if err != nil {
			return withCode(ExitRuntime, fmt.Errorf("%s pass: %w", kind, err))
		}
		if d := x.prints[i].diff(now, x.hashed); d != "" {
			return sourceChanged(path, d)
		}
		x.prints[i].sum = now.sum
	}
	x.hashed = true
	return nil
}

// sourceChanged is the error of a source file that changed between passes:
// rows a pass reads must be the rows the others checked.
func sourceChanged(path, change string) error {
	return withCode(ExitRuntime, fmt.Errorf("the source file %s changed while the run read it (%s); nothing was loaded: run again once it stays unchanged", path, change))
}

// estimateRows guesses how many rows the files hold from their sizes and
// the line length at the start of the first; a little under, since a key
// set that grows at the end costs less than one sized too big.
func estimateRows(files []string) int {
	const sample = 256 << 10
	var total int64
	for _, f := range files {
		if info, err := os.Stat(f); err == nil {
			total += info.Size()
		}
	}
	f, err := os.Open(files[0])
	if err != nil {
		return 0
	}
	defer f.Close()
	buf := make([]byte, sample)
	n, _ := io.ReadFull(f, buf)
	lines := bytes.Count(buf[:n], []byte{'\n'})
	if lines == 0 {
		return 0
	}
	return int(float64(total) / (float64(n) / float64(lines)) * 0.9)
}

// expandSource returns the files a source path names, in lexical order.
func expandSource(path string) ([]string, error) {
	files, err := filepath.Glob(path)
	if err != nil {
		return nil, fmt.Errorf("source path %q: %w", path, err)
	}
	if len(files) == 0 {
		return nil, fmt.Errorf("no file matches the source path %q (relative paths start from the current directory)", path)
	}
	sort.Strings(files)
	return files, nil
}

// targetName names the target for people, without credentials.
func targetName(p *plan.Plan, storeDir string) string {
	if p.Target.URI != "" {
		return plan.RedactURI(p.Target.URI)
	}
	if storeDir == "" {
		storeDir = p.Target.EmbeddedDir
	}
	return "embedded store in " + storeDir
}

// sensitive reports whether a column is marked sensitive. Rejects from the
// source name the CSV field rather than the column, so a field that a
// sensitive column reads is sensitive too.
func (x *applyRun) sensitive(name string) bool {
	if c, _ := x.plan.Column(name); c != nil && c.Sensitive {
		return true
	}
	for _, c := range x.plan.Columns {
		if c.Sensitive && c.From == name {
			return true
		}
	}
	return false
}
