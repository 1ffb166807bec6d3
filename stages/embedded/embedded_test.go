package embedded

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// crashDirEnv makes the test binary act as a runner that writes to the
// store in the named directory, reports every acknowledged write on
// standard output and then kills itself.
const crashDirEnv = "RUNNER_EMBEDDED_CRASH_DIR"

func TestMain(m *testing.M) {
	if dir := os.Getenv(crashDirEnv); dir != "" {
		crashingWriter(dir)
		return
	}
	os.Exit(m.Run())
}

func start(t *testing.T, dir string) *Store {
	t.Helper()
	s, err := Start(t.Context(), Options{Dir: dir, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatalf("Start: %v", err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return s
}

// client connects to uri and disconnects when the test ends.
func client(t *testing.T, uri string) *mongo.Client {
	t.Helper()
	c, err := mongo.Connect(options.Client().ApplyURI(uri))
	if err != nil {
		t.Fatalf("connecting to %s: %v", uri, err)
	}
	t.Cleanup(func() { _ = c.Disconnect(context.Background()) })
	return c
}

func insert(ctx context.Context, coll *mongo.Collection, from, to int) error {
	docs := make([]bson.D, 0, to-from)
	for i := from; i < to; i++ {
		docs = append(docs, bson.D{{Key: "_id", Value: i}, {Key: "name", Value: fmt.Sprintf("patient %d", i)}})
	}
	_, err := coll.InsertMany(ctx, docs)
	return err
}

func count(t *testing.T, coll *mongo.Collection) int {
	t.Helper()
	cur, err := coll.Find(t.Context(), bson.D{})
	if err != nil {
		t.Fatalf("reading: %v", err)
	}
	var docs []bson.Raw
	if err := cur.All(t.Context(), &docs); err != nil {
		t.Fatalf("reading: %v", err)
	}
	return len(docs)
}

func TestRestartKeepsData(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "nested", "store")
	first, err := Start(t.Context(), Options{Dir: dir, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatalf("Start: %v", err)
	}
	c, err := mongo.Connect(options.Client().ApplyURI(first.URI()))
	if err != nil {
		t.Fatalf("connecting: %v", err)
	}
	if err := insert(t.Context(), c.Database("medical").Collection("admissions"), 0, 250); err != nil {
		t.Fatalf("insert: %v", err)
	}
	if err := c.Disconnect(t.Context()); err != nil {
		t.Fatalf("disconnect: %v", err)
	}
	if err := first.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}

	second := start(t, dir)
	if n := count(t, client(t, second.URI()).Database("medical").Collection("admissions")); n != 250 {
		t.Errorf("after a restart the store holds %d documents, want 250", n)
	}
}

func TestOneRunnerPerDirectory(t *testing.T) {
	dir := t.TempDir()
	first := start(t, dir)

	_, err := Start(t.Context(), Options{Dir: dir})
	var inUse *InUseError
	if !errors.As(err, &inUse) {
		t.Fatalf("a second store on %s: %v, want an *InUseError", dir, err)
	}
	want := fmt.Sprintf("the embedded store in %s is in use by another runner (pid %d)", dir, os.Getpid())
	if err.Error() != want {
		t.Errorf("error %q, want %q", err, want)
	}

	if err := first.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	start(t, dir)
}

func TestCloseIsIdempotent(t *testing.T) {
	s := start(t, t.TempDir())
	for i := range 3 {
		if err := s.Close(); err != nil {
			t.Errorf("Close #%d: %v", i+1, err)
		}
	}
}

func TestCancellingStartContextStopsTheStore(t *testing.T) {
	dir := t.TempDir()
	ctx, cancel := context.WithCancel(t.Context())
	s, err := Start(ctx, Options{Dir: dir, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatalf("Start: %v", err)
	}
	cancel()
	<-s.Done()

	u, err := url.Parse(s.URI())
	if err != nil {
		t.Fatalf("parsing %s: %v", s.URI(), err)
	}
	if conn, err := net.Dial("tcp", u.Host); err == nil {
		_ = conn.Close()
		t.Errorf("the stopped store still accepts connections on %s", u.Host)
	}
	// The directory is free again.
	start(t, dir)
	if err := s.Close(); err != nil {
		t.Errorf("Close after cancellation: %v", err)
	}
}

func TestStartRefusals(t *testing.T) {
	tests := []struct {
		name string
		ctx  func() context.Context
		dir  string
		want string
	}{
		{name: "no directory", ctx: context.Background, want: "no directory given"},
		{name: "URI characters in the path", ctx: context.Background, dir: filepath.Join(t.TempDir(), "a?b"), want: "may not contain '?', '#' or '%'"},
		{name: "cancelled", ctx: func() context.Context {
			ctx, cancel := context.WithCancel(context.Background())
			cancel()
			return ctx
		}, dir: t.TempDir(), want: "context canceled"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := Start(tt.ctx(), Options{Dir: tt.dir})
			if err == nil {
				_ = s.Close()
				t.Fatal("Start succeeded")
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q, want it to contain %q", err, tt.want)
			}
		})
	}
}

func TestAddresses(t *testing.T) {
	tests := []struct {
		name, fdbURI, listening, uri string
		beyondLoopback               bool
	}{
		{name: "loopback", fdbURI: "mongodb://127.0.0.1:41234/", listening: "127.0.0.1:41234", uri: "mongodb://127.0.0.1:41234/"},
		{name: "IPv6 loopback", fdbURI: "mongodb://[::1]:41234/", listening: "[::1]:41234", uri: "mongodb://[::1]:41234/"},
		{name: "every IPv4 interface", fdbURI: "mongodb://0.0.0.0:27017/", listening: "0.0.0.0:27017", uri: "mongodb://127.0.0.1:27017/", beyondLoopback: true},
		{name: "every interface, as Go reports it", fdbURI: "mongodb://[::]:27017/", listening: "[::]:27017", uri: "mongodb://127.0.0.1:27017/", beyondLoopback: true},
		{name: "one interface", fdbURI: "mongodb://192.0.2.7:27017/", listening: "192.0.2.7:27017", uri: "mongodb://192.0.2.7:27017/", beyondLoopback: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			listening, err := listenAddress(tt.fdbURI)
			if err != nil || listening != tt.listening {
				t.Fatalf("listenAddress(%q) = %q, %v; want %q", tt.fdbURI, listening, err, tt.listening)
			}
			if got := clientURI(listening); got != tt.uri {
				t.Errorf("clientURI(%q) = %q, want %q", listening, got, tt.uri)
			}
			s := &Store{listening: listening}
			if got := s.ListensBeyondLoopback(); got != tt.beyondLoopback {
				t.Errorf("ListensBeyondLoopback() on %s = %v, want %v", listening, got, tt.beyondLoopback)
			}
		})
	}
}

func TestListenAddrHasTheChosenPort(t *testing.T) {
	s := start(t, t.TempDir())
	host, port, err := net.SplitHostPort(s.ListenAddr())
	if err != nil || host != "127.0.0.1" || port == "0" {
		t.Fatalf("ListenAddr() = %q (%v), want 127.0.0.1 and the port the kernel chose", s.ListenAddr(), err)
	}
	if s.URI() != "mongodb://"+s.ListenAddr()+"/" {
		t.Errorf("URI() = %q, want the listen address %s", s.URI(), s.ListenAddr())
	}
	if n := count(t, client(t, "mongodb://"+s.ListenAddr()+"/").Database("d").Collection("c")); n != 0 {
		t.Errorf("a new store holds %d documents", n)
	}
}

// TestAcknowledgedWritesSurviveACrash runs a writer in another process that
// kills itself right after its last acknowledged insert, without closing
// anything, then opens the directory again.
func TestAcknowledgedWritesSurviveACrash(t *testing.T) {
	dir := t.TempDir()
	cmd := exec.CommandContext(t.Context(), os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), crashDirEnv+"="+dir)
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatalf("starting the writer: %v", err)
	}
	acked := 0
	lines := bufio.NewScanner(out)
	for lines.Scan() {
		if n, ok := strings.CutPrefix(lines.Text(), "acked "); ok {
			if acked, err = strconv.Atoi(n); err != nil {
				t.Fatalf("reading the writer: %v", err)
			}
		}
	}
	if err := cmd.Wait(); err == nil {
		t.Fatal("the writer exited normally; it was meant to die")
	}
	if acked == 0 {
		t.Fatal("the writer had no write acknowledged")
	}

	s := start(t, dir)
	if n := count(t, client(t, s.URI()).Database("medical").Collection("admissions")); n != acked {
		t.Errorf("after the crash the store holds %d documents, %d were acknowledged", n, acked)
	}
}

// crashingWriter is the writer process of TestAcknowledgedWritesSurviveACrash.
func crashingWriter(dir string) {
	ctx := context.Background()
	fail := func(err error) {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	s, err := Start(ctx, Options{Dir: dir, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		fail(err)
	}
	c, err := mongo.Connect(options.Client().ApplyURI(s.URI()))
	if err != nil {
		fail(err)
	}
	coll := c.Database("medical").Collection("admissions")
	for from := 0; from < 1000; from += 250 {
		if err := insert(ctx, coll, from, from+250); err != nil {
			fail(err)
		}
		fmt.Printf("acked %d\n", from+250)
	}
	self, err := os.FindProcess(os.Getpid())
	if err != nil {
		fail(err)
	}
	if err := self.Kill(); err != nil {
		fail(err)
	}
	select {} // the kill lands before anything else runs
}

func TestQuietHandler(t *testing.T) {
	tests := []struct {
		name  string
		level slog.Level
		msg   string
		kept  bool
	}{
		{name: "error reply header", level: slog.LevelWarn, msg: "Response header: length: 121", kept: false},
		{name: "error reply body", level: slog.LevelWarn, msg: "Response message:\n{...}", kept: false},
		{name: "other warning", level: slog.LevelWarn, msg: "Connection stopped", kept: true},
		{name: "a reply closing the connection", level: slog.LevelError, msg: "Response header: length: 121", kept: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf strings.Builder
			l := slog.New(quietHandler{slog.NewTextHandler(&buf, nil)}).With("name", "listener")
			l.Log(t.Context(), tt.level, tt.msg)
			if kept := buf.Len() > 0; kept != tt.kept {
				t.Errorf("kept = %v, want %v (%q)", kept, tt.kept, buf.String())
			}
		})
	}
}

// TestStoreFilesAreOwnerOnly checks that the store's directory and every
// file in it, SQLite's among them, are readable by their owner alone, also
// when the directory and a database were left readable by an earlier run.
func TestStoreFilesAreOwnerOnly(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("Windows has no unix permission bits")
	}
	dir := filepath.Join(t.TempDir(), "store")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for i, name := range []string{"first", "second"} {
		s := start(t, dir)
		if err := insert(t.Context(), client(t, s.URI()).Database(name).Collection("patients"), 0, 10); err != nil {
			t.Fatalf("inserting: %v", err)
		}
		if err := s.Close(); err != nil {
			t.Fatalf("Close: %v", err)
		}
		if i == 0 {
			// As a store written before its files were restricted left them.
			if err := os.Chmod(dir, 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.Chmod(filepath.Join(dir, "first.sqlite"), 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	info, err := os.Stat(dir)
	if err != nil {
		t.Fatal(err)
	}
	if mode := info.Mode().Perm(); mode != 0o700 {
		t.Errorf("the store's directory is %#o, want 0700", mode)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var databases int
	for _, e := range entries {
		info, err := e.Info()
		if err != nil {
			t.Fatal(err)
		}
		if mode := info.Mode().Perm(); mode != 0o600 {
			t.Errorf("%s is %#o, want 0600", e.Name(), mode)
		}
		if strings.HasSuffix(e.Name(), ".sqlite") {
			databases++
		}
	}
	if databases != 2 {
		t.Errorf("found %d databases in the store, want 2: %v", databases, entries)
	}
}
