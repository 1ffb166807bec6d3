package embedded

import (
	"bytes"
	"context"
	"math"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
)

// scanAll returns what Scan yields for a collection, each document copied.
func scanAll(t *testing.T, s *Store, database, collection string) [][]byte {
	t.Helper()
	var docs [][]byte
	err := s.Scan(t.Context(), database, collection, func(doc []byte) error {
		docs = append(docs, bytes.Clone(doc))
		return nil
	})
	if err != nil {
		t.Fatalf("Scan: %v", err)
	}
	return docs
}

// TestScanReadsWhatTheServerServes writes documents of every BSON type the
// store keeps and checks that Scan returns, byte for byte, what a find
// through the server returns.
func TestScanReadsWhatTheServerServes(t *testing.T) {
	s := start(t, t.TempDir())
	coll := client(t, s.URI()).Database("scan").Collection("every_type")
	oid, _ := bson.ObjectIDFromHex("65b9e2f1c0ffee0123456789")
	docs := []any{
		bson.D{
			{Key: "_id", Value: "088947a6582c889592a3094f57e85dad"},
			{Key: "patient", Value: bson.D{{Key: "name", Value: "Michael Doyle"}, {Key: "age", Value: int32(78)}}},
			{Key: "admitted_on", Value: bson.NewDateTimeFromTime(time.Date(2024, 1, 31, 0, 0, 0, 0, time.UTC))},
			{Key: "amount", Value: 21585.243422654046},
			{Key: "long", Value: int64(math.MaxInt64)},
			{Key: "ok", Value: true},
			{Key: "nothing", Value: nil},
		},
		bson.D{
			{Key: "_id", Value: oid},
			{Key: "text", Value: "quotes \" and \\, <html> & \u2028 line\nbreak\ttab, ünïcödé, emoji 🏥, control \x01"},
			{Key: "doubles", Value: bson.A{1e300, 5e-324, 0.1, -2.5, 1e21, 1e-7, float64(1 << 53)}},
			// FerretDB v1 keeps no arrays inside arrays.
			{Key: "mixed", Value: bson.A{"a", int32(1), int64(2), bson.D{{Key: "x", Value: false}}}},
			{Key: "empty", Value: bson.D{}},
			{Key: "bin", Value: bson.Binary{Subtype: 0, Data: []byte{0, 1, 2, 255}}},
			{Key: "uuid", Value: bson.Binary{Subtype: 4, Data: bytes.Repeat([]byte{0xab}, 16)}},
			{Key: "ts", Value: bson.Timestamp{T: 1706659200, I: 7}},
			{Key: "re", Value: bson.Regex{Pattern: `^Bob+y$`, Options: "i"}},
			{Key: "min_int", Value: int32(math.MinInt32)},
			{Key: "negative_date", Value: bson.DateTime(-86_400_000)},
		},
	}
	if _, err := coll.InsertMany(t.Context(), docs); err != nil {
		t.Fatal(err)
	}
	cur, err := coll.Find(t.Context(), bson.D{}) // in storage order, as Scan reads
	if err != nil {
		t.Fatal(err)
	}
	var served []bson.Raw
	if err := cur.All(t.Context(), &served); err != nil {
		t.Fatal(err)
	}
	scanned := scanAll(t, s, "scan", "every_type")
	if len(scanned) != len(served) {
		t.Fatalf("Scan returned %d documents, the server %d", len(scanned), len(served))
	}
	for i := range served {
		if !bytes.Equal(scanned[i], served[i]) {
			t.Errorf("document %d:\nscanned %s\nserved  %s", i, bson.Raw(scanned[i]), served[i])
		}
	}
}

func TestScanOfRandomDocuments(t *testing.T) {
	s := start(t, t.TempDir())
	coll := client(t, s.URI()).Database("scan").Collection("random")
	rng := rand.New(rand.NewPCG(1, 2))
	var docs []any
	for i := range 2000 {
		d := bson.D{{Key: "_id", Value: strconv.Itoa(i)}}
		for f := range rng.IntN(8) {
			key := "f" + strconv.Itoa(f)
			switch rng.IntN(6) {
			case 0:
				d = append(d, bson.E{Key: key, Value: rng.Float64() * math.Pow(10, float64(rng.IntN(40)-20))})
			case 1:
				d = append(d, bson.E{Key: key, Value: int32(rng.Uint32())})
			case 2:
				d = append(d, bson.E{Key: key, Value: int64(rng.Uint64())})
			case 3:
				d = append(d, bson.E{Key: key, Value: strings.Repeat(string(rune(rng.IntN(0x10000-0xE000)+0xE000)), rng.IntN(4))})
			case 4:
				d = append(d, bson.E{Key: key, Value: bson.D{{Key: "n", Value: rng.IntN(2) == 0}}})
			default:
				d = append(d, bson.E{Key: key, Value: bson.DateTime(rng.Int64N(1 << 42))})
			}
		}
		docs = append(docs, d)
	}
	if _, err := coll.InsertMany(t.Context(), docs); err != nil {
		t.Fatal(err)
	}
	scanned := scanAll(t, s, "scan", "random")
	if len(scanned) != len(docs) {
		t.Fatalf("Scan returned %d documents, want %d", len(scanned), len(docs))
	}
	for i, d := range docs {
		want, _ := bson.Marshal(d)
		if !bytes.Equal(scanned[i], want) {
			t.Fatalf("document %d:\nscanned %s\nwant    %s", i, bson.Raw(scanned[i]), bson.Raw(want))
		}
	}
}

func TestScanOfAMissingCollection(t *testing.T) {
	s := start(t, t.TempDir())
	if docs := scanAll(t, s, "nowhere", "nothing"); len(docs) != 0 {
		t.Fatalf("Scan of a missing database returned %d documents", len(docs))
	}
	coll := client(t, s.URI()).Database("somewhere").Collection("present")
	if err := insert(t.Context(), coll, 0, 3); err != nil {
		t.Fatal(err)
	}
	if docs := scanAll(t, s, "somewhere", "absent"); len(docs) != 0 {
		t.Fatalf("Scan of a missing collection returned %d documents", len(docs))
	}
	// A renamed collection keeps its table: Scan must follow the name.
	if err := client(t, s.URI()).Database("admin").RunCommand(t.Context(), bson.D{
		{Key: "renameCollection", Value: "somewhere.present"}, {Key: "to", Value: "somewhere.renamed"}}).Err(); err != nil {
		t.Fatal(err)
	}
	if docs := scanAll(t, s, "somewhere", "renamed"); len(docs) != 3 {
		t.Fatalf("Scan after a rename returned %d documents, want 3", len(docs))
	}
}

func TestScanStopsOnTheCallbacksError(t *testing.T) {
	s := start(t, t.TempDir())
	if err := insert(t.Context(), client(t, s.URI()).Database("d").Collection("c"), 0, 10); err != nil {
		t.Fatal(err)
	}
	calls := 0
	stop := context.Canceled
	err := s.Scan(t.Context(), "d", "c", func([]byte) error {
		calls++
		return stop
	})
	if err != stop || calls != 1 {
		t.Fatalf("Scan = %v after %d calls, want the callback's error after 1", err, calls)
	}
}

// FuzzSJSON feeds the converter arbitrary rows: it may refuse them, never
// panic, and what it accepts is a well-formed BSON document.
func FuzzSJSON(f *testing.F) {
	f.Add([]byte(`{"$s":{"p":{"_id":{"t":"string"},"a":{"t":"int"}},"$k":["_id","a"]},"_id":"x","a":1}`))
	f.Add([]byte(`{"$s":{"p":{"o":{"t":"object","$s":{"p":{"d":{"t":"double"}},"$k":["d"]}}},"$k":["o"]},"o":{"d":-0}}`))
	f.Add([]byte(`{"$s":{"p":{"s":{"t":"string"}},"$k":["s"]},"s":"\ud83c\udfe5\n\u003c"}`))
	f.Fuzz(func(t *testing.T, row []byte) {
		doc, err := newSJSONReader().appendBSON(nil, row)
		if err != nil {
			return
		}
		if _, err := bson.Raw(doc).Elements(); err != nil {
			t.Fatalf("accepted %q and produced malformed BSON: %v", row, err)
		}
	})
}
