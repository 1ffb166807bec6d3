package runner

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"runner/stages/report"
	"runner/stages/stagetest"
)

// variant writes a copy of the healthcare pipeline with each old → new
// replacement applied, for scenarios the pipeline's variables do not cover.
func (w *workspace) variant(name string, replacements ...string) string {
	w.t.Helper()
	src, err := os.ReadFile(w.healthcare)
	if err != nil {
		w.t.Fatal(err)
	}
	text := string(src)
	for i := 0; i < len(replacements); i += 2 {
		if !strings.Contains(text, replacements[i]) {
			w.t.Fatalf("the healthcare pipeline has no %q to replace", replacements[i])
		}
		text = strings.ReplaceAll(text, replacements[i], replacements[i+1])
	}
	path := filepath.Join(w.dir, name)
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		w.t.Fatal(err)
	}
	return path
}

// ageOutOfRange writes a copy of a generated CSV whose line 6 holds an age
// of 150, which breaks the error check ages_in_range, and returns its path.
func (w *workspace) ageOutOfRange(src, name string) string {
	w.t.Helper()
	data, err := os.ReadFile(src)
	if err != nil {
		w.t.Fatal(err)
	}
	lines := strings.Split(string(data), "\n")
	fields := strings.Split(lines[5], ",")
	fields[1] = "150"
	lines[5] = strings.Join(fields, ",")
	path := filepath.Join(w.dir, name)
	if err := os.WriteFile(path, []byte(strings.Join(lines, "\n")), 0o644); err != nil {
		w.t.Fatal(err)
	}
	return path
}

// TestApplyGeneratedData runs the default path: no URI, the embedded store
// started in-process.
func TestApplyGeneratedData(t *testing.T) {
	w := newWorkspace(t)
	csv, sum := w.generate("admissions.csv", 4_000, 3)
	run, stderr, code := w.apply(csv)
	if code != ExitOK {
		t.Fatalf("exit %d: %s\n%s", code, run.Error, stderr)
	}
	checkStatus(t, run, report.StatusSucceeded)
	if want := "embedded store in " + w.store; run.Target.URI != want {
		t.Errorf("the report names the target %q, want %q", run.Target.URI, want)
	}
	loaded := int64(sum.Rows - sum.ExactDuplicates)
	checkReconciles(t, run, int64(sum.Rows), 0, int64(sum.ExactDuplicates), loaded)
	if run.Verification == nil || !run.Verification.Passed || run.Verification.Found != loaded || !run.Verification.DigestMatch {
		t.Fatalf("verification = %+v", run.Verification)
	}
	checks := map[string]report.Check{}
	for _, c := range run.Checks {
		checks[c.Name] = c
	}
	if c := checks["near_duplicates"]; c.Status != "warned" || c.Failures != int64(sum.NearDuplicates) {
		t.Errorf("near_duplicates = %+v, want warned with %d failures", c, sum.NearDuplicates)
	}
	if c := checks["billing_not_negative"]; c.Status != "warned" || c.Failures == 0 || len(c.Samples) == 0 {
		t.Errorf("billing_not_negative = %+v, want warned with samples", c)
	}
	for _, name := range []string{"ages_in_range", "known_gender", "known_blood_type", "discharge_after_admission", "all_rows_landed"} {
		if c := checks[name]; c.Status != "passed" {
			t.Errorf("%s = %+v, want passed", name, c)
		}
	}
	if count, _ := w.collection("admissions"); count != loaded {
		t.Errorf("the collection holds %d documents, want %d", count, loaded)
	}
	// Dedup and near_duplicates each hold at least an 8-byte hash per
	// distinct row.
	if least := 2 * 8 * loaded; run.Runtime.KeySetBytes < least {
		t.Errorf("key sets of %d bytes reported, want at least %d for %d distinct rows", run.Runtime.KeySetBytes, least, loaded)
	}

	// The report folder holds every report, and run.json says what -json said.
	latest := filepath.Join(w.dir, "reports", "latest")
	for _, f := range []string{report.RunJSONFile, report.CleaningFile, report.QualityFile, report.RejectsFile} {
		info, err := os.Stat(filepath.Join(latest, f))
		if err != nil {
			t.Fatalf("report %s: %v", f, err)
		}
		if info.Mode().Perm() != 0o600 {
			t.Errorf("%s has mode %v, want 0600", f, info.Mode().Perm())
		}
	}
	data, err := os.ReadFile(filepath.Join(latest, report.RunJSONFile))
	if err != nil {
		t.Fatal(err)
	}
	var saved report.Run
	if err := json.Unmarshal(data, &saved); err != nil {
		t.Fatal(err)
	}
	if saved.Reconciliation != run.Reconciliation || saved.RunID != run.RunID {
		t.Errorf("run.json reconciliation %+v, -json %+v", saved.Reconciliation, run.Reconciliation)
	}
	md, _ := os.ReadFile(filepath.Join(latest, report.CleaningFile))
	mustContain(t, string(md), "## Columns")
	mustContain(t, string(md), "| name | Name | string |")
}

func TestApplyRealDataset(t *testing.T) {
	csv := stagetest.RealDataset(t)
	w := newWorkspace(t)
	w.serve()
	for i := range 2 { // replace twice: the second run must leave exactly the same documents
		run, stderr, code := w.apply(csv)
		if code != ExitOK {
			t.Fatalf("run %d: exit %d: %s\n%s", i+1, code, run.Error, stderr)
		}
		checkReconciles(t, run, 55_500, 0, 534, 54_966)
		if v := run.Verification; v == nil || !v.Passed || v.Expected != 54_966 || v.Found != 54_966 {
			t.Fatalf("run %d: verification = %+v", i+1, v)
		}
		if count, _ := w.collection("admissions"); count != 54_966 {
			t.Fatalf("run %d: the collection holds %d documents, want 54,966", i+1, count)
		}
	}
}

func TestReapplyInEveryModeConverges(t *testing.T) {
	w := newWorkspace(t)
	w.serve()
	// Small: the embedded store finds each upserted _id by a scan.
	csv, sum := w.generate("admissions.csv", 600, 5)
	want := int64(sum.Rows - sum.ExactDuplicates)
	run, stderr, code := w.apply(csv)
	if code != ExitOK {
		t.Fatalf("replace: exit %d: %s\n%s", code, run.Error, stderr)
	}
	_, before := w.collection("admissions")

	replaced, _, code := w.apply(csv)
	if code != ExitOK || replaced.Target.Inserted != want {
		t.Fatalf("second replace: exit %d, %+v", code, replaced.Target)
	}

	appendPipeline := w.variant("append.hcl", `mode       = "replace"`, `mode       = "append"`)
	w.pipeline = appendPipeline
	appended, stderr, code := w.apply(csv)
	if code != ExitOK {
		t.Fatalf("append: exit %d: %s\n%s", code, appended.Error, stderr)
	}
	if appended.Target.Inserted != 0 || appended.Target.AlreadyPresent != want {
		t.Errorf("append re-run: %+v, want 0 inserted and %d already present", appended.Target, want)
	}
	checkReconciles(t, appended, int64(sum.Rows), 0, int64(sum.ExactDuplicates), want)

	w.pipeline = w.variant("upsert.hcl", `mode       = "replace"`, `mode       = "upsert"`)
	upserted, stderr, code := w.apply(csv)
	if code != ExitOK {
		t.Fatalf("upsert: exit %d: %s\n%s", code, upserted.Error, stderr)
	}
	if upserted.Target.Replaced+upserted.Target.Upserted != want || upserted.Target.Upserted != 0 {
		t.Errorf("upsert re-run: %+v, want %d replaced", upserted.Target, want)
	}

	count, after := w.collection("admissions")
	if count != want || len(after) != len(before) {
		t.Fatalf("after every mode: %d documents, want %d", count, want)
	}
	for id := range before {
		if !after[id] {
			t.Fatalf("document %s is gone", id)
		}
	}
}

// TestFailingCheckKeepsPreviousCollection loads good data, then data that
// breaks an error check: the run fails with exit 1 and the collection is
// the first run's.
func TestFailingCheckKeepsPreviousCollection(t *testing.T) {
	w := newWorkspace(t)
	w.serve()
	good, _ := w.generate("good.csv", 2_000, 7)
	if run, stderr, code := w.apply(good); code != ExitOK {
		t.Fatalf("first run: exit %d: %s\n%s", code, run.Error, stderr)
	}
	countBefore, before := w.collection("admissions")

	bad := w.ageOutOfRange(good, "bad.csv")
	run, _, code := w.apply(bad)
	if code != ExitCheckFailed {
		t.Fatalf("exit %d, want %d (%s)", code, ExitCheckFailed, run.Error)
	}
	checkStatus(t, run, report.StatusChecksFailed)
	mustContain(t, run.Error, "ages_in_range")
	mustContain(t, run.Error, "the previous collection was kept")
	for _, c := range run.Checks {
		if c.Name == "ages_in_range" && (c.Failures != 1 || len(c.Samples) != 1 || c.Samples[0].Line != 6) {
			t.Errorf("ages_in_range = %+v, want one failure on line 6", c)
		}
	}
	count, after := w.collection("admissions")
	if count != countBefore || len(after) != len(before) {
		t.Fatalf("the collection holds %d documents, want the previous %d", count, countBefore)
	}
	for id := range before {
		if !after[id] {
			t.Fatalf("document %s of the previous run is gone", id)
		}
	}
	if left := w.stagingLeft(); len(left) != 0 {
		t.Errorf("staging collections left: %v", left)
	}
}

// TestSourceChangedBetweenPassesIsRefused appends a row that breaks an error
// check to the source after the first pass: the run refuses, naming the
// file, and the target gets nothing.
func TestSourceChangedBetweenPassesIsRefused(t *testing.T) {
	for _, tc := range []struct {
		name         string
		replacements []string
	}{
		{"append", []string{`mode       = "replace"`, `mode       = "append"`}},
		{"keep last", []string{`keep = "first"`, `keep = "last"`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := newWorkspace(t)
			w.pipeline = w.variant("changed.hcl", tc.replacements...)
			csv, _ := w.generate("admissions.csv", 500, 31)
			data, err := os.ReadFile(csv)
			if err != nil {
				t.Fatal(err)
			}
			fields := strings.Split(strings.Split(string(data), "\n")[1], ",")
			fields[1] = "999"
			appendRow := func(kind passKind) {
				if kind != loadPass {
					return
				}
				f, err := os.OpenFile(csv, os.O_APPEND|os.O_WRONLY, 0)
				if err != nil {
					t.Error(err)
					return
				}
				defer f.Close()
				if _, err := f.WriteString(strings.Join(fields, ",") + "\n"); err != nil {
					t.Error(err)
				}
			}
			run, err := apply(context.Background(), w.compile(w.pipeline, csv), w.options(w.pipeline, func(o *applyOptions) { o.beforePass = appendRow }))
			if code := codeOf(err); code != ExitRuntime {
				t.Fatalf("exit %d, want %d: %v", code, ExitRuntime, err)
			}
			mustContain(t, run.Error, "the source file "+csv+" changed")
			mustContain(t, run.Error, "its size went from")
			if count, _ := w.collection("admissions"); count != 0 {
				t.Errorf("the target holds %d documents, want none", count)
			}
			if left := w.stagingLeft(); len(left) != 0 {
				t.Errorf("staging collections left: %v", left)
			}
		})
	}
}

// TestMaxRecordBytesIsASourceSetting sets the record limit the reject
// message names: a longer row is rejected with that reason, the rest load.
func TestMaxRecordBytesIsASourceSetting(t *testing.T) {
	w := newWorkspace(t)
	w.pipeline = w.variant("records.hcl", "max_rejects = 0.01", "max_rejects = 0.01\n  max_record_bytes = 400")
	csv, sum := w.generate("admissions.csv", 200, 9)
	appendLines(t, csv, "Ann "+strings.Repeat("Long", 120)+",44,Male,B-,Asthma,2024-01-02,Dr Y,Hospital,Aetna,12.25,107,Elective,2024-01-09,Aspirin,Normal")
	run, stderr, code := w.apply(csv, "-dry-run")
	if code != ExitOK {
		t.Fatalf("exit %d: %s\n%s", code, run.Error, stderr)
	}
	checkReconciles(t, run, int64(sum.Rows+1), 1, int64(sum.ExactDuplicates), int64(sum.Rows-sum.ExactDuplicates))
	data, err := os.ReadFile(filepath.Join(w.dir, "reports", "latest", report.RejectsFile))
	if err != nil {
		t.Fatal(err)
	}
	mustContain(t, string(data), "longer than 400 bytes (max_record_bytes)")
}
