// Package embedded owns the MongoDB-compatible store that runs inside the
// runner process when a pipeline names no MongoDB URI: FerretDB v1 with its
// SQLite backend, listening on a local TCP port so that the sink, `runner
// serve`, mongosh and Compass all reach it the way they reach MongoDB.
//
// # One runner per directory
//
// Start takes an exclusive lock on a file in the store's directory (flock on
// unix; an exclusively created file elsewhere) before opening any SQLite
// file, because two processes writing the same SQLite databases through two
// FerretDB instances would each keep their own view of FerretDB's metadata
// and corrupt it. A second runner gets an *InUseError naming the holder's pid.
//
// # Durability
//
// Every SQLite database is opened with
//
//	journal_mode(wal)     commits append to the write-ahead log, readers are not blocked
//	synchronous(full)     the log is fsynced at every commit, before FerretDB answers
//	busy_timeout(10000)   a writer waits for another connection's lock instead of failing
//
// so a write FerretDB has acknowledged is in the log on disk: it survives a
// crash of the process and of the machine. synchronous(normal) would also
// survive a process crash (the log is written, only the fsync is deferred to
// checkpoints) but can lose the last commits on power loss, which a migration
// tool must not. FerretDB commits an insert in transactions of 100
// documents, so the fsync is paid once per 100 documents; measured, full
// costs about 6% of insert throughput against normal.
//
// # The process that hosts it
//
// FerretDB turns every document it stores into short-lived garbage, so the
// Go collector's settings decide much of its speed: with HostGCPercent
// (a heap goal of four times what is live, against the default two) inserts
// are about 15% faster, measured; HostMemoryAllowance is the soft memory
// limit that keeps that heap bounded. They are process-wide, so the store
// does not set them: the process that hosts it does (runner when it loads
// into the store or serves it, and the benchmark's ceiling, which must run
// the store as runner does). synchronous(normal) would add about 11% more,
// at the cost of durability on power loss, which this store does not trade.
//
// Clients still connected when the store stops are given FerretDB's grace
// period of three seconds: close them first.
//
// FerretDB v1's embedding API sets a package-level version field in New, so
// stores in one process must be started one at a time.
package embedded

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	"github.com/FerretDB/FerretDB/ferretdb"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
	"go.mongodb.org/mongo-driver/v2/mongo/readpref"
)

// The Go collector's settings for a process that hosts a store; see the
// package doc.
const (
	HostGCPercent       = 400
	HostMemoryAllowance = 512 << 20
)

// DefaultListen is the address a store listens on when Options.Listen is
// empty: loopback only, on a free port.
const DefaultListen = "127.0.0.1:0"

// Limitations says where the store answers otherwise than MongoDB, for
// people who read it through `runner serve`: some answers are silently
// wrong, some operations fail, some values cannot be stored.
// TestLimitations proves each one against the store, so the list follows
// FerretDB when it is upgraded.
func Limitations() []string {
	return []string{
		"a $group with two or more accumulators returns 0 for every accumulator after the first, without an error",
		"$avg, $min and $max in $group, the $lookup stage and date operators such as $year fail as not implemented",
		"indexes are not used for range queries, which scan the whole collection",
		"decimal128 values cannot be stored (validate and plan refuse a decimal128 field for this store)",
	}
}

// Options configures a store.
type Options struct {
	// Dir is where the SQLite files live; it is created if missing.
	Dir string
	// Listen is the TCP address; DefaultListen when empty. Inside a
	// container, "0.0.0.0:27017".
	Listen string
	// Logger receives FerretDB's own logs, less its dumps of every reply
	// that carries an error. When nil, warnings and errors go to standard
	// error and everything else is dropped.
	Logger *slog.Logger
}

// Store is a running embedded store.
type Store struct {
	dir string
	// listening is the listener's host:port; uri is what a local client dials.
	listening string
	uri       string
	lock      *dirLock
	cancel    context.CancelFunc
	// done is closed once FerretDB has stopped, its SQLite databases are
	// closed and the directory lock is released; stopErr is set before.
	done    chan struct{}
	stopErr error
}

// quietHandler drops FerretDB's dumps of every error reply, which it logs
// as warnings although the client receives (and reports) the error itself:
// a duplicate _id in append mode would otherwise print a page per batch.
type quietHandler struct{ slog.Handler }

func (h quietHandler) Handle(ctx context.Context, r slog.Record) error {
	if r.Level == slog.LevelWarn && (strings.HasPrefix(r.Message, "Response header:") || strings.HasPrefix(r.Message, "Response message:")) {
		return nil
	}
	return h.Handler.Handle(ctx, r)
}

func (h quietHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	return quietHandler{h.Handler.WithAttrs(attrs)}
}

func (h quietHandler) WithGroup(name string) slog.Handler {
	return quietHandler{h.Handler.WithGroup(name)}
}

// Start starts a store on opts.Dir and returns once it answers commands. It
// stops when ctx is cancelled or Close is called.
func Start(ctx context.Context, opts Options) (*Store, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("starting the embedded store: %w", err)
	}
	if opts.Dir == "" {
		return nil, errors.New("starting the embedded store: no directory given")
	}
	dir, err := filepath.Abs(opts.Dir)
	if err != nil {
		return nil, fmt.Errorf("starting the embedded store in %s: %w", opts.Dir, err)
	}
	// FerretDB hands the directory to SQLite inside a file: URI without
	// escaping it, so these characters would change the URI's meaning.
	if strings.ContainsAny(dir, "?#%") {
		return nil, fmt.Errorf("starting the embedded store in %s: the path may not contain '?', '#' or '%%'", dir)
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("creating the embedded store's directory: %w", err)
	}
	lock, err := lockDir(dir)
	if err != nil {
		return nil, err
	}
	if err := restrictModes(dir); err != nil {
		return nil, errors.Join(fmt.Errorf("starting the embedded store in %s: %w", dir, err), lock.release())
	}

	listen := opts.Listen
	if listen == "" {
		listen = DefaultListen
	}
	handler := slog.Handler(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	if opts.Logger != nil {
		handler = opts.Logger.Handler()
	}
	logger := slog.New(quietHandler{handler})
	fdb, err := ferretdb.New(&ferretdb.Config{
		Listener:  ferretdb.ListenerConfig{TCP: listen},
		Logger:    logger,
		Handler:   "sqlite",
		SQLiteURL: sqliteURL(dir),
	})
	if err != nil {
		return nil, errors.Join(fmt.Errorf("starting the embedded store in %s: %w", dir, err), lock.release())
	}
	// FerretDB listens in New, so its URI holds the port the kernel chose
	// for a listen address with port 0.
	listening, err := listenAddress(fdb.MongoDBURI())
	if err != nil {
		return nil, errors.Join(fmt.Errorf("starting the embedded store in %s: %w", dir, err), lock.release())
	}

	runCtx, cancel := context.WithCancel(ctx)
	s := &Store{dir: dir, listening: listening, uri: clientURI(listening), lock: lock, cancel: cancel, done: make(chan struct{})}
	go func() {
		defer close(s.done)
		// Run returns after every connection has ended and the SQLite
		// databases are closed; only then may another runner take the
		// directory.
		runErr := fdb.Run(runCtx)
		s.stopErr = errors.Join(runErr, restrictModes(dir), lock.release())
	}()

	if err := s.ping(ctx); err != nil {
		return nil, errors.Join(fmt.Errorf("starting the embedded store in %s: %w", dir, err), s.Close())
	}
	return s, nil
}

// restrictModes makes the store's directory 0700 and every file in it 0600:
// the store holds the data being migrated, patient records among them, and
// SQLite creates a database file 0644 (less the umask) with no way to ask
// otherwise. Its write-ahead log and shared-memory files take the mode of
// their database file, so once a database is 0600 they are too. A database
// first created during a run is 0644 until the store stops, inside a
// directory no one else may enter; Start and the store's stop both call this.
func restrictModes(dir string) error {
	if err := os.Chmod(dir, 0o700); err != nil {
		return fmt.Errorf("restricting the store's directory to its owner: %w", err)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return fmt.Errorf("listing the store's directory: %w", err)
	}
	for _, e := range entries {
		if !e.Type().IsRegular() {
			continue
		}
		if err := os.Chmod(filepath.Join(dir, e.Name()), 0o600); err != nil {
			return fmt.Errorf("restricting the store's files to their owner: %w", err)
		}
	}
	return nil
}

// sqliteURL is the SQLite URI FerretDB opens its databases under: one file
// per database in dir, with the pragmas described in the package doc.
func sqliteURL(dir string) string {
	// The SQLite driver applies these to every connection, in this order:
	// busy_timeout must come before journal_mode, as switching to WAL takes
	// a lock.
	q := url.Values{"_pragma": {"busy_timeout(10000)", "journal_mode(wal)", "synchronous(full)"}}
	u := url.URL{Scheme: "file", Path: filepath.ToSlash(dir) + "/", RawQuery: q.Encode()}
	return u.String()
}

// listenAddress reads the host:port FerretDB listens on from its URI.
func listenAddress(fdbURI string) (string, error) {
	u, err := url.Parse(fdbURI)
	if err != nil {
		return "", fmt.Errorf("reading the store's address %q: %w", fdbURI, err)
	}
	if _, _, err := net.SplitHostPort(u.Host); err != nil {
		return "", fmt.Errorf("reading the store's address %q: %w", fdbURI, err)
	}
	return u.Host, nil
}

// clientURI turns the address the store listens on into a URI a client on
// this machine can dial: a store listening on every interface is reached
// through loopback.
func clientURI(listening string) string {
	host, port, _ := net.SplitHostPort(listening) // checked by listenAddress
	// Go reports a listener on every interface as [::] even when asked for
	// 0.0.0.0; such a listener also accepts IPv4, and 127.0.0.1 exists where
	// ::1 may not (containers often have no IPv6 loopback).
	if ip := net.ParseIP(host); ip != nil && ip.IsUnspecified() {
		host = "127.0.0.1"
	}
	return (&url.URL{Scheme: "mongodb", Host: net.JoinHostPort(host, port), Path: "/"}).String()
}

// ping waits until the store answers a command, so that Start returns a
// store that is ready for the sink.
func (s *Store) ping(ctx context.Context) error {
	client, err := mongo.Connect(options.Client().ApplyURI(s.uri).SetAppName("runner-embedded-start"))
	if err != nil {
		return fmt.Errorf("connecting to %s: %w", s.uri, err)
	}
	pingErr := client.Ping(ctx, readpref.Primary())
	// The disconnect must not depend on ctx: a cancelled ctx would leave
	// the connection open and delay the store's shutdown.
	discErr := client.Disconnect(context.WithoutCancel(ctx))
	if pingErr != nil {
		return fmt.Errorf("waiting for %s to answer: %w", s.uri, pingErr)
	}
	if discErr != nil {
		return fmt.Errorf("disconnecting from %s: %w", s.uri, discErr)
	}
	return nil
}

// URI returns the connection string of the store for a client on this
// machine: mongodb://host:port/.
func (s *Store) URI() string { return s.uri }

// ListenAddr returns the host:port the store listens on, as its listener
// reports it: with the port chosen when Options.Listen asked for port 0,
// and [::] for every interface.
func (s *Store) ListenAddr() string { return s.listening }

// ListensBeyondLoopback reports whether other machines may connect: the
// store listens on an address other than loopback. It has no users and no
// TLS, so whoever reaches it reads and changes everything in it.
func (s *Store) ListensBeyondLoopback() bool {
	host, _, _ := net.SplitHostPort(s.listening) // checked by listenAddress
	ip := net.ParseIP(host)
	return ip == nil || !ip.IsLoopback()
}

// Done returns a channel that is closed once the store has stopped, its
// SQLite files are closed and the directory lock is released, whether
// through Close or the cancellation of Start's ctx.
func (s *Store) Done() <-chan struct{} { return s.done }

// Close stops the store and waits until its SQLite files are closed and the
// directory lock is released. Clients still connected are given FerretDB's
// grace period (a few seconds) to disconnect. Closing twice is harmless.
func (s *Store) Close() error {
	s.cancel()
	<-s.done
	if s.stopErr != nil {
		return fmt.Errorf("stopping the embedded store: %w", s.stopErr)
	}
	return nil
}
