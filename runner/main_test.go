package runner

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"runner/stages/embedded"
	"runner/stages/report"
	"runner/stages/sample"
	"runner/stages/stagetest"
)

// workspace is a folder a test runs the command line in: the pipeline's
// relative paths (reports/, .runner/) land there.
type workspace struct {
	t   *testing.T
	dir string
	// healthcare is the project's pipeline; pipeline is the one apply runs
	// (the same, or a variant of it).
	healthcare string
	pipeline   string
	store      string
	// uri is the server serve started; empty while apply uses the
	// embedded store in-process.
	uri string
}

func newWorkspace(t *testing.T) *workspace {
	t.Helper()
	root := stagetest.ModuleRoot(t)
	dir := t.TempDir()
	t.Chdir(dir)
	t.Setenv("MONGO_URI", "") // the embedded store, whatever the caller's environment says
	healthcare := filepath.Join(root, "pipelines", "healthcare.hcl")
	return &workspace{t: t, dir: dir, healthcare: healthcare, pipeline: healthcare, store: filepath.Join(dir, "store")}
}

// generate writes rows of sample data and returns its path and summary.
func (w *workspace) generate(name string, rows int, seed uint64) (string, sample.Summary) {
	w.t.Helper()
	path := filepath.Join(w.dir, name)
	f, err := os.Create(path)
	if err != nil {
		w.t.Fatal(err)
	}
	bw := bufio.NewWriter(f)
	sum, err := sample.Write(bw, sample.Options{Rows: rows, Seed: seed})
	if err != nil {
		w.t.Fatal(err)
	}
	if err := bw.Flush(); err != nil {
		w.t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		w.t.Fatal(err)
	}
	return path, sum
}

// run runs the command line in-process and returns its output and code.
func (w *workspace) run(ctx context.Context, args ...string) (stdout, stderr string, code int) {
	return w.runWithCleanup(ctx, context.Background(), args...)
}

// runWithCleanup is run with the context that bounds the clean-up after a
// cancellation, as a second Ctrl-C cancels it.
func (w *workspace) runWithCleanup(ctx, cleanup context.Context, args ...string) (stdout, stderr string, code int) {
	var out, errOut bytes.Buffer
	code = Main(ctx, cleanup, args, &out, &errOut)
	return out.String(), errOut.String(), code
}

// apply runs `runner apply` on the healthcare pipeline with the given CSV
// and extra arguments, and returns the run's report.
func (w *workspace) apply(csvPath string, extra ...string) (*report.Run, string, int) {
	w.t.Helper()
	args := append([]string{"apply", w.pipeline, "-var", "csv_path=" + csvPath, "-store-dir", w.store, "-json"}, extra...)
	stdout, stderr, code := w.run(context.Background(), args...)
	var run report.Run
	if err := json.Unmarshal([]byte(stdout), &run); err != nil {
		w.t.Fatalf("apply printed no run report (exit %d): %v\nstdout:\n%s\nstderr:\n%s", code, err, stdout, stderr)
	}
	return &run, stderr, code
}

// withDatabase calls fn with medical_records, reached through the
// workspace's server, or through the embedded store opened for the call (no
// run may hold it then).
func (w *workspace) withDatabase(fn func(ctx context.Context, db *mongo.Database)) {
	w.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	uri := w.uri
	if uri == "" {
		store, err := embedded.Start(ctx, embedded.Options{Dir: w.store})
		if err != nil {
			w.t.Fatal(err)
		}
		defer store.Close()
		uri = store.URI()
	}
	client, err := mongo.Connect(options.Client().ApplyURI(uri))
	if err != nil {
		w.t.Fatal(err)
	}
	defer client.Disconnect(ctx)
	fn(ctx, client.Database("medical_records"))
}

// collection returns a digest of a collection of medical_records: the
// count and the _ids.
func (w *workspace) collection(name string) (count int64, ids map[string]bool) {
	w.t.Helper()
	docs := w.documents(name, options.Find().SetProjection(bson.D{{Key: "_id", Value: 1}}))
	ids = map[string]bool{}
	for id := range docs {
		ids[id] = true
	}
	return int64(len(docs)), ids
}

// documents returns the documents of a collection of medical_records by
// _id, as their BSON bytes.
func (w *workspace) documents(name string, opts ...options.Lister[options.FindOptions]) map[string]string {
	w.t.Helper()
	docs := map[string]string{}
	w.withDatabase(func(ctx context.Context, db *mongo.Database) {
		cur, err := db.Collection(name).Find(ctx, bson.D{}, opts...)
		if err != nil {
			w.t.Fatal(err)
		}
		defer cur.Close(ctx)
		for cur.Next(ctx) {
			id := cur.Current.Lookup("_id").StringValue()
			if _, dup := docs[id]; dup {
				w.t.Fatalf("%s holds _id %s twice", name, id)
			}
			docs[id] = string(cur.Current)
		}
		if err := cur.Err(); err != nil {
			w.t.Fatal(err)
		}
	})
	return docs
}

// collectionNames returns the collections of medical_records, sorted.
func (w *workspace) collectionNames() []string {
	w.t.Helper()
	var names []string
	w.withDatabase(func(ctx context.Context, db *mongo.Database) {
		var err error
		if names, err = db.ListCollectionNames(ctx, bson.D{}); err != nil {
			w.t.Fatal(err)
		}
	})
	slices.Sort(names)
	return names
}

// stagingLeft returns the staging collections of admissions still in the
// database: a run that finished, well or not, leaves none of its own.
func (w *workspace) stagingLeft() []string {
	w.t.Helper()
	var left []string
	for _, n := range w.collectionNames() {
		if strings.HasPrefix(n, "admissions__runner_staging") {
			left = append(left, n)
		}
	}
	return left
}

// stagingHoldsDocuments reports whether a staging collection of admissions
// holds a document yet.
func (w *workspace) stagingHoldsDocuments() bool {
	w.t.Helper()
	holds := false
	for _, name := range w.stagingLeft() {
		w.withDatabase(func(ctx context.Context, db *mongo.Database) {
			n, err := db.Collection(name).CountDocuments(ctx, bson.D{}, options.Count().SetLimit(1))
			if err != nil {
				w.t.Fatal(err)
			}
			holds = holds || n > 0
		})
	}
	return holds
}

func checkReconciles(t *testing.T, run *report.Run, read, rejected, duplicates, loaded int64) {
	t.Helper()
	r := run.Reconciliation
	if r.RowsRead != read || r.RowsRejected != rejected || r.RowsDeduplicated != duplicates || r.RowsLoaded != loaded || !r.Holds {
		t.Fatalf("reconciliation = %+v, want read %d = rejected %d + duplicates %d + loaded %d", r, read, rejected, duplicates, loaded)
	}
}

func checkStatus(t *testing.T, run *report.Run, want report.Status) {
	t.Helper()
	if run.Status != want {
		t.Fatalf("status = %s (%s), want %s", run.Status, run.Error, want)
	}
}

func mustContain(t *testing.T, text, want string) {
	t.Helper()
	if !strings.Contains(text, want) {
		t.Fatalf("output lacks %q:\n%s", want, text)
	}
}
