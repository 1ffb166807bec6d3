package integration

import (
	"context"
	"errors"
	"net"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"

	"runner/stages/report"
)

// TestUnreachableTarget points runner at a closed port with a password in
// the URI: it fails within its timeout, says it cannot reach the server, and
// prints the password nowhere.
func TestUnreachableTarget(t *testing.T) {
	// No server: the test needs only a port where nothing listens.
	w := newWorkspace(t, &server{collection: "admissions"})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := ln.Addr().String()
	require.NoError(t, ln.Close())
	password := "unreachable-" + randomHex(8)
	data, _ := w.generate("admissions.csv", 100, 51)

	start := time.Now()
	a := w.apply(w.pipeline(settings{timeout: faultTimeout.String()}),
		data, withUser("mongodb://"+addr+"/"+database, "writer", password, database))
	took := time.Since(start)

	require.Equal(t, exitRuntime, a.code, "%s", a)
	require.Equal(t, report.StatusFailed, a.report.Status)
	require.LessOrEqual(t, took, faultTimeout+faultMargin, "runner took %s to give up on a closed port", took)
	require.Contains(t, a.report.Error, "cannot reach MongoDB")
	require.Contains(t, a.report.Error, addr)
	requireNoSecret(t, w, a, password)
}

// TestWrongPassword gives runner a wrong password: it fails within its
// timeout, says the credentials were refused, and prints the password
// nowhere. Only a server with authentication can refuse one.
func TestWrongPassword(t *testing.T) {
	requireAuthentication(t)
	srv := startServer(t)
	password := "wrong-" + randomHex(8)
	uri := srv.uriWithPassword(t, password)
	w := newWorkspace(t, srv)
	data, _ := w.generate("admissions.csv", 100, 52)

	start := time.Now()
	a := w.apply(w.pipeline(settings{timeout: faultTimeout.String()}), data, uri)
	took := time.Since(start)

	require.Equal(t, exitRuntime, a.code, "%s", a)
	require.Equal(t, report.StatusFailed, a.report.Status)
	require.LessOrEqual(t, took, faultTimeout+faultMargin, "runner took %s to report refused credentials", took)
	require.Contains(t, a.report.Error, "authentication failed")
	requireNoSecret(t, w, a, password)
}

// uriWithPassword returns a URI of the server whose credentials it refuses:
// the writer with another password on a server of the test's own, a user
// that does not exist on MONGO_URI's (whose users the suite does not know).
func (s *server) uriWithPassword(t *testing.T, password string) string {
	t.Helper()
	switch s.kind {
	case targetURI:
		return withUser(suite.mongoURI, "runner_it_nobody_"+randomHex(4), password, database)
	case targetMongo:
		return withUser("mongodb://"+s.accounts(t).host+"/"+database, "writer", password, database)
	}
	noAuthentication(t)
	return ""
}

// TestLeastPrivilegeUsers checks the compose stack's users on a real
// MongoDB: the writer can load; the reader can read but neither write nor
// drop; and runner, given the reader, refuses before moving any data.
func TestLeastPrivilegeUsers(t *testing.T) {
	requireAuthentication(t)
	srv := startServer(t)
	u := srv.accounts(t)
	w := newWorkspace(t, srv)
	data, sum := w.generate("admissions.csv", 2_000, 61)
	want := int64(sum.Rows - sum.ExactDuplicates)
	pipeline := w.pipeline(settings{})

	requireSucceeded(t, w.apply(pipeline, data, u.writer))
	before := srv.contents(t, srv.collection)
	require.Equal(t, want, before.count)

	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	reader := connect(t, u.reader)
	defer disconnect(reader)
	coll := reader.Database(database).Collection(srv.collection)
	n, err := coll.CountDocuments(ctx, bson.D{})
	require.NoError(t, err, "the reader cannot read")
	require.Equal(t, want, n)
	_, err = coll.InsertOne(ctx, bson.D{{Key: "written_by", Value: "reader"}})
	requireUnauthorized(t, err, "the reader inserted a document")
	requireUnauthorized(t, coll.Drop(ctx), "the reader dropped the collection")

	a := w.apply(pipeline, data, u.reader)
	require.Equal(t, exitRuntime, a.code, "%s", a)
	require.Contains(t, a.report.Error, "lacks")
	require.Contains(t, a.report.Error, "readWrite", "the message should say what to grant")
	requireSameDocuments(t, before, srv.contents(t, srv.collection), "after the reader's run")
	require.Equal(t, []string{srv.collection}, srv.collections(t), "the reader's run created a collection")
}

// requireUnauthorized checks that the server refused an operation for want
// of privileges (code 13, Unauthorized).
func requireUnauthorized(t *testing.T, err error, what string) {
	t.Helper()
	var se mongo.ServerError
	require.Error(t, err, what)
	require.True(t, errors.As(err, &se) && se.HasErrorCode(13), "%s: want Unauthorized, got %v", what, err)
}

// requireNoSecret checks that secret appears neither in runner's output nor
// in any report file.
func requireNoSecret(t *testing.T, w *workspace, a *applied, secret string) {
	t.Helper()
	require.NotContains(t, a.stdout, secret, "the password is in standard output")
	require.NotContains(t, a.stderr, secret, "the password is in standard error")
	files := w.reportFiles()
	require.NotEmpty(t, files, "the failed run wrote no report")
	for path, content := range files {
		require.NotContains(t, content, secret, "the password is in %s", path)
	}
}
