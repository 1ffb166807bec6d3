package runner

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"runner/stages/report"
)

// setAge rewrites the age of the given data rows (0-based, after the
// header) of a generated CSV.
func setAge(t *testing.T, path, age string, rows ...int) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(string(data), "\n")
	for _, r := range rows {
		fields := strings.Split(lines[r+1], ",")
		fields[1] = age
		lines[r+1] = strings.Join(fields, ",")
	}
	if err := os.WriteFile(path, []byte(strings.Join(lines, "\n")), 0o644); err != nil {
		t.Fatal(err)
	}
}

// Runs that stop short of loading still account for every row read, in
// run.json and in the summary: a failed check in replace mode stages the
// documents and discards them (none is loaded), and a count limit on
// rejects stops the pass with the rows it had not finished not processed.
func TestStoppedRunsAccountForEveryRow(t *testing.T) {
	tests := []struct {
		name string
		// prepare edits the generated CSV and returns the pipeline to run.
		prepare  func(w *workspace, csv string) string
		exceeded bool
		check    func(t *testing.T, rec report.Reconciliation, kept int64)
		summary  func(rec report.Reconciliation) []string
	}{
		{
			name: "failed check in replace mode",
			prepare: func(w *workspace, csv string) string {
				setAge(w.t, csv, "150", 4) // ages_in_range fails
				return w.healthcare
			},
			check: func(t *testing.T, rec report.Reconciliation, kept int64) {
				if rec.RowsLoaded != 0 || rec.RowsDiscarded != kept || rec.RowsNotProcessed != 0 {
					t.Errorf("reconciliation = %+v, want 0 loaded and %d staged and discarded", rec, kept)
				}
			},
			summary: func(rec report.Reconciliation) []string {
				n := report.Thousands(rec.RowsDiscarded)
				return []string{"+ 0 loaded + " + n + " staged and discarded (holds)", n + " staged and discarded, the previous collection kept"}
			},
		},
		{
			name: "count limit on rejects",
			prepare: func(w *workspace, csv string) string {
				// Eight rejects, one every 100 rows: the sixth, in the
				// sixth batch, passes the limit.
				setAge(w.t, csv, "abc", 50, 150, 250, 350, 450, 550, 650, 750)
				return w.variant("limit.hcl", "max_rejects = 0.01", "max_rejects = 5\n  batch_size  = 100")
			},
			exceeded: true,
			check: func(t *testing.T, rec report.Reconciliation, _ int64) {
				if rec.RowsRead != 600 || rec.RowsRejected != 6 || rec.RowsLoaded != 0 ||
					rec.RowsNotProcessed != rec.RowsRead-rec.RowsRejected-rec.RowsDeduplicated {
					t.Errorf("reconciliation = %+v, want 600 read, 6 rejected, 0 loaded and the rest not processed", rec)
				}
			},
			summary: func(rec report.Reconciliation) []string {
				return []string{"+ 0 loaded + " + report.Thousands(rec.RowsNotProcessed) + " not processed (holds)"}
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			w := newWorkspace(t)
			csv, sum := w.generate("admissions.csv", 1_000, 47)
			pipeline := tc.prepare(w, csv)
			stdout, stderr, code := w.run(context.Background(), "apply", pipeline, "-var", "csv_path="+csv, "-store-dir", w.store)
			if code != ExitCheckFailed {
				t.Fatalf("exit %d, want %d\n%s\n%s", code, ExitCheckFailed, stdout, stderr)
			}
			data, err := os.ReadFile(filepath.Join(w.dir, "reports", "latest", report.RunJSONFile))
			if err != nil {
				t.Fatal(err)
			}
			var run report.Run
			if err := json.Unmarshal(data, &run); err != nil {
				t.Fatal(err)
			}
			rec := run.Reconciliation
			if !rec.Holds || rec.Accounted() != rec.RowsRead {
				t.Errorf("reconciliation = %+v, want it to hold", rec)
			}
			if run.Rejects.Exceeded != tc.exceeded {
				t.Errorf("rejects.exceeded = %v, want %v", run.Rejects.Exceeded, tc.exceeded)
			}
			tc.check(t, rec, int64(sum.Rows-sum.ExactDuplicates))
			for _, want := range tc.summary(rec) {
				mustContain(t, stdout, want)
			}
			if count, _ := w.collection("admissions"); count != 0 {
				t.Errorf("the target holds %d documents, want none", count)
			}
		})
	}
}
