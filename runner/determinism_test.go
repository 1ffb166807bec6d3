package runner

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/memory"
	"go.mongodb.org/mongo-driver/v2/bson"

	"runner/schemas"
	"runner/stages/plan"
	"runner/stages/report"
)

// TestBatchSizesAndWorkersGiveIdenticalOutput runs the same dry run with
// batches of 1, 7 and 8,192 rows and with one and three workers, each on a
// checked allocator: every run must release all the Arrow memory it took,
// and all of them must give the same documents, counts, checks, cleaning
// and rejects. Batch boundaries and worker interleavings are where a
// streaming pipeline loses or double-counts rows.
func TestBatchSizesAndWorkersGiveIdenticalOutput(t *testing.T) {
	w := newWorkspace(t)
	csv, _ := w.generate("admissions.csv", 600, 11)
	appendLines(t, csv,
		"Ann Smith,abc,Female,A+,Flu,2024-01-02,Dr X,Hospital,Aetna,100.5,101,Urgent,2024-01-05,Ibuprofen,Normal",
		"too,few,fields",
		"Bob Stone,44,Male,B-,Asthma,2024-13-40,Dr Y,Hospital,Aetna,12.25,7,Elective,2024-01-09,None,Normal",
	)

	type outcome struct {
		docs    []string
		run     *report.Run
		rejects []byte
	}
	runWith := func(batch, workers int) outcome {
		t.Helper()
		pipeline := w.variant("batched.hcl", "max_rejects = 0.01", fmt.Sprintf("max_rejects = 0.01\n  batch_size  = %d", batch))
		p := w.compile(pipeline, csv)
		if p.Source.BatchRows != batch {
			t.Fatalf("the pipeline reads batches of %d rows, want %d", p.Source.BatchRows, batch)
		}
		mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
		out := filepath.Join(w.dir, fmt.Sprintf("docs-%d-%d.bson", batch, workers))
		run, err := apply(context.Background(), p, w.options(pipeline, func(o *applyOptions) {
			o.dryRun, o.out, o.mem, o.workers = true, out, mem, workers
		}))
		if err != nil {
			t.Fatalf("batch %d, %d workers: %v", batch, workers, err)
		}
		mem.AssertSize(t, 0)
		rejects, err := os.ReadFile(filepath.Join(w.dir, "reports", "latest", report.RejectsFile))
		if err != nil {
			t.Fatal(err)
		}
		return outcome{docs: readDocuments(t, out), run: run, rejects: rejects}
	}

	want := runWith(8192, 1)
	if want.run.Reconciliation.RowsRejected != 3 || !want.run.Reconciliation.Holds {
		t.Fatalf("the reference run reconciles as %+v, want 3 rejects and a reconciliation that holds", want.run.Reconciliation)
	}
	for _, c := range []struct{ batch, workers int }{{1, 1}, {7, 1}, {7, 3}, {8192, 3}, {1, 3}} {
		t.Run(fmt.Sprintf("batch %d, %d workers", c.batch, c.workers), func(t *testing.T) {
			got := runWith(c.batch, c.workers)
			if !slices.Equal(got.docs, want.docs) {
				t.Errorf("%d documents, want the reference's %d, or the same number with different content", len(got.docs), len(want.docs))
			}
			if got.run.Reconciliation != want.run.Reconciliation {
				t.Errorf("reconciliation %+v, want %+v", got.run.Reconciliation, want.run.Reconciliation)
			}
			compareJSON(t, "checks", got.run.Checks, want.run.Checks)
			compareJSON(t, "cleaning", got.run.Cleaning, want.run.Cleaning)
			compareJSON(t, "dedup", got.run.Dedup, want.run.Dedup)
			compareJSON(t, "quality", got.run.Quality, want.run.Quality)
			if !bytes.Equal(got.rejects, want.rejects) {
				t.Errorf("rejects.csv differs:\n%s\nwant:\n%s", got.rejects, want.rejects)
			}
		})
	}
}

// compile loads a pipeline file with csv_path set to csv.
func (w *workspace) compile(pipeline, csv string) *plan.Plan {
	w.t.Helper()
	loader := schemas.NewLoader(schemas.Options{Vars: map[string]string{"csv_path": csv},
		Env: func(string) (string, bool) { return "", false }, ReadFile: os.ReadFile})
	p, diags := loader.LoadFile(pipeline)
	if diags.HasErrors() {
		w.t.Fatalf("%s: %v", pipeline, diags)
	}
	return p
}

// options are the options apply runs with in the workspace, as the command
// line sets them, quiet, then changed by edit.
func (w *workspace) options(pipeline string, edit func(*applyOptions)) applyOptions {
	o := applyOptions{file: pipeline, storeDir: w.store, mem: memory.NewGoAllocator(), workers: defaultWorkers(),
		meter: &meter{}, say: func(string, ...any) {}, logger: slog.New(slog.DiscardHandler), cleanup: context.Background()}
	edit(&o)
	return o
}

// appendLines adds raw CSV lines to the end of a file.
func appendLines(t *testing.T, path string, lines ...string) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range lines {
		if _, err := f.WriteString(l + "\n"); err != nil {
			t.Fatal(err)
		}
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
}

// readDocuments returns the documents of a BSON stream as extended JSON,
// sorted: workers may hand finished batches to the sink in any order.
func readDocuments(t *testing.T, path string) []string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var docs []string
	for len(data) > 0 {
		if len(data) < 4 {
			t.Fatalf("%s ends in %d stray bytes", path, len(data))
		}
		n := int(binary.LittleEndian.Uint32(data))
		if n < 5 || n > len(data) {
			t.Fatalf("%s: a document claims %d bytes, %d are left", path, n, len(data))
		}
		doc := bson.Raw(data[:n])
		if err := doc.Validate(); err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		docs = append(docs, doc.String())
		data = data[n:]
	}
	slices.Sort(docs)
	return docs
}

// compareJSON reports a difference between two parts of run reports, shown
// as JSON.
func compareJSON(t *testing.T, what string, got, want any) {
	t.Helper()
	g, err := json.Marshal(got)
	if err != nil {
		t.Fatal(err)
	}
	w, err := json.Marshal(want)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(g, w) {
		t.Errorf("%s differ:\n%s\nwant:\n%s", what, g, w)
	}
}
