package runner

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"runner/stages/embedded"
	"runner/stages/report"
)

// applyWith runs apply on the workspace's pipeline in-process with the
// workspace's options changed by edit, for what the command line cannot
// reach.
func (w *workspace) applyWith(csvPath string, edit func(*applyOptions)) (*report.Run, error) {
	w.t.Helper()
	return apply(context.Background(), w.compile(w.pipeline, csvPath), w.options(w.pipeline, edit))
}

// latestRun returns the run folder reports/latest points at.
func (w *workspace) latestRun() string {
	w.t.Helper()
	target, err := os.Readlink(filepath.Join(w.dir, "reports", "latest"))
	if err != nil {
		w.t.Fatal(err)
	}
	return target
}

func runFolder(run *report.Run) string { return run.Pipeline + "-" + run.RunID }

// A report that cannot be written: no partial file under the report's
// name, latest still at the last complete reports, and an error that says
// what became of the data. After a load that stands it is exit 3 and says
// first that the data landed, so that nobody loads it again.
func TestReportsThatCannotBeWrittenKeepLatest(t *testing.T) {
	w := newWorkspace(t)
	csv, sum := w.generate("admissions.csv", 300, 41)
	loaded := int64(sum.Rows - sum.ExactDuplicates)
	first, stderr, code := w.apply(csv)
	if code != ExitOK {
		t.Fatalf("first run: exit %d: %s\n%s", code, first.Error, stderr)
	}
	complete := runFolder(first)
	bad := filepath.Join(w.dir, "bad.csv")
	if err := os.WriteFile(bad, mustRead(t, csv), 0o644); err != nil {
		t.Fatal(err)
	}
	setAge(t, bad, "150", 4) // ages_in_range fails

	landed := "the data landed: " + report.Thousands(loaded) + " rows are in medical_records.admissions, but the reports could not be written: "
	tests := []struct {
		name     string
		file     string // where a folder stands in the report's place
		csv      string
		dryRun   bool
		wantCode int
		want     string // the error's start
		swapped  bool
	}{
		{name: "rejects.csv", file: report.RejectsFile, csv: csv, wantCode: ExitRuntime, want: landed, swapped: true},
		{name: "cleaning.md", file: report.CleaningFile, csv: csv, wantCode: ExitRuntime, want: landed, swapped: true},
		{name: "quality.csv", file: report.QualityFile, csv: csv, wantCode: ExitRuntime, want: landed, swapped: true},
		{name: "run.json", file: report.RunJSONFile, csv: csv, wantCode: ExitRuntime, want: landed, swapped: true},
		{name: "dry run", file: report.CleaningFile, csv: csv, dryRun: true, wantCode: ExitRuntime,
			want: "the dry run succeeded, but the reports could not be written: "},
		{name: "failed check", file: report.QualityFile, csv: bad, wantCode: ExitCheckFailed,
			want: `check "ages_in_range" (1 rows) failed; the previous collection was kept` + "\nthe reports could not be written: "},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var dir string
			run, err := w.applyWith(tc.csv, func(o *applyOptions) {
				o.dryRun = tc.dryRun
				o.reportDirCreated = func(d string) {
					dir = d
					// A folder where the report should go: its rename fails.
					if err := os.Mkdir(filepath.Join(d, tc.file), 0o700); err != nil {
						t.Error(err)
					}
				}
			})
			if got := codeOf(err); got != tc.wantCode {
				t.Fatalf("exit %d (%v), want %d", got, err, tc.wantCode)
			}
			if !strings.HasPrefix(err.Error(), tc.want) || !strings.Contains(err.Error(), filepath.Join(dir, tc.file)) {
				t.Errorf("error = %q, want it to start %q and name %s", err, tc.want, filepath.Join(dir, tc.file))
			}
			if run.Error != err.Error() || run.Status == report.StatusSucceeded || run.Target.Swapped != tc.swapped {
				t.Errorf("report: status %s, error %q, swapped %v; want a failure, the error, swapped %v", run.Status, run.Error, run.Target.Swapped, tc.swapped)
			}
			if got := w.latestRun(); got != complete {
				t.Errorf("latest -> %s, want the last complete run %s", got, complete)
			}
			entries, err := os.ReadDir(dir)
			if err != nil {
				t.Fatal(err)
			}
			for _, e := range entries {
				if strings.HasPrefix(e.Name(), ".") || (e.Name() == tc.file && !e.IsDir()) {
					t.Errorf("the run folder holds %s, a temporary or partial file", e.Name())
				}
			}
		})
	}
	if count, _ := w.collection("admissions"); count != loaded {
		t.Errorf("the collection holds %d documents, want the %d that landed", count, loaded)
	}
}

func mustRead(t *testing.T, path string) []byte {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// A run refused because another runner holds the store leaves latest at
// the last run that reached its target; a dry run, which needs no target,
// moves it.
func TestLockedStoreDoesNotMoveLatest(t *testing.T) {
	w := newWorkspace(t)
	csv, _ := w.generate("admissions.csv", 200, 43)
	first, stderr, code := w.apply(csv)
	if code != ExitOK {
		t.Fatalf("first run: exit %d: %s\n%s", code, first.Error, stderr)
	}
	store, err := embedded.Start(context.Background(), embedded.Options{Dir: w.store})
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()

	refused, _, code := w.apply(csv)
	if code != ExitRuntime {
		t.Fatalf("exit %d, want %d: %s", code, ExitRuntime, refused.Error)
	}
	mustContain(t, refused.Error, "in use by another runner")
	if got := w.latestRun(); got != runFolder(first) {
		t.Errorf("latest -> %s after the refused run, want %s", got, runFolder(first))
	}

	dry, stderr, code := w.apply(csv, "-dry-run")
	if code != ExitOK {
		t.Fatalf("dry run: exit %d: %s\n%s", code, dry.Error, stderr)
	}
	if got := w.latestRun(); got != runFolder(dry) {
		t.Errorf("latest -> %s after the dry run, want %s", got, runFolder(dry))
	}
}
