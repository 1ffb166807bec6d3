package mongosink

import (
	"context"
	"strings"
	"testing"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/x/bsonx/bsoncore"

	"runner/stages"
	"runner/stages/plan"
)

// rowID is the _id of generated row i.
func rowID(i int) string {
	return bsoncore.Document(healthcareDoc(nil, i, 0)).Lookup("_id").StringValue()
}

func TestVerify(t *testing.T) {
	const rows, tampered = verifyRows, 17
	byID := bson.D{{Key: "_id", Value: rowID(tampered)}}
	tests := []struct {
		name   string
		mode   plan.Mode
		tamper func(t *testing.T, coll *mongo.Collection)
		// want* describe the expected verification; wantPath must be the
		// path of a sample mismatch ("" for a missing document).
		wantPass      bool
		wantFound     int64
		wantDigest    bool
		wantTypePath  string
		wantPath      string
		wantNoSamples bool
	}{
		{
			name: "honest load", mode: plan.ModeReplace,
			wantPass: true, wantFound: rows, wantDigest: true, wantNoSamples: true,
		},
		{
			name: "honest append", mode: plan.ModeAppend,
			wantPass: true, wantFound: rows, wantDigest: true, wantNoSamples: true,
		},
		{
			name: "value changed", mode: plan.ModeReplace,
			tamper: func(t *testing.T, coll *mongo.Collection) {
				update(t, coll, byID, bson.D{{Key: "$set", Value: bson.D{{Key: "patient.name", Value: "Mallory"}}}})
			},
			wantFound: rows, wantPath: "patient.name",
		},
		{
			name: "type changed", mode: plan.ModeReplace,
			tamper: func(t *testing.T, coll *mongo.Collection) {
				update(t, coll, byID, bson.D{{Key: "$set", Value: bson.D{{Key: "patient.age", Value: int64(35)}}}})
			},
			wantFound: rows, wantTypePath: "patient.age", wantPath: "patient.age",
		},
		{
			name: "value changed in append mode", mode: plan.ModeAppend,
			tamper: func(t *testing.T, coll *mongo.Collection) {
				update(t, coll, byID, bson.D{{Key: "$set", Value: bson.D{{Key: "billing.amount", Value: 0.5}}}})
			},
			wantFound: rows, wantPath: "billing.amount",
		},
		{
			name: "fields reordered", mode: plan.ModeReplace,
			tamper: func(t *testing.T, coll *mongo.Collection) {
				var doc bson.D
				if err := coll.FindOne(t.Context(), byID).Decode(&doc); err != nil {
					t.Fatalf("reading the document: %v", err)
				}
				doc[1], doc[2] = doc[2], doc[1]
				if _, err := coll.ReplaceOne(t.Context(), byID, doc); err != nil {
					t.Fatalf("replacing the document: %v", err)
				}
			},
			wantFound: rows, wantPath: "(document)",
		},
		{
			name: "document removed", mode: plan.ModeReplace,
			tamper: func(t *testing.T, coll *mongo.Collection) {
				if _, err := coll.DeleteOne(t.Context(), byID); err != nil {
					t.Fatalf("deleting: %v", err)
				}
			},
			wantFound: rows - 1, wantPath: "",
		},
		{
			name: "document added", mode: plan.ModeReplace,
			tamper: func(t *testing.T, coll *mongo.Collection) {
				if _, err := coll.InsertOne(t.Context(), bson.Raw(healthcareDoc(nil, rows+5, 0))); err != nil {
					t.Fatalf("inserting: %v", err)
				}
			},
			wantFound: rows + 1, wantNoSamples: true,
		},
	}
	for _, tt := range tests {
		for _, read := range []string{"find", "storage scan"} {
			t.Run(tt.name+" by "+read, func(t *testing.T) {
				verifyCase(t, tt.mode, read == "storage scan", tt.tamper, func(t *testing.T, v Verification) {
					problems := strings.Join(v.Problems(), "; ")
					if v.Passed() != tt.wantPass {
						t.Errorf("Passed() = %v, want %v; problems: %s", v.Passed(), tt.wantPass, problems)
					}
					if v.Expected != rows || v.Found != tt.wantFound {
						t.Errorf("expected %d, found %d; want %d, %d", v.Expected, v.Found, rows, tt.wantFound)
					}
					if v.DigestMatch != tt.wantDigest {
						t.Errorf("DigestMatch = %v, want %v", v.DigestMatch, tt.wantDigest)
					}
					if v.Sampled != rows {
						t.Errorf("sampled %d documents, want all %d", v.Sampled, rows)
					}
					checkTypeMismatches(t, v.TypeMismatches, tt.wantTypePath)
					if tt.wantNoSamples {
						if len(v.SampleMismatches) != 0 {
							t.Errorf("sample mismatches %+v, want none", v.SampleMismatches)
						}
						return
					}
					checkSampleMismatch(t, v.SampleMismatches, tt.wantPath, tampered)
				})
			})
		}
	}
}

// verifyRows is how many documents a verification case loads.
const verifyRows = 600

// verifyCase loads verifyRows documents, tampers with the loaded collection
// and hands Verify's result to check.
func verifyCase(t *testing.T, mode plan.Mode, storageScan bool, tamper func(*testing.T, *mongo.Collection), check func(*testing.T, Verification)) {
	ctx := t.Context()
	cfg := testConfig(t, mode)
	if storageScan {
		cfg = withStorageScan(cfg)
	}
	target := connect(t, cfg)
	l, err := target.Begin(ctx)
	if err != nil {
		t.Fatalf("Begin: %v", err)
	}
	t.Cleanup(func() { _ = l.Abort(context.Background()) })
	for _, b := range docBatches(0, verifyRows, 150, 0) {
		if err := l.Write(ctx, b); err != nil {
			t.Fatalf("Write: %v", err)
		}
	}
	if _, err := l.Close(ctx); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if tamper != nil {
		tamper(t, rawClient(t, storeURI).Database(cfg.Database).Collection(l.coll.Name()))
	}
	v, err := l.Verify(ctx, MaxSample)
	if err != nil {
		t.Fatalf("Verify: %v", err)
	}
	check(t, v)
}

func update(t *testing.T, coll *mongo.Collection, filter, change bson.D) {
	t.Helper()
	res, err := coll.UpdateOne(t.Context(), filter, change)
	if err != nil || res.ModifiedCount != 1 {
		t.Fatalf("tampering with the document: %+v, %v", res, err)
	}
}

func checkTypeMismatches(t *testing.T, got []TypeMismatch, wantPath string) {
	t.Helper()
	if wantPath == "" {
		if len(got) != 0 {
			t.Errorf("type mismatches %+v, want none", got)
		}
		return
	}
	if len(got) != 1 || got[0].Path != wantPath {
		t.Fatalf("type mismatches %+v, want one at %s", got, wantPath)
	}
	if want, gotS := "int ×600", got[0].Want.String(); gotS != want {
		t.Errorf("type mismatch wants %q, want %q", gotS, want)
	}
	if want, gotS := "int ×599, long ×1", got[0].Got.String(); gotS != want {
		t.Errorf("type mismatch got %q, want %q", gotS, want)
	}
}

func checkSampleMismatch(t *testing.T, got []SampleMismatch, wantPath string, row int) {
	t.Helper()
	if len(got) != 1 {
		t.Fatalf("sample mismatches %+v, want one", got)
	}
	m := got[0]
	if m.Path != wantPath || m.ID != rowID(row) || m.Origin != stages.MakeOrigin(0, row+2) {
		t.Errorf("sample mismatch %+v, want path %q of _id %s from line %d", m, wantPath, rowID(row), row+2)
	}
	if m.Want == m.Got {
		t.Errorf("sample mismatch %+v shows no difference", m)
	}
}

// TestServedDocumentsAreComparedWithStorage reads a few documents through
// the server while Verify reads the rest from the store's files: a served
// document that differs from its stored bytes fails the verification.
func TestServedDocumentsAreComparedWithStorage(t *testing.T) {
	needsStoreFiles(t)
	verifyCase(t, plan.ModeReplace, true, nil, func(t *testing.T, v Verification) {
		if !v.Passed() || v.Served == 0 || v.ServedMismatches != 0 {
			t.Fatalf("honest load: passed %v, served %d, mismatches %d: %v", v.Passed(), v.Served, v.ServedMismatches, v.Problems())
		}
	})
	cfg := withStorageScan(testConfig(t, plan.ModeReplace))
	target := connect(t, cfg)
	l, err := target.Begin(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = l.Abort(context.Background()) })
	for _, b := range docBatches(0, 50, 50, 0) {
		if err := l.Write(t.Context(), b); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := l.Close(t.Context()); err != nil {
		t.Fatal(err)
	}
	served, err := l.readThroughServer(t.Context(), 5)
	if err != nil || len(served) != 5 {
		t.Fatalf("read through the server: %d documents, %v", len(served), err)
	}
	for id := range served {
		served[id] = healthcareDoc(nil, 49, 3) // another document under this _id
		break
	}
	found, err := l.scan(t.Context(), nil, false, served)
	if err != nil {
		t.Fatal(err)
	}
	if found.servedMismatches != 1 {
		t.Fatalf("servedMismatches = %d, want 1", found.servedMismatches)
	}
}
