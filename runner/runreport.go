package runner

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"runtime"
	"slices"
	"strings"
	"time"

	"runner/stages/checks"
	"runner/stages/mongosink"
	"runner/stages/plan"
	"runner/stages/report"
)

// loaded counts the rows that became documents in the target (or, in a
// dry run, that would have). Documents of a dropped staging collection
// never reached it.
func (x *applyRun) loaded() int64 {
	if x.discarded {
		return 0
	}
	return x.sent()
}

// sent counts the documents the database took, into the target or into the
// staging collection of a replace load (in a dry run, that were built).
func (x *applyRun) sent() int64 {
	if x.result == nil {
		if x.opts.dryRun && x.pass != nil {
			return x.pass.docs
		}
		return 0
	}
	r := x.result
	return r.Inserted + r.AlreadyPresent + r.Upserted + r.Replaced
}

// reconciliation returns the run's row accounting.
func (x *applyRun) reconciliation() report.Reconciliation {
	res := x.pass
	if res == nil {
		return report.Reconciliation{}
	}
	r := report.Reconciliation{RowsRead: res.rowsRead(), RowsRejected: res.rejected(),
		RowsDeduplicated: res.deduplicated, RowsLoaded: x.loaded()}
	if x.discarded {
		r.RowsDiscarded = x.sent()
	}
	if res.rejectsExceeded {
		// The pass stopped at the batch that passed the limit: the rows it
		// kept so far were never loaded (a replace load drops its staging
		// collection; nothing was committed).
		r.RowsNotProcessed = res.rowsIn - res.columnRejects - res.deduplicated - r.RowsLoaded - r.RowsDiscarded
	}
	r.Holds = r.RowsRead == r.Accounted()
	return r
}

// finishReport fills the run's report from what the run got through.
func (x *applyRun) finishReport(err error) {
	run := x.run
	finished := time.Now()
	run.FinishedAt, run.Seconds = finished.UTC(), finished.Sub(x.started).Seconds()
	switch {
	case err == nil:
		run.Status = report.StatusSucceeded
	case errors.Is(err, context.Canceled):
		run.Status = report.StatusCancelled
	case codeOf(err) == ExitCheckFailed:
		run.Status = report.StatusChecksFailed
	default:
		run.Status = report.StatusFailed
	}
	if err != nil {
		run.Error = err.Error()
	}
	run.Reconciliation = x.reconciliation()
	if res := x.pass; res != nil {
		run.Source.Bytes = res.source.Bytes
		run.Stages = x.stageReports()
		run.Cleaning = x.cleaningReports()
		run.Quality = x.qualityReports()
		if p := x.plan; p.Dedup != nil {
			keys := "every column"
			if !p.Dedup.AllColumns {
				keys = "the columns " + joinNames(p.Dedup.Keys)
			}
			run.Dedup = &report.Dedup{Keys: keys, Keep: p.Dedup.Keep.String(), Removed: res.deduplicated, Lines: res.dedupLines}
		}
	}
	run.Checks = x.checkReports()
	if v := x.verify; v != nil {
		run.Verification = verificationReport(v)
	}
	if r := x.result; r != nil {
		t := &run.Target
		t.Inserted, t.AlreadyPresent, t.Upserted, t.Replaced = r.Inserted, r.AlreadyPresent, r.Upserted, r.Replaced
		t.Batches, t.Retries, t.Bytes = r.Batches, r.Retries, r.Bytes
		t.Seconds, t.IndexSeconds = r.Duration.Seconds(), x.indexSeconds
	}
	if x.rejects != nil {
		run.Rejects.Rows = x.rejects.Rows()
		run.Rejects.Reasons = x.rejects.Reasons()
	}
	run.Runtime = runtimeReport(x.opts.version)
	run.Runtime.KeySetBytes = x.memory.keySets
}

func (x *applyRun) stageReports() []report.Stage {
	res := x.pass
	afterColumns := res.rowsIn - res.columnRejects
	kept := afterColumns - res.deduplicated
	stage := func(id string, in, out, rejected, removed int64) report.Stage {
		s := report.Stage{ID: id, RowsIn: in, RowsOut: out, RowsRejected: rejected, RowsRemoved: removed}
		if c, ok := res.clocks[id]; ok {
			s.Seconds = c.seconds()
		}
		if s.Seconds > 0 {
			s.RowsPerSecond = float64(in) / s.Seconds
		}
		return s
	}
	out := []report.Stage{
		stage(stageSource, res.rowsRead(), res.rowsIn, res.sourceRejects, 0),
		stage(stageColumns, res.rowsIn, afterColumns, res.columnRejects, 0),
	}
	if x.plan.Dedup != nil {
		out = append(out, stage(stageDedup, afterColumns, kept, 0, res.deduplicated))
	}
	out = append(out, stage(stageChecks, kept, kept, 0, 0), stage(stageDocument, kept, res.docs, 0, 0))
	target := stage(stageTarget, res.docs, x.loaded(), 0, 0)
	if x.result != nil {
		target.Seconds = x.result.Duration.Seconds()
		if target.Seconds > 0 {
			target.RowsPerSecond = float64(res.docs) / target.Seconds
		}
	}
	out = append(out, target)
	if v := x.verify; v != nil {
		out = append(out, report.Stage{ID: stageVerify, RowsIn: v.Expected, RowsOut: v.Found, Seconds: v.Duration.Seconds()})
	}
	return out
}

func (x *applyRun) cleaningReports() []report.Cleaning {
	var out []report.Cleaning
	for i, c := range x.plan.Columns {
		if i >= len(x.pass.colStats.Columns) {
			break
		}
		st := x.pass.colStats.Columns[i]
		rc := report.Cleaning{Column: c.Name, From: c.From, Type: c.Type.String(), Steps: steps(&c),
			Changed: st.Changed, Nulls: st.Nulls, CastFailures: st.CastFailures, OnError: c.OnError.String(),
			DefaultsApplied: st.DefaultsApplied, RequiredMissing: st.RequiredMissing, Sensitive: c.Sensitive}
		for _, e := range st.Examples {
			ex := report.Example{Line: e.Origin.Line(), Before: e.Before, After: e.After}
			if c.Sensitive {
				ex.Before, ex.After = report.MaskedValue, report.MaskedValue
			}
			rc.Examples = append(rc.Examples, ex)
		}
		out = append(out, rc)
	}
	return out
}

// steps renders a column's clean list and expression as written.
func steps(c *plan.Column) string {
	var parts []string
	if c.Clean != nil {
		parts = append(parts, "clean: "+c.Clean.String())
	}
	if c.Expr != nil {
		parts = append(parts, "expr: "+c.Expr.String())
	}
	if c.Default != nil {
		parts = append(parts, "default: "+c.Default.String())
	}
	return strings.Join(parts, "; ")
}

func (x *applyRun) qualityReports() []report.Quality {
	if x.pass.profile == nil {
		return nil
	}
	var out []report.Quality
	for _, s := range x.pass.profile.Result() {
		q := report.Quality{Column: s.Name, Type: s.Type, Count: s.Count, Nulls: s.Nulls, Distinct: s.Distinct,
			DistinctExact: s.DistinctExact, Min: s.Min, Max: s.Max, Mean: s.Mean, MinLength: s.MinLength, MaxLength: s.MaxLength}
		if x.sensitive(s.Name) {
			q.Min, q.Max, q.Mean = report.MaskedValue, report.MaskedValue, nil
		}
		out = append(out, q)
	}
	return out
}

func (x *applyRun) checkReports() []report.Check {
	byName := map[string]checks.Result{}
	for _, r := range x.results {
		byName[r.Check.Name] = r
	}
	var out []report.Check
	for i := range x.plan.Checks {
		spec := &x.plan.Checks[i]
		c := report.Check{Name: spec.Name, Kind: spec.Kind.String(), Severity: spec.Severity.String(),
			Message: spec.Message, Declared: spec.Range.String(), Tolerated: spec.MaxFailures.String(), Status: "skipped"}
		if spec.Kind == plan.CheckInDatabase {
			if v := x.verify; v != nil {
				c.RowsChecked, c.Status = v.Expected, status(!v.Passed(), spec.Severity)
				if !v.Passed() {
					c.Failures = 1
					c.Detail = "what landed differs from what was sent: see the verification section"
				}
			}
			out = append(out, c)
			continue
		}
		if r, ok := byName[spec.Name]; ok {
			c.RowsChecked, c.Failures, c.Samples, c.Detail = r.RowsChecked, r.Failures, r.Samples, r.Detail
			c.Status = status(r.Failed, spec.Severity)
			for si := range c.Samples {
				c.Samples[si].Values = x.maskValues(c.Samples[si].Values)
			}
		}
		out = append(out, c)
	}
	return out
}

func status(failed bool, severity plan.Severity) string {
	switch {
	case !failed:
		return "passed"
	case severity == plan.SeverityWarn:
		return "warned"
	}
	return "failed"
}

func (x *applyRun) maskValues(values []report.Value) []report.Value {
	for i := range values {
		if x.sensitive(values[i].Name) {
			values[i].Value = report.MaskedValue
		}
	}
	return values
}

// writeReports closes rejects.csv and writes the report files the pipeline
// asks for, run.json last so that it records a failure of the others. Once
// every one is written, and the run reached its target (or was a dry run),
// it points the reports' latest at the run: latest never names an
// incomplete set of reports, nor a run that another runner's hold on the
// store refused. It returns runErr, the run's own error, with any failure
// to write added.
func (x *applyRun) writeReports(runErr error) error {
	if x.dir == "" {
		return runErr
	}
	x.run.Files = x.reportFiles()
	scrub := secretScrubber(x.plan.Secrets)
	err := runErr
	failed := x.writeReportsButJSON(scrub)
	if failed != nil {
		err = x.reportsFailed(runErr, failed)
	}
	if slices.Contains(x.plan.Report.Formats, "json") {
		if jerr := report.WriteJSON(x.dir, x.run, scrub); jerr != nil {
			failed = errors.Join(failed, jerr)
			err = x.reportsFailed(runErr, failed)
		}
	}
	if failed != nil || (x.target == nil && !x.opts.dryRun) {
		return err
	}
	if lerr := report.PointLatest(x.dir); lerr != nil {
		return x.reportsFailed(runErr, lerr)
	}
	return err
}

// reportFiles names the report files of the run: those of the pipeline's
// formats, and rejects.csv, which is always written.
func (x *applyRun) reportFiles() []string {
	names := map[string]string{"json": report.RunJSONFile, "markdown": report.CleaningFile, "csv": report.QualityFile}
	var files []string
	for _, f := range x.plan.Report.Formats {
		files = append(files, names[f])
	}
	return append(files, report.RejectsFile)
}

// writeReportsButJSON closes rejects.csv and writes the reports of every
// format but run.json.
func (x *applyRun) writeReportsButJSON(scrub report.Scrub) error {
	writers := map[string]func(string, *report.Run, report.Scrub) error{
		"markdown": report.WriteMarkdown, "csv": report.WriteQualityCSV,
	}
	var failed error
	if x.rejects != nil {
		failed = x.rejects.Close()
	}
	for _, f := range x.plan.Report.Formats {
		if write, ok := writers[f]; ok {
			failed = errors.Join(failed, write(x.dir, x.run, scrub))
		}
	}
	return failed
}

// reportsFailed returns the error of a run whose reports could not be
// written, and records it in the run's report. A run that succeeded exits
// with ExitRuntime and says first that its data is in place, so that nobody
// loads it again; a run that failed keeps its own exit code.
func (x *applyRun) reportsFailed(runErr, cause error) error {
	var err error
	switch {
	case runErr != nil:
		err = errors.Join(runErr, fmt.Errorf("the reports could not be written: %w", cause))
	case x.opts.dryRun:
		err = withCode(ExitRuntime, fmt.Errorf("the dry run succeeded, but the reports could not be written: %w", cause))
	default:
		t := x.run.Target
		err = withCode(ExitRuntime, fmt.Errorf("the data landed: %s rows are in %s.%s, but the reports could not be written: %w",
			report.Thousands(x.loaded()), t.Database, t.Collection, cause))
	}
	if runErr == nil {
		x.run.Status = report.StatusFailed
	}
	x.run.Error = err.Error()
	return err
}

// secretScrubber replaces every sensitive variable's value in rendered
// output.
func secretScrubber(secrets []string) report.Scrub {
	return func(b []byte) []byte {
		for _, s := range secrets {
			if s != "" {
				b = bytes.ReplaceAll(b, []byte(s), []byte(report.MaskedValue))
			}
		}
		return b
	}
}

func runtimeReport(version string) report.Runtime {
	cpu, rss := processUsage()
	return report.Runtime{CPUSeconds: cpu, PeakRSSBytes: rss, GoVersion: runtime.Version(), CPUs: runtime.NumCPU(), Version: version}
}

func joinNames(names []string) string { return strings.Join(names, ", ") }

func verificationReport(v *mongosink.Verification) *report.Verification {
	out := &report.Verification{Passed: v.Passed(), Expected: v.Expected, Found: v.Found, DigestMatch: v.DigestMatch,
		DuplicateIDs: v.DuplicateIDs, Sampled: v.Sampled, Served: v.Served, ServedMismatches: v.ServedMismatches,
		Seconds: v.Duration.Seconds()}
	for _, m := range v.TypeMismatches {
		out.TypeMismatches = append(out.TypeMismatches, report.TypeMismatch{Path: m.Path, Sent: m.Want.String(), Got: m.Got.String()})
	}
	for _, m := range v.SampleMismatches {
		out.SampleMismatches = append(out.SampleMismatches, report.SampleMismatch{Line: m.Origin.Line(), ID: m.ID, Path: m.Path, Want: m.Want, Got: m.Got})
	}
	return out
}
