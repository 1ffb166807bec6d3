package integration

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.mongodb.org/mongo-driver/v2/bson"

	"runner/stages/report"
	"runner/stages/stagetest"
)

// TestHealthcarePipeline applies the healthcare pipeline to generated data
// and checks what landed: one document per distinct row, the indexes, the
// checks, the reports.
func TestHealthcarePipeline(t *testing.T) {
	srv := startServer(t)
	w := newWorkspace(t, srv)
	data, sum := w.generate("admissions.csv", 5_000, 3)
	a := w.apply(w.pipeline(settings{}), data, srv.runnerURI(t))
	requireSucceeded(t, a)
	checkHealthcareLoad(t, w, a, int64(sum.Rows), int64(sum.ExactDuplicates))

	checks := map[string]report.Check{}
	for _, c := range a.report.Checks {
		checks[c.Name] = c
	}
	// The generator knows how many rows repeat another but for the age.
	require.Equal(t, "warned", checks["near_duplicates"].Status)
	require.Equal(t, int64(sum.NearDuplicates), checks["near_duplicates"].Failures)
}

// TestHealthcarePipelineRealDataset loads the real export when it is there:
// 55,500 rows, 534 exact duplicates, 54,966 documents.
func TestHealthcarePipelineRealDataset(t *testing.T) {
	data := stagetest.RealDataset(t)
	srv := startServer(t)
	w := newWorkspace(t, srv)
	a := w.apply(w.pipeline(settings{}), data, srv.runnerURI(t))
	requireSucceeded(t, a)
	checkHealthcareLoad(t, w, a, 55_500, 534)
	require.Equal(t, int64(54_966), a.report.Verification.Found)
}

// checkHealthcareLoad checks a successful replace run of the healthcare
// pipeline in the report, the database and the report folder.
func checkHealthcareLoad(t *testing.T, w *workspace, a *applied, read, duplicates int64) {
	t.Helper()
	srv := w.srv
	loaded := read - duplicates
	require.Equal(t, report.Reconciliation{
		RowsRead: read, RowsRejected: 0, RowsDeduplicated: duplicates, RowsLoaded: loaded, Holds: true,
	}, a.report.Reconciliation)
	require.Equal(t, loaded, a.report.Target.Inserted)
	require.True(t, a.report.Target.Swapped, "the new collection was not swapped in")
	for _, c := range a.report.Checks {
		if c.Severity == "error" {
			require.Equal(t, "passed", c.Status, "check %s: %+v", c.Name, c)
		}
	}
	require.True(t, slices.ContainsFunc(a.report.Checks, func(c report.Check) bool {
		return c.Name == "all_rows_landed" && c.Status == "passed"
	}), "all_rows_landed did not pass: %+v", a.report.Checks)

	// In the database: exactly the documents, the declared indexes, and no
	// staging or previous collection left over.
	got := srv.contents(t, srv.collection)
	require.Equal(t, loaded, got.count)
	require.Len(t, got.ids, int(loaded))
	require.Equal(t, []string{srv.collection}, srv.collections(t))

	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	client := connect(t, srv.adminURI(t))
	defer disconnect(client)
	coll := client.Database(database).Collection(srv.collection)
	specs, err := coll.Indexes().ListSpecifications(ctx)
	require.NoError(t, err)
	var names []string
	for _, s := range specs {
		names = append(names, s.Name)
	}
	require.Subset(t, names, []string{"_id_", "patient_name", "admitted_on"})

	// A document has the pipeline's nested shape, with typed values.
	var doc struct {
		Patient struct {
			Name string `bson:"name"`
			Age  int32  `bson:"age"`
		} `bson:"patient"`
		Admission struct {
			AdmittedOn bson.DateTime `bson:"admitted_on"`
			StayDays   int32         `bson:"stay_days"`
		} `bson:"admission"`
		Billing struct {
			Amount float64 `bson:"amount"`
		} `bson:"billing"`
	}
	require.NoError(t, coll.FindOne(ctx, bson.D{}).Decode(&doc))
	require.NotEmpty(t, doc.Patient.Name)
	require.NotZero(t, doc.Admission.AdmittedOn)

	// The reports: every file, private, and run.json saying what -json said.
	latest := filepath.Join(w.dir, "reports", "latest")
	for _, f := range []string{report.RunJSONFile, report.CleaningFile, report.QualityFile, report.RejectsFile} {
		info, err := os.Stat(filepath.Join(latest, f))
		require.NoError(t, err, "report %s", f)
		require.Equal(t, os.FileMode(0o600), info.Mode().Perm(), "mode of %s", f)
	}
	saved, err := os.ReadFile(filepath.Join(latest, report.RunJSONFile))
	require.NoError(t, err)
	var run report.Run
	require.NoError(t, json.Unmarshal(saved, &run))
	require.Equal(t, a.report.RunID, run.RunID)
	require.Equal(t, a.report.Reconciliation, run.Reconciliation)
}

// TestReapplyEveryModeConverges re-applies the same data in each mode: the
// collection ends with the same documents every time.
func TestReapplyEveryModeConverges(t *testing.T) {
	srv := startServer(t)
	w := newWorkspace(t, srv)
	// Few rows: upserts on the embedded store cost time in proportion to
	// the collection (see stages/mongosink), so the upsert pass grows with
	// the square of the rows.
	data, sum := w.generate("admissions.csv", 1_000, 5)
	want := int64(sum.Rows - sum.ExactDuplicates)
	uri := srv.runnerURI(t)

	requireSucceeded(t, w.apply(w.pipeline(settings{}), data, uri))
	first := srv.contents(t, srv.collection)
	require.Equal(t, want, first.count)

	again := w.apply(w.pipeline(settings{}), data, uri)
	requireSucceeded(t, again)
	require.Equal(t, want, again.report.Target.Inserted)
	requireSameDocuments(t, first, srv.contents(t, srv.collection), "replace again")

	appended := w.apply(w.pipeline(settings{mode: "append"}), data, uri)
	requireSucceeded(t, appended)
	require.Equal(t, int64(0), appended.report.Target.Inserted, "append inserted documents that were there")
	require.Equal(t, want, appended.report.Target.AlreadyPresent)
	requireSameDocuments(t, first, srv.contents(t, srv.collection), "append")

	upserted := w.apply(w.pipeline(settings{mode: "upsert"}), data, uri)
	requireSucceeded(t, upserted)
	require.Equal(t, int64(0), upserted.report.Target.Upserted, "upsert inserted documents that were there")
	require.Equal(t, want, upserted.report.Target.Replaced)
	requireSameDocuments(t, first, srv.contents(t, srv.collection), "upsert")
	require.Equal(t, []string{srv.collection}, srv.collections(t))
}

// TestAppendAfterCrashAddsNoDuplicates kills runner (SIGKILL) in the middle
// of an append load, then appends the same file again: every document lands
// once.
func TestAppendAfterCrashAddsNoDuplicates(t *testing.T) {
	srv := startServer(t)
	w := newWorkspace(t, srv)
	data, sum := w.generate("admissions.csv", srv.bigRows, 41)
	want := int64(sum.Rows - sum.ExactDuplicates)
	pipeline := w.pipeline(settings{mode: "append"})

	r := w.start(pipeline, data, srv.runnerURI(t))
	srv.waitForDocuments(t, r, func(name string) bool { return name == srv.collection })
	r.kill()
	partial := srv.contents(t, srv.collection)
	require.Positive(t, partial.count)
	require.Less(t, partial.count, want, "the load finished before the kill: make it longer")

	a := w.apply(pipeline, data, srv.runnerURI(t))
	requireSucceeded(t, a)
	got := a.report.Target
	require.Equal(t, want, got.Inserted+got.AlreadyPresent, "target %+v", got)
	// A write in flight at the kill may still have landed after partial was
	// read, so the re-run can find more than partial, never fewer.
	require.GreaterOrEqual(t, got.AlreadyPresent, partial.count, "target %+v", got)

	after := srv.contents(t, srv.collection)
	require.Equal(t, want, after.count, "documents in the collection")
	for id := range partial.ids {
		require.True(t, after.ids[id], "document %s of the crashed run is gone", id)
	}
}

// TestFailingCheckKeepsPreviousCollection loads good data, then data that
// breaks an error-severity check: runner exits 1 and the collection holds
// the first run's documents.
func TestFailingCheckKeepsPreviousCollection(t *testing.T) {
	srv := startServer(t)
	w := newWorkspace(t, srv)
	pipeline := w.pipeline(settings{})
	good, _ := w.generate("good.csv", 2_000, 7)
	requireSucceeded(t, w.apply(pipeline, good, srv.runnerURI(t)))
	before := srv.contents(t, srv.collection)

	bad := filepath.Join(w.dir, "bad.csv")
	withAge(t, good, bad, 4, "150") // out of ages_in_range, on line 6 (after the header)
	a := w.apply(pipeline, bad, srv.runnerURI(t))
	require.Equal(t, exitCheckFailed, a.code, "%s", a)
	require.Equal(t, report.StatusChecksFailed, a.report.Status)
	require.Contains(t, a.report.Error, "ages_in_range")
	for _, c := range a.report.Checks {
		if c.Name == "ages_in_range" {
			require.Equal(t, "failed", c.Status)
			require.Equal(t, int64(1), c.Failures)
			require.Len(t, c.Samples, 1)
			require.Equal(t, 6, c.Samples[0].Line)
		}
	}
	requireSameDocuments(t, before, srv.contents(t, srv.collection), "after the failed check")
	require.Equal(t, []string{srv.collection}, srv.collections(t))
}

// withAge copies the CSV file from to to with the Age of data row row
// (0-based) set to age.
func withAge(t *testing.T, from, to string, row int, age string) {
	t.Helper()
	in, err := os.Open(from)
	require.NoError(t, err)
	defer in.Close()
	records, err := csv.NewReader(in).ReadAll()
	require.NoError(t, err)
	col := slices.Index(records[0], "Age")
	require.GreaterOrEqual(t, col, 0, "no Age column in %v", records[0])
	records[row+1][col] = age
	out, err := os.Create(to)
	require.NoError(t, err)
	cw := csv.NewWriter(out)
	cw.UseCRLF = true
	require.NoError(t, cw.WriteAll(records))
	require.NoError(t, out.Close())
}
