package integration

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
	"go.mongodb.org/mongo-driver/v2/mongo/readpref"

	"runner/stages/report"
	"runner/stages/sample"
)

const (
	// applyDeadline bounds any one run of the binary, so that a hung runner
	// fails its test instead of the package's time limit.
	applyDeadline = 5 * time.Minute
	// The exit codes README documents. Users' scripts rely on the numbers,
	// so the suite spells them out rather than using runner's constants.
	exitOK          = 0
	exitCheckFailed = 1
	exitRuntime     = 3
)

// workspace is the folder a test runs runner in, as a user's project: the
// pipeline copies, the CSV files and reports/ live there.
type workspace struct {
	t   *testing.T
	dir string
	srv *server
}

func newWorkspace(t *testing.T, srv *server) *workspace {
	return &workspace{t: t, dir: t.TempDir(), srv: srv}
}

// generate writes rows of sample data (the same bytes as `runner generate`)
// and returns its path and what it holds.
func (w *workspace) generate(name string, rows int, seed uint64) (string, sample.Summary) {
	w.t.Helper()
	path := filepath.Join(w.dir, name)
	f, err := os.Create(path)
	require.NoError(w.t, err)
	bw := bufio.NewWriter(f)
	sum, err := sample.Write(bw, sample.Options{Rows: rows, Seed: seed})
	require.NoError(w.t, err)
	require.NoError(w.t, bw.Flush())
	require.NoError(w.t, f.Close())
	return path, sum
}

// settings are the target attributes a test changes in its copy of the
// healthcare pipeline; empty fields keep the pipeline's own.
type settings struct {
	mode    string // replace, append, upsert
	timeout string // a Go duration
}

// pipeline writes a copy of pipelines/healthcare.hcl that loads the server's
// collection with the given settings, and returns its path. Each change is
// made on the pipeline's own text, so a change to the pipeline that breaks
// one fails the test instead of going unnoticed.
func (w *workspace) pipeline(s settings) string {
	w.t.Helper()
	src, err := os.ReadFile(filepath.Join(suite.root, "pipelines", "healthcare.hcl"))
	require.NoError(w.t, err)
	text := string(src)
	replace := func(old, new string) {
		w.t.Helper()
		require.Contains(w.t, text, old, "pipelines/healthcare.hcl changed: update the integration tests")
		text = strings.Replace(text, old, new, 1)
	}
	const collectionLine, modeLine = `  collection = "admissions"`, `  mode       = "replace"`
	replace(collectionLine, fmt.Sprintf(`  collection = %q`, w.srv.collection))
	target := modeLine
	if s.mode != "" {
		target = fmt.Sprintf(`  mode       = %q`, s.mode)
	}
	if s.timeout != "" {
		target += fmt.Sprintf("\n  timeout    = %q", s.timeout)
	}
	replace(modeLine, target)
	name := "healthcare"
	for _, part := range []string{s.mode, s.timeout} {
		if part != "" {
			name += "-" + part
		}
	}
	path := filepath.Join(w.dir, name+".hcl")
	require.NoError(w.t, os.WriteFile(path, []byte(text), 0o644))
	return path
}

// applied is one finished `runner apply -json`.
type applied struct {
	code           int
	stdout, stderr string
	// report is what -json printed.
	report report.Run
}

func (a *applied) String() string {
	return fmt.Sprintf("exit %d\nstdout:\n%s\nstderr:\n%s", a.code, a.stdout, a.stderr)
}

// running is a `runner apply` that has not finished yet.
type running struct {
	t              *testing.T
	cmd            *exec.Cmd
	stdout, stderr bytes.Buffer
	pipeline, csv  string // base names, for the log
	started        time.Time
	done           chan struct{}
}

// start starts `runner apply -json` on pipeline and csv with MONGO_URI set
// to uri, in the workspace, with the environment of a user who set nothing
// else for runner.
func (w *workspace) start(pipeline, csv, uri string) *running {
	w.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), applyDeadline)
	r := &running{t: w.t, done: make(chan struct{}), pipeline: filepath.Base(pipeline), csv: filepath.Base(csv)}
	r.cmd = exec.CommandContext(ctx, suite.bin, "apply", pipeline, "-var", "csv_path="+csv, "-json")
	r.cmd.Dir = w.dir
	r.cmd.Env = append(slices.DeleteFunc(os.Environ(), func(kv string) bool {
		return strings.HasPrefix(kv, "MONGO_URI=") || strings.HasPrefix(kv, "RUNNER_VAR_")
	}), "MONGO_URI="+uri)
	r.cmd.Stdout, r.cmd.Stderr = &r.stdout, &r.stderr
	require.NoError(w.t, r.cmd.Start())
	r.started = time.Now()
	go func() {
		r.cmd.Wait()
		close(r.done)
	}()
	w.t.Cleanup(func() { // a test that stops half way leaves no runner behind
		r.cmd.Process.Kill()
		<-r.done
		cancel()
	})
	return r
}

// exited reports whether the run has ended.
func (r *running) exited() bool {
	select {
	case <-r.done:
		return true
	default:
		return false
	}
}

// wait waits up to limit for the run to end and returns how it ended; a run
// that does not end is killed and fails the test.
func (r *running) wait(limit time.Duration) *applied {
	r.t.Helper()
	timer := time.NewTimer(limit)
	defer timer.Stop()
	select {
	case <-r.done:
	case <-timer.C:
		if !r.exited() {
			r.cmd.Process.Kill()
			<-r.done
			r.t.Fatalf("runner apply did not exit within %s; killed it\nstdout:\n%s\nstderr:\n%s", limit, r.stdout.String(), r.stderr.String())
		}
	}
	a := &applied{code: r.cmd.ProcessState.ExitCode(), stdout: r.stdout.String(), stderr: r.stderr.String()}
	r.t.Logf("runner apply %s on %s: exit %d after %s", r.pipeline, r.csv, a.code, time.Since(r.started).Round(10*time.Millisecond))
	if err := json.Unmarshal(r.stdout.Bytes(), &a.report); err != nil {
		r.t.Fatalf("runner apply -json printed no run report: %v\n%s", err, a)
	}
	return a
}

// kill ends the run with SIGKILL, as a crash or an OOM killer does.
func (r *running) kill() {
	r.cmd.Process.Kill()
	<-r.done
}

// apply runs `runner apply` to the end.
func (w *workspace) apply(pipeline, csv, uri string) *applied {
	w.t.Helper()
	return w.start(pipeline, csv, uri).wait(applyDeadline)
}

// requireSucceeded checks that a run loaded every row it kept and verified
// them in the database.
func requireSucceeded(t *testing.T, a *applied) {
	t.Helper()
	require.Equal(t, exitOK, a.code, "%s", a)
	require.Equal(t, report.StatusSucceeded, a.report.Status, "%s", a)
	require.True(t, a.report.Reconciliation.Holds, "reconciliation %+v", a.report.Reconciliation)
	v := a.report.Verification
	require.NotNil(t, v, "no verification in the report")
	require.True(t, v.Passed && v.DigestMatch && v.Found == v.Expected, "verification %+v", v)
}

// reportFiles returns the content of every file under the workspace's
// reports folder, by path.
func (w *workspace) reportFiles() map[string]string {
	w.t.Helper()
	files := map[string]string{}
	root := filepath.Join(w.dir, "reports")
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		// reports/latest is a link to a run's folder, which the walk reaches
		// by its own name.
		if err != nil || d.IsDir() || d.Type()&fs.ModeSymlink != 0 {
			return err
		}
		data, err := os.ReadFile(path)
		files[path] = string(data)
		return err
	})
	if !os.IsNotExist(err) {
		require.NoError(w.t, err)
	}
	return files
}

// connect returns a client of uri. Callers disconnect it as soon as they are
// done with it: a client of a server that has died since would otherwise
// spend its server selection timeout on saying goodbye at the test's end.
func connect(t *testing.T, uri string) *mongo.Client {
	t.Helper()
	client, err := mongo.Connect(options.Client().ApplyURI(uri).SetServerSelectionTimeout(30 * time.Second))
	require.NoError(t, err)
	return client
}

// disconnect closes a client, giving the server a few seconds to answer.
func disconnect(client *mongo.Client) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	client.Disconnect(ctx)
}

// waitReachable waits until the server at uri answers a ping.
func waitReachable(t *testing.T, uri string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	client, err := mongo.Connect(options.Client().ApplyURI(uri).SetServerSelectionTimeout(2 * time.Second))
	require.NoError(t, err)
	defer disconnect(client)
	for {
		err := client.Ping(ctx, readpref.Primary())
		if err == nil {
			return
		}
		select {
		case <-ctx.Done():
			t.Fatalf("the server at %s did not answer within 2 minutes: %v", uri, err)
		case <-time.After(250 * time.Millisecond):
		}
	}
}

// contents is what a collection holds, by _id.
type contents struct {
	count int64
	ids   map[string]bool
}

// contents reads the _id of every document of a collection.
func (s *server) contents(t *testing.T, collection string) contents {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	client := connect(t, s.adminURI(t))
	defer disconnect(client)
	coll := client.Database(database).Collection(collection)
	cur, err := coll.Find(ctx, bson.D{}, options.Find().SetProjection(bson.D{{Key: "_id", Value: 1}}))
	require.NoError(t, err)
	defer cur.Close(ctx)
	c := contents{ids: map[string]bool{}}
	for cur.Next(ctx) {
		c.ids[cur.Current.Lookup("_id").String()] = true
		c.count++
	}
	require.NoError(t, cur.Err())
	return c
}

// requireSameDocuments checks that a collection holds exactly the documents
// it held before.
func requireSameDocuments(t *testing.T, before, after contents, what string) {
	t.Helper()
	require.Equal(t, before.count, after.count, "%s: the number of documents changed", what)
	require.Len(t, after.ids, len(before.ids), "%s: the number of distinct _id changed", what)
	for id := range before.ids {
		require.True(t, after.ids[id], "%s: document %s is gone", what, id)
	}
}

// collections lists the collections of the pipeline's database that belong
// to the server's collection: itself and runner's staging and previous.
func (s *server) collections(t *testing.T) []string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	client := connect(t, s.adminURI(t))
	defer disconnect(client)
	names, err := client.Database(database).ListCollectionNames(ctx, bson.D{})
	require.NoError(t, err)
	var mine []string
	for _, n := range names {
		if n == s.collection || isStaging(s.collection, n) || n == previous(s.collection) {
			mine = append(mine, n)
		}
	}
	slices.Sort(mine)
	return mine
}

// waitForDocuments waits until the collections whose names match hold
// documents written by r, so that what the test does next happens in the
// middle of r's load. A run that ends first fails the test: the load was
// too short to be interrupted.
func (s *server) waitForDocuments(t *testing.T, r *running, match func(name string) bool) int64 {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	client := connect(t, s.adminURI(t))
	defer disconnect(client)
	db := client.Database(database)
	for {
		if r.exited() {
			a := r.wait(0)
			t.Fatalf("runner ended before documents reached %s: the load is too short to interrupt\n%s", s.collection, a)
		}
		names, err := db.ListCollectionNames(ctx, bson.D{})
		var n int64
		for _, name := range names {
			if match(name) {
				c, cerr := db.Collection(name).EstimatedDocumentCount(ctx)
				n, err = n+c, errors.Join(err, cerr)
			}
		}
		if err == nil && n > 0 {
			return n
		}
		select {
		case <-ctx.Done():
			t.Fatalf("no document reached %s within 2 minutes (last error: %v)", s.collection, err)
		case <-time.After(20 * time.Millisecond):
		}
	}
}
