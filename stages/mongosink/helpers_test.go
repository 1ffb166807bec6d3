package mongosink

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"math"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/zeebo/xxh3"
	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
	"go.mongodb.org/mongo-driver/v2/x/bsonx/bsoncore"

	"runner/stages"
	"runner/stages/plan"
)

// Healthcare-like values the generated documents cycle through.
var (
	testNames      = []string{"Bobby Jackson", "Leslie Terry", "Danny Smith", "Andrew Watts", "Adrienne Bell", "Emily Johnson"}
	testConditions = []string{"Cancer", "Obesity", "Diabetes", "Asthma", "Hypertension", "Arthritis"}
	testHospitals  = []string{"Sons and Miller", "Kim Inc", "Cook PLC", "Hernandez Rogers and Vang,", "White-White"}
)

// healthcareDoc builds the document of row i of a generated run: about 430
// bytes, _id first, four nested objects. variant changes the content but
// not the _id, as a changed source row with the same keys would.
func healthcareDoc(dst []byte, i, variant int) []byte {
	id := xxh3.Hash128(binary.LittleEndian.AppendUint64(nil, uint64(i)))
	admitted := time.Date(2019, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, i%1800)
	b := bsoncore.NewDocumentBuilder().
		AppendString("_id", fmt.Sprintf("%016x%016x", id.Hi, id.Lo)).
		AppendDocument("patient", bsoncore.NewDocumentBuilder().
			AppendString("name", testNames[i%len(testNames)]).
			AppendInt32("age", int32(18+(i+variant)%70)).
			AppendString("gender", []string{"Male", "Female"}[i%2]).
			AppendString("blood_type", []string{"A+", "B-", "O+", "AB-"}[i%4]).
			Build()).
		AppendDocument("admission", bsoncore.NewDocumentBuilder().
			AppendDateTime("admitted_on", admitted.UnixMilli()).
			AppendDateTime("discharged_on", admitted.AddDate(0, 0, 1+i%30).UnixMilli()).
			AppendString("type", []string{"Urgent", "Emergency", "Elective"}[i%3]).
			AppendInt32("room", int32(100+i%400)).
			AppendString("doctor", testNames[(i+3)%len(testNames)]).
			AppendString("hospital", testHospitals[i%len(testHospitals)]).
			AppendInt64("stay_days", int64(1+i%30)).
			Build()).
		AppendDocument("medical", bsoncore.NewDocumentBuilder().
			AppendString("condition", testConditions[i%len(testConditions)]).
			AppendString("medication", "Paracetamol").
			AppendString("test_results", []string{"Normal", "Abnormal", "Inconclusive"}[i%3]).
			Build()).
		AppendDocument("billing", bsoncore.NewDocumentBuilder().
			AppendDouble("amount", 1000+float64(i)*1.37+float64(variant)).
			AppendString("insurer", "Blue Cross").
			Build()).
		Build()
	return append(dst, b...)
}

// docBatches returns rows [from, to) as batches of at most per documents,
// each document from line row+2 (after the header).
func docBatches(from, to, per, variant int) []*stages.DocBatch {
	var out []*stages.DocBatch
	for start := from; start < to; start += per {
		b := &stages.DocBatch{}
		for i := start; i < min(start+per, to); i++ {
			b.Data = healthcareDoc(b.Data, i, variant)
			b.Add(stages.MakeOrigin(0, i+2))
		}
		out = append(out, b)
	}
	return out
}

// dbName turns the test's name into a database name of its own.
func dbName(t testing.TB) string {
	name := regexp.MustCompile(`[^A-Za-z0-9_]+`).ReplaceAllString(t.Name(), "_")
	if len(name) > 50 {
		name = fmt.Sprintf("%s_%x", name[:40], xxh3.HashString(name)&0xffffff)
	}
	return name
}

// testConfig is a configuration for the embedded store in the test's own
// database, which is dropped before and after the test (a test run more
// than once finds the store as the last run left it).
func testConfig(t testing.TB, mode plan.Mode) Config {
	db := rawClient(t, storeURI).Database(dbName(t))
	drop := func() {
		if err := db.Drop(context.Background()); err != nil {
			t.Errorf("dropping %s: %v", db.Name(), err)
		}
	}
	drop()
	t.Cleanup(drop)
	return Config{
		URI:        storeURI,
		Database:   db.Name(),
		Collection: "admissions",
		Mode:       mode,
		BatchDocs:  250,
		Writers:    2,
		// Generous: under the race detector on a busy machine, SQLite in
		// FerretDB is slow.
		Timeout: 2 * time.Minute,
	}
}

// withStorageScan makes Verify read the collection from the store's files,
// as the runner does with the embedded store. Against MONGO_URI there are
// no files to read: Verify reads through the server, as it does there.
func withStorageScan(cfg Config) Config {
	if testStore == nil {
		return cfg
	}
	cfg.Scan = func(ctx context.Context, collection string, fn func([]byte) error) error {
		return testStore.Scan(ctx, cfg.Database, collection, fn)
	}
	return cfg
}

// needsStoreFiles skips a test about reading the embedded store's files
// when the suite runs against MONGO_URI, which has none.
func needsStoreFiles(t *testing.T) {
	t.Helper()
	if testStore == nil {
		t.Skip("reads the embedded store's files; MONGO_URI is set")
	}
}

// connect opens a Target and closes it when the test ends.
func connect(t testing.TB, cfg Config) *Target {
	t.Helper()
	target, err := Connect(t.Context(), cfg)
	if err != nil {
		t.Fatalf("Connect: %v", err)
	}
	t.Cleanup(func() {
		if err := target.Close(context.Background()); err != nil {
			t.Errorf("closing the target: %v", err)
		}
	})
	return target
}

// runLoad writes batches through a full Begin/Write/Close/Verify/Commit.
func runLoad(t testing.TB, target *Target, batches []*stages.DocBatch) (Result, Verification) {
	t.Helper()
	l, err := target.Begin(t.Context())
	if err != nil {
		t.Fatalf("Begin: %v", err)
	}
	return runLoadWith(t, l, batches)
}

// runLoadWith writes batches through a load already begun, then closes,
// verifies and commits it.
func runLoadWith(t testing.TB, l *Load, batches []*stages.DocBatch) (Result, Verification) {
	t.Helper()
	ctx := t.Context()
	defer func() {
		if err := l.Abort(context.Background()); err != nil {
			t.Errorf("Abort: %v", err)
		}
	}()
	for _, b := range batches {
		if err := l.Write(ctx, b); err != nil {
			t.Fatalf("Write: %v", err)
		}
	}
	res, err := l.Close(ctx)
	if err != nil {
		t.Fatalf("Close: %v", err)
	}
	v, err := l.Verify(ctx, 100)
	if err != nil {
		t.Fatalf("Verify: %v", err)
	}
	if !v.Passed() {
		t.Fatalf("verification failed: %s", strings.Join(v.Problems(), "; "))
	}
	if err := l.Commit(ctx); err != nil {
		t.Fatalf("Commit: %v", err)
	}
	return res, v
}

// rawClient is a plain driver client to the store, for looking behind the
// sink's back.
func rawClient(t testing.TB, uri string) *mongo.Client {
	t.Helper()
	c, err := mongo.Connect(options.Client().ApplyURI(uri))
	if err != nil {
		t.Fatalf("connecting: %v", err)
	}
	t.Cleanup(func() { _ = c.Disconnect(context.Background()) })
	return c
}

// contentDigest is the count and digest of every document of coll, and the
// digest of the given batches, in the same form.
type contentDigest struct {
	count int64
	sum   uint64
}

func collectionDigest(t testing.TB, coll *mongo.Collection) contentDigest {
	t.Helper()
	cur, err := coll.Find(t.Context(), bson.D{})
	if err != nil {
		t.Fatalf("reading %s: %v", coll.Name(), err)
	}
	defer cur.Close(context.Background())
	s := newDocStats()
	for cur.Next(t.Context()) {
		if _, err := s.add(cur.Current, nil); err != nil {
			t.Fatalf("reading %s: %v", coll.Name(), err)
		}
	}
	if err := cur.Err(); err != nil {
		t.Fatalf("reading %s: %v", coll.Name(), err)
	}
	return contentDigest{count: s.count, sum: s.sum}
}

func batchesDigest(t testing.TB, batches []*stages.DocBatch) contentDigest {
	t.Helper()
	s := newDocStats()
	for _, b := range batches {
		for i := range b.Len() {
			if _, err := s.add(b.Doc(i), nil); err != nil {
				t.Fatalf("digest: %v", err)
			}
		}
	}
	return contentDigest{count: s.count, sum: s.sum}
}

// collectionNames lists the collections of the test's database.
func collectionNames(t testing.TB, db *mongo.Database) []string {
	t.Helper()
	names, err := db.ListCollectionNames(t.Context(), bson.D{})
	if err != nil {
		t.Fatalf("listing collections: %v", err)
	}
	return names
}

// patchDouble replaces, in doc, the double equal to value by NaN.
func patchDouble(t testing.TB, doc []byte, value float64) {
	t.Helper()
	var want [8]byte
	binary.LittleEndian.PutUint64(want[:], math.Float64bits(value))
	i := bytes.Index(doc, want[:])
	if i < 0 {
		t.Fatalf("no double %v in the document", value)
	}
	binary.LittleEndian.PutUint64(doc[i:], math.Float64bits(math.NaN()))
}
