package mongosink

import (
	"context"
	"crypto/rand"
	"slices"
	"strings"
	"testing"

	"go.mongodb.org/mongo-driver/v2/bson"

	"runner/stages/plan"
)

// These tests need what only MongoDB has: users with roles and privileges,
// and renameCollection with dropTarget.

func TestPrivilegesAreCheckedBeforeLoading(t *testing.T) {
	adminURI := realMongoURI(t)
	admin := rawClient(t, adminURI).Database("admin")
	db := dbName(t)
	user, password := "runner_test_reader_"+rand.Text()[:8], rand.Text()
	err := admin.RunCommand(t.Context(), bson.D{
		{Key: "createUser", Value: user},
		{Key: "pwd", Value: password},
		{Key: "roles", Value: bson.A{bson.D{{Key: "role", Value: "read"}, {Key: "db", Value: db}}}},
	}).Err()
	if err != nil {
		t.Skipf("the MONGO_URI user cannot create a test user: %v", err)
	}
	t.Cleanup(func() { _ = admin.RunCommand(context.Background(), bson.D{{Key: "dropUser", Value: user}}).Err() })

	// The admin URI with its user information and options replaced.
	scheme, rest, _ := strings.Cut(adminURI, "://")
	rest = rest[strings.LastIndex(rest, "@")+1:]
	hostPath, _, _ := strings.Cut(rest, "?")
	readerURI := scheme + "://" + user + ":" + password + "@" + hostPath + "?authSource=admin"
	tests := []struct {
		name    string
		mode    plan.Mode
		missing string
	}{
		{name: "replace", mode: plan.ModeReplace, missing: "createCollection, dropCollection, renameCollectionSameDB, insert"},
		{name: "append", mode: plan.ModeAppend, missing: "insert"},
		{name: "upsert", mode: plan.ModeUpsert, missing: "insert, update"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := Config{URI: readerURI, Database: db, Collection: "admissions", Mode: tt.mode}
			_, err := Connect(t.Context(), cfg)
			if err == nil {
				t.Fatal("Connect accepted a user with only the read role")
			}
			for _, want := range []string{
				`user "` + user + `"`,
				tt.mode.String() + ` mode needs on database "` + db + `": ` + tt.missing + " — grant it the built-in role readWrite on " + db,
			} {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error %q, want it to contain %q", err, want)
				}
			}
			if strings.Contains(err.Error(), password) {
				t.Errorf("error %q contains the password", err)
			}
		})
	}
}

func TestReplaceSwapsAtomicallyOnMongoDB(t *testing.T) {
	cfg := testConfig(t, plan.ModeReplace)
	cfg.URI = realMongoURI(t)
	cfg.SwapStepDone = func(step int) { t.Errorf("the three-step swap ran on MongoDB (step %d done)", step) }
	target := connect(t, cfg)
	t.Cleanup(func() { _ = rawClient(t, cfg.URI).Database(cfg.Database).Drop(context.Background()) })
	if target.server.ferret {
		t.Skipf("MONGO_URI points at %s", target.server.version)
	}
	runLoad(t, target, docBatches(0, 800, 400, 0))
	second := docBatches(400, 1000, 300, 1)
	runLoad(t, target, second)

	db := rawClient(t, cfg.URI).Database(cfg.Database)
	if got, want := collectionDigest(t, db.Collection(cfg.Collection)), batchesDigest(t, second); got != want {
		t.Errorf("the target holds %+v, want the second run's %+v", got, want)
	}
	// The swap must have been the single rename: dropTarget is there.
	staging := target.newStaging()
	if err := db.CreateCollection(t.Context(), staging); err != nil {
		t.Fatalf("creating a staging collection: %v", err)
	}
	if err := target.rename(t.Context(), staging, cfg.Collection, true); err != nil {
		t.Errorf("renameCollection with dropTarget: %v", err)
	}

	if names := collectionNames(t, db); slices.Contains(names, target.previous()) {
		t.Errorf("collections after the swap: %v, want no %s", names, target.previous())
	}

	// Recover is the same on MongoDB: a previous collection without the
	// target (a swap of a server without dropTarget, cut short) goes back.
	before := collectionDigest(t, db.Collection(cfg.Collection))
	if err := target.rename(t.Context(), cfg.Collection, target.previous(), false); err != nil {
		t.Fatalf("renaming the target aside: %v", err)
	}
	recovered, err := target.Recover(t.Context())
	if err != nil {
		t.Fatalf("Recover: %v", err)
	}
	ns := cfg.Database + "." + cfg.Collection
	if want := "recovered " + ns + " from an interrupted swap: the new collection was not in place; renamed " + ns + previousSuffix + " back to " + ns; recovered != want {
		t.Errorf("Recover said %q, want %q", recovered, want)
	}
	if after := collectionDigest(t, db.Collection(cfg.Collection)); after != before {
		t.Errorf("after Recover the target holds %+v, want %+v", after, before)
	}
}
