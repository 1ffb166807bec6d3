package integration

import (
	"context"
	"errors"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"github.com/testcontainers/testcontainers-go"
	tclog "github.com/testcontainers/testcontainers-go/log"
	"github.com/testcontainers/testcontainers-go/modules/mongodb"
	"github.com/testcontainers/testcontainers-go/network"
	"github.com/testcontainers/testcontainers-go/wait"
	"go.mongodb.org/mongo-driver/v2/bson"
)

// database is the pipeline's database; the users' roles are granted on it.
const database = "medical_records"

// server is one test's MongoDB, and what the test may do with it.
type server struct {
	kind targetKind
	// collection is the collection the test's pipelines load: admissions on
	// a server of the test's own, a name of the test's on a shared one.
	collection string
	// adminURI reaches the server with every right (root on MongoDB); the
	// test reads through it. runnerURI is runner's MONGO_URI: the writer
	// user on MongoDB, the proxy in front of a subprocess. Both are
	// functions because a restarted container gets another host port.
	adminURI  func(t *testing.T) string
	runnerURI func(t *testing.T) string
	// accounts returns the least-privilege users, or skips the test.
	accounts func(t *testing.T) users
	// ctl makes the server fail and come back; nil when the suite does not
	// control the server.
	ctl controls
	// bigRows is a load long enough to be interrupted in its middle: several
	// seconds of writing for this kind of server, more than a clean
	// shutdown lets a load go on.
	bigRows int
}

// users are the compose stack's least-privilege users, as URIs.
type users struct {
	writer, reader string
	// host is the server's address, for URIs with other credentials.
	host string
}

// faultKind is how the database fails under a load.
type faultKind string

const (
	faultStopped      faultKind = "stopped"
	faultPaused       faultKind = "paused"
	faultDisconnected faultKind = "disconnected"
)

// controls is a server the suite can make fail. inject makes the database
// unavailable in the given way; restore brings it back with its data and
// may be called more than once.
type controls interface {
	fault(t *testing.T, kind faultKind) (inject, restore func(t *testing.T))
}

// startServer gives the test a server of the package's target, removed (or
// cleaned) when the test ends.
func startServer(t *testing.T) *server {
	t.Helper()
	switch suite.kind {
	case targetURI:
		return sharedServer(t)
	case targetMongo:
		return mongoServer(t)
	case targetImage:
		return imageServer(t)
	case targetProcess:
		return processServer(t)
	}
	t.Fatalf("unknown target %d", suite.kind)
	return nil
}

// noAuthentication skips a test that needs users on a server without them.
func noAuthentication(t *testing.T) users {
	t.Helper()
	requireAuthentication(t)
	return users{}
}

// requireAuthentication skips a test that needs users, before it starts a
// server, unless the target is a real MongoDB.
func requireAuthentication(t *testing.T) {
	t.Helper()
	if suite.kind != targetURI && suite.kind != targetMongo {
		t.Skip("needs authentication, which only a real MongoDB (targets 1 and 2) has: the embedded store has no users")
	}
}

// sharedServer is MONGO_URI's server. Tests load a collection named after
// themselves, so that they neither meet each other's data nor touch the
// admissions collection someone may keep there, and drop it afterwards.
func sharedServer(t *testing.T) *server {
	uri := suite.mongoURI
	s := &server{
		kind:       targetURI,
		collection: "admissions_it_" + strings.ToLower(regexp.MustCompile(`[^A-Za-z0-9]+`).ReplaceAllString(t.Name(), "_")),
		adminURI:   func(*testing.T) string { return uri },
		runnerURI:  func(*testing.T) string { return uri },
		bigRows:    300_000,
	}
	s.accounts = func(t *testing.T) users { return temporaryUsers(t, uri) }
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		client := connect(t, uri)
		defer disconnect(client)
		db := client.Database(database)
		names, err := db.ListCollectionNames(ctx, bson.D{})
		if err != nil {
			t.Errorf("list collections: %v", err)
		}
		for _, name := range names {
			if name != s.collection && name != previous(s.collection) && !isStaging(s.collection, name) {
				continue
			}
			if err := db.Collection(name).Drop(ctx); err != nil {
				t.Errorf("drop %s: %v", name, err)
			}
		}
	})
	return s
}

// temporaryUsers creates a writer and a reader for the test with MONGO_URI's
// user, where the compose stack keeps them (in the pipeline's database), or
// skips when that user may not.
func temporaryUsers(t *testing.T, uri string) users {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	client := connect(t, uri)
	t.Cleanup(func() { disconnect(client) }) // after the users are dropped
	app := client.Database(database)
	suffix := randomHex(4)
	created := users{host: hostsOf(uri)}
	for _, u := range []struct {
		name, role string
		into       *string
	}{{"runner_it_writer_" + suffix, "readWrite", &created.writer}, {"runner_it_reader_" + suffix, "read", &created.reader}} {
		password := randomHex(12)
		err := app.RunCommand(ctx, bson.D{
			{Key: "createUser", Value: u.name}, {Key: "pwd", Value: password},
			{Key: "roles", Value: bson.A{bson.D{{Key: "role", Value: u.role}, {Key: "db", Value: database}}}},
		}).Err()
		if err != nil {
			t.Skipf("MONGO_URI's user cannot create the test's users (%v); give it userAdmin on %s to run this test", err, database)
		}
		t.Cleanup(func() {
			if err := app.RunCommand(context.Background(), bson.D{{Key: "dropUser", Value: u.name}}).Err(); err != nil {
				t.Errorf("drop user %s: %v", u.name, err)
			}
		})
		*u.into = withUser(uri, u.name, password, database)
	}
	return created
}

// hostsOf returns the host list of a MongoDB URI, without credentials.
func hostsOf(uri string) string {
	_, rest, _ := strings.Cut(uri, "://")
	if end := strings.IndexAny(rest, "/?"); end >= 0 {
		rest = rest[:end]
	}
	if at := strings.LastIndex(rest, "@"); at >= 0 {
		rest = rest[at+1:]
	}
	return rest
}

// withUser returns uri with user and password as its credentials, defined
// in the database authSource. URIs may list several hosts, which net/url does
// not parse, so the parts are cut by hand.
func withUser(uri, user, password, authSource string) string {
	scheme, rest, _ := strings.Cut(uri, "://")
	path, query := "/", ""
	if end := strings.IndexAny(rest, "/?"); end >= 0 {
		path, query, _ = strings.Cut(rest[end:], "?")
		if path == "" {
			path = "/"
		}
	}
	q, _ := url.ParseQuery(query)
	q.Set("authSource", authSource)
	return scheme + "://" + url.UserPassword(user, password).String() + "@" + hostsOf(uri) + path + "?" + q.Encode()
}

// mongoServer is a mongo:8.0 container with authentication: root for the
// test, and the writer and reader created by the compose stack's own init
// script, from the same environment.
func mongoServer(t *testing.T) *server {
	ctx := context.Background()
	nw := dedicatedNetwork(t)
	rootPassword := randomHex(12)
	passwords := map[string]string{"writer": randomHex(12), "reader": randomHex(12)}
	initScript := filepath.Join(suite.root, "integration", "compose", "mongo-init", "10-create-users.js")
	ctr, err := mongodb.Run(ctx, mongoImage,
		mongodb.WithUsername("root"), mongodb.WithPassword(rootPassword),
		testcontainers.WithEnv(map[string]string{
			"MONGO_APP_DATABASE":    database,
			"MONGO_WRITER_USERNAME": "writer", "MONGO_WRITER_PASSWORD": passwords["writer"],
			"MONGO_READER_USERNAME": "reader", "MONGO_READER_PASSWORD": passwords["reader"],
		}),
		testcontainers.WithFiles(testcontainers.ContainerFile{
			HostFilePath: initScript, ContainerFilePath: "/docker-entrypoint-initdb.d/10-create-users.js", FileMode: 0o644,
		}),
		network.WithNetwork(nil, nw),
		// In place of the module's check of the port from testcontainers-go's
		// idea of the host (see publishedAddress): the image initialises on
		// a server that listens inside the container only, then restarts,
		// and waitReachable's ping through the published port reaches the
		// final server, once the init script has created the users.
		testcontainers.WithWaitStrategyAndDeadline(2*time.Minute, wait.ForLog("Waiting for connections")),
		testcontainers.WithLogger(tclog.TestLogger(t)))
	testcontainers.CleanupContainer(t, ctr)
	require.NoError(t, err)

	host := publishedAddress(t, ctr)
	adminURI := func(t *testing.T) string { return withUser("mongodb://"+host(t)+"/", "root", rootPassword, "admin") }
	waitReachable(t, adminURI(t))
	accounts := func(t *testing.T) users {
		h := host(t)
		return users{
			writer: withUser("mongodb://"+h+"/"+database, "writer", passwords["writer"], database),
			reader: withUser("mongodb://"+h+"/"+database, "reader", passwords["reader"], database),
			host:   h,
		}
	}
	return &server{
		kind: targetMongo, collection: "admissions",
		adminURI:  adminURI,
		runnerURI: func(t *testing.T) string { return accounts(t).writer },
		accounts:  accounts,
		ctl:       &containerControls{ctr: ctr, nw: nw, ping: adminURI},
		bigRows:   300_000,
	}
}

// imageServer is a container of the project's image serving the embedded
// store.
func imageServer(t *testing.T) *server {
	ctx := context.Background()
	nw := dedicatedNetwork(t)
	ctr, err := testcontainers.GenericContainer(ctx, testcontainers.GenericContainerRequest{
		ContainerRequest: testcontainers.ContainerRequest{
			Image:        suite.image,
			Cmd:          []string{"serve", "-listen", "0.0.0.0:27017", "-store-dir", "/data"},
			ExposedPorts: []string{"27017/tcp"},
			Networks:     []string{nw.Name},
			// The published port answers as soon as Docker maps it, before
			// the store listens; serve says when it does.
			WaitingFor: wait.ForLog("listening on").WithStartupTimeout(time.Minute),
		},
		Started: true,
		Logger:  tclog.TestLogger(t),
	})
	testcontainers.CleanupContainer(t, ctr)
	require.NoError(t, err)

	endpoint := publishedAddress(t, ctr)
	uri := func(t *testing.T) string { return "mongodb://" + endpoint(t) + "/" }
	waitReachable(t, uri(t))
	return &server{
		kind: targetImage, collection: "admissions",
		adminURI: uri, runnerURI: uri,
		accounts: noAuthentication,
		ctl:      &containerControls{ctr: ctr, nw: nw, ping: uri},
		bigRows:  30_000,
	}
}

// publishedAddress returns where the container's port 27017 is published,
// as host:port (the port changes when a stopped container starts again).
// The host is testcontainers-go's, or loopback when that does not answer:
// testcontainers-go takes the default gateway whenever /.dockerenv exists,
// which is wrong when the engine runs in the test's own network namespace,
// as in some sandboxes. TESTCONTAINERS_HOST_OVERRIDE, when set, is taken as
// it is.
func publishedAddress(t *testing.T, ctr testcontainers.Container) func(t *testing.T) string {
	t.Helper()
	ctx := context.Background()
	port := func(t *testing.T) string {
		p, err := ctr.MappedPort(ctx, "27017/tcp")
		require.NoError(t, err)
		return p.Port()
	}
	host, err := ctr.Host(ctx)
	require.NoError(t, err)
	candidates := []string{host}
	if _, set := os.LookupEnv("TESTCONTAINERS_HOST_OVERRIDE"); !set && host != "localhost" && host != "127.0.0.1" {
		candidates = append(candidates, "127.0.0.1")
	}
	var failures []error
	for _, h := range candidates {
		addr := net.JoinHostPort(h, port(t))
		c, err := net.DialTimeout("tcp", addr, 3*time.Second)
		if err == nil {
			c.Close()
			return func(t *testing.T) string { return net.JoinHostPort(h, port(t)) }
		}
		failures = append(failures, err)
	}
	t.Fatalf("the container's published port 27017 answers nowhere: %v", errors.Join(failures...))
	return nil
}

// dedicatedNetwork is a network of the test's own, so that disconnecting
// its container cuts that container off and nothing else.
func dedicatedNetwork(t *testing.T) *testcontainers.DockerNetwork {
	nw, err := network.New(context.Background())
	testcontainers.CleanupNetwork(t, nw)
	require.NoError(t, err)
	return nw
}

// containerControls fails a container the way a database host fails.
type containerControls struct {
	ctr  testcontainers.Container
	nw   *testcontainers.DockerNetwork
	ping func(t *testing.T) string
}

func (c *containerControls) fault(t *testing.T, kind faultKind) (inject, restore func(t *testing.T)) {
	ctx := context.Background()
	id := c.ctr.GetContainerID()
	docker := suite.docker.Client()
	var down bool
	var hurt, heal func() error
	switch kind {
	case faultStopped:
		// Stop keeps the container and its data volume: Start brings back
		// the same data (on another host port, which the URIs follow). The
		// server gets the time a clean shutdown needs: this is a stop, not
		// a crash (the subprocess target covers SIGKILL).
		grace := 10 * time.Second
		hurt = func() error { return c.ctr.Stop(ctx, &grace) }
		heal = func() error { return c.ctr.Start(ctx) }
	case faultPaused:
		hurt = func() error { return docker.ContainerPause(ctx, id) }
		heal = func() error { return docker.ContainerUnpause(ctx, id) }
	case faultDisconnected:
		hurt = func() error { return docker.NetworkDisconnect(ctx, c.nw.ID, id, true) }
		heal = func() error { return docker.NetworkConnect(ctx, c.nw.ID, id, nil) }
	default:
		t.Fatalf("unknown fault %q", kind)
	}
	inject = func(t *testing.T) {
		t.Helper()
		require.NoError(t, hurt(), "%s the container", kind)
		down = true
	}
	restore = func(t *testing.T) {
		t.Helper()
		if !down {
			return
		}
		down = false
		require.NoError(t, heal(), "undo %s", kind)
		waitReachable(t, c.ping(t))
	}
	// A test that fails half way still leaves a container that the cleanup
	// can stop and remove.
	t.Cleanup(func() {
		if down {
			down = false
			if err := heal(); err != nil {
				t.Logf("undo %s: %v", kind, err)
			}
		}
	})
	return inject, restore
}

// isStaging reports whether name is a staging collection of a replace run
// into collection (each run has its own: <collection>__runner_staging_<run>),
// and previous names the collection a swap sets aside.
func isStaging(collection, name string) bool {
	return strings.HasPrefix(name, collection+"__runner_staging")
}
func previous(collection string) string { return collection + "__runner_previous" }
