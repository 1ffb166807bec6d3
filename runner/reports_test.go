package runner

import (
	"context"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/memory"

	"runner/stages/embedded"
	"runner/stages/report"
)

// applyWith runs apply on the workspace's pipeline in-process with the
// given options, for what the command line cannot reach.
func (w *workspace) applyWith(csvPath string, opts applyOptions) (*report.Run, error) {
	w.t.Helper()
	a := &app{stdout: io.Discard, stderr: io.Discard, lookupEnv: os.LookupEnv, readFile: os.ReadFile,
		logger: slog.New(slog.DiscardHandler)}
	l, err := a.load(w.pipeline, pipelineFlags{vars: []string{"csv_path=" + csvPath}})
	if err != nil {
		w.t.Fatal(err)
	}
	opts.file, opts.storeDir, opts.mem, opts.workers = w.pipeline, w.store, memory.NewGoAllocator(), 2
	opts.meter, opts.say, opts.logger = &meter{}, func(string, ...any) {}, a.logger
	return apply(context.Background(), l.plan, opts)
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

// A report that cannot be written after the data landed: exit 3 with a
// message that says the data is in place, no partial file under the
// report's name, and latest still at the last complete reports.
func TestReportsThatCannotBeWrittenKeepLatest(t *testing.T) {
	w := newWorkspace(t)
	csv, sum := w.generate("admissions.csv", 300, 41)
	loaded := int64(sum.Rows - sum.ExactDuplicates)
	first, stderr, code := w.apply(csv)
	if code != ExitOK {
		t.Fatalf("first run: exit %d: %s\n%s", code, first.Error, stderr)
	}
	complete := runFolder(first)
	for _, file := range []string{report.RejectsFile, report.CleaningFile, report.QualityFile, report.RunJSONFile} {
		t.Run(file, func(t *testing.T) {
			var dir string
			run, err := w.applyWith(csv, applyOptions{reportDirCreated: func(d string) {
				dir = d
				// A folder where the report should go: its rename fails.
				if err := os.Mkdir(filepath.Join(d, file), 0o700); err != nil {
					t.Error(err)
				}
			}})
			if got := codeOf(err); got != ExitRuntime {
				t.Fatalf("exit %d (%v), want %d", got, err, ExitRuntime)
			}
			want := "the data landed: " + report.Thousands(loaded) + " rows are in medical_records.admissions, but the reports could not be written: "
			if !strings.HasPrefix(err.Error(), want) || !strings.Contains(err.Error(), filepath.Join(dir, file)) {
				t.Errorf("error = %q, want it to start %q and name %s", err, want, filepath.Join(dir, file))
			}
			if run.Status != report.StatusFailed || run.Error != err.Error() || !run.Target.Swapped {
				t.Errorf("report: status %s, error %q, swapped %v; want failed, the error, swapped", run.Status, run.Error, run.Target.Swapped)
			}
			if got := w.latestRun(); got != complete {
				t.Errorf("latest -> %s, want the last complete run %s", got, complete)
			}
			entries, err := os.ReadDir(dir)
			if err != nil {
				t.Fatal(err)
			}
			for _, e := range entries {
				if strings.HasPrefix(e.Name(), ".") || (e.Name() == file && !e.IsDir()) {
					t.Errorf("the run folder holds %s, a temporary or partial file", e.Name())
				}
			}
		})
	}
	if count, _ := w.collection("admissions"); count != loaded {
		t.Errorf("the collection holds %d documents, want the %d that landed", count, loaded)
	}
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
