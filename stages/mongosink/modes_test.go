package mongosink

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"go.mongodb.org/mongo-driver/v2/bson"

	"runner/stages"
	"runner/stages/plan"
)

func TestReplaceTwiceLeavesTheSecondRun(t *testing.T) {
	cfg := testConfig(t, plan.ModeReplace)
	cfg.Indexes = []plan.Index{{Name: "patient_name", Keys: []plan.IndexKey{{Field: "patient.name", Direction: 1}}}}
	target := connect(t, cfg)
	db := rawClient(t, storeURI).Database(cfg.Database)

	first := docBatches(0, 1200, 300, 0)
	res, _ := runLoad(t, target, first)
	if res.Inserted != 1200 || res.Documents != 1200 {
		t.Fatalf("first run: inserted %d of %d documents, want 1200", res.Inserted, res.Documents)
	}
	second := docBatches(5000, 5700, 128, 1)
	res, v := runLoad(t, target, second)
	if res.Inserted != 700 || v.Found != 700 {
		t.Fatalf("second run: inserted %d, verified %d, want 700", res.Inserted, v.Found)
	}

	if got, want := collectionDigest(t, db.Collection(cfg.Collection)), batchesDigest(t, second); got != want {
		t.Errorf("the target holds %+v, want the second run's documents %+v", got, want)
	}
	if names := collectionNames(t, db); !slices.Equal(names, []string{cfg.Collection}) {
		t.Errorf("collections after two runs: %v, want only %s", names, cfg.Collection)
	}
	state, err := target.Describe(t.Context())
	if err != nil {
		t.Fatalf("Describe: %v", err)
	}
	if !state.Exists || state.EstimatedCount != 700 || state.LeftoverStaging || state.InterruptedSwap {
		t.Errorf("Describe = %+v, want an existing collection of 700 documents and nothing left over", state)
	}
	if !slices.ContainsFunc(state.Indexes, func(ix IndexInfo) bool { return ix.Name == "patient_name" && ix.Keys == "{patient.name: 1}" }) {
		t.Errorf("indexes after the swap: %+v, want patient_name on {patient.name: 1}", state.Indexes)
	}
}

// counts are the comparable counters of a Result.
type counts struct {
	Documents, Inserted, AlreadyPresent, Upserted, Replaced int64
}

func TestModes(t *testing.T) {
	tests := []struct {
		name string
		mode plan.Mode
		// The first run writes rows [0, firstTo), the second rows
		// [secondFrom, secondTo) with another variant of their content.
		firstTo, secondFrom, secondTo, variant int
		want                                   counts
		// wantRows are the rows and variants the collection holds after.
		wantRows [][3]int
	}{
		{
			name: "append re-run adds nothing", mode: plan.ModeAppend,
			firstTo: 1000, secondFrom: 0, secondTo: 1000,
			want:     counts{Documents: 1000, AlreadyPresent: 1000},
			wantRows: [][3]int{{0, 1000, 0}},
		},
		{
			name: "append adds only the new rows", mode: plan.ModeAppend,
			firstTo: 1000, secondFrom: 600, secondTo: 1400,
			want:     counts{Documents: 800, Inserted: 400, AlreadyPresent: 400},
			wantRows: [][3]int{{0, 1000, 0}, {1000, 1400, 0}},
		},
		{
			// Small: FerretDB finds each upserted _id by a scan.
			name: "upsert replaces and inserts", mode: plan.ModeUpsert,
			firstTo: 120, secondFrom: 80, secondTo: 200, variant: 7,
			want:     counts{Documents: 120, Upserted: 80, Replaced: 40},
			wantRows: [][3]int{{0, 80, 0}, {80, 200, 7}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := testConfig(t, tt.mode)
			// The second run finds the index the first created: it must not
			// ask for it again (FerretDB fails on a duplicate request).
			cfg.Indexes = []plan.Index{{Name: "patient_name", Keys: []plan.IndexKey{{Field: "patient.name", Direction: 1}}}}
			target := connect(t, cfg)
			runLoad(t, target, docBatches(0, tt.firstTo, 200, 0))
			res, v := runLoad(t, target, docBatches(tt.secondFrom, tt.secondTo, 200, tt.variant))
			got := counts{Documents: res.Documents, Inserted: res.Inserted, AlreadyPresent: res.AlreadyPresent, Upserted: res.Upserted, Replaced: res.Replaced}
			if got != tt.want {
				t.Errorf("second run counted %+v, want %+v", got, tt.want)
			}
			if v.Found != tt.want.Documents {
				t.Errorf("Verify found %d of the run's documents, want %d", v.Found, tt.want.Documents)
			}
			var want []*stages.DocBatch
			for _, r := range tt.wantRows {
				want = append(want, docBatches(r[0], r[1], 500, r[2])...)
			}
			coll := rawClient(t, storeURI).Database(cfg.Database).Collection(cfg.Collection)
			if got, want := collectionDigest(t, coll), batchesDigest(t, want); got != want {
				t.Errorf("the collection holds %+v, want %+v", got, want)
			}
		})
	}
}

func TestAbortLeavesTheTargetIntact(t *testing.T) {
	cfg := testConfig(t, plan.ModeReplace)
	target := connect(t, cfg)
	db := rawClient(t, storeURI).Database(cfg.Database)
	runLoad(t, target, docBatches(0, 900, 300, 0))
	before := collectionDigest(t, db.Collection(cfg.Collection))

	tests := []struct {
		name string
		// closeFirst closes (and verifies) the load before aborting, as a
		// failed in-database check would.
		closeFirst bool
	}{
		{name: "while writing"},
		{name: "after a failed check", closeFirst: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := t.Context()
			l, err := target.Begin(ctx)
			if err != nil {
				t.Fatalf("Begin: %v", err)
			}
			for _, b := range docBatches(2000, 3000, 250, 3) {
				if err := l.Write(ctx, b); err != nil {
					t.Fatalf("Write: %v", err)
				}
			}
			if tt.closeFirst {
				if _, err := l.Close(ctx); err != nil {
					t.Fatalf("Close: %v", err)
				}
			}
			if err := l.Abort(ctx); err != nil {
				t.Fatalf("Abort: %v", err)
			}
			if err := l.Abort(ctx); err != nil {
				t.Errorf("a second Abort: %v", err)
			}
			if after := collectionDigest(t, db.Collection(cfg.Collection)); after != before {
				t.Errorf("the target holds %+v after Abort, %+v before", after, before)
			}
			if names := collectionNames(t, db); !slices.Equal(names, []string{cfg.Collection}) {
				t.Errorf("collections after Abort: %v, want only %s", names, cfg.Collection)
			}
		})
	}
}

// preserve is swapPreserve as a swap step.
func preserve(t *Target, ctx context.Context, _ string) error { return t.swapPreserve(ctx) }

func TestInterruptedSwapIsRepaired(t *testing.T) {
	tests := []struct {
		name string
		// steps are the swap steps that ran before the process died; each
		// gets the load's staging collection.
		steps []func(t *Target, ctx context.Context, staging string) error
		// wantVariant is the run whose documents the target holds after
		// the repair: 0 for the old collection, 1 for the new one.
		wantVariant int
		// wantRecovered is what Recover reports, after the namespace.
		wantRecovered string
	}{
		{name: "died before any step", wantVariant: 0},
		{name: "died after preserve", steps: []func(*Target, context.Context, string) error{preserve}, wantVariant: 0,
			wantRecovered: " from an interrupted swap: the new collection was not in place; renamed {db}.admissions__runner_previous back to {db}.admissions"},
		{name: "died after install", steps: []func(*Target, context.Context, string) error{preserve, (*Target).swapInstall}, wantVariant: 1,
			wantRecovered: " from an interrupted swap: the new collection was in place; dropped the replaced {db}.admissions__runner_previous"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := testConfig(t, plan.ModeReplace)
			target := connect(t, cfg)
			db := rawClient(t, storeURI).Database(cfg.Database)
			old := docBatches(0, 500, 250, 0)
			runLoad(t, target, old)

			ctx := t.Context()
			l, err := target.Begin(ctx)
			if err != nil {
				t.Fatalf("Begin: %v", err)
			}
			fresh := docBatches(0, 400, 250, 1)
			for _, b := range fresh {
				if err := l.Write(ctx, b); err != nil {
					t.Fatalf("Write: %v", err)
				}
			}
			if _, err := l.Close(ctx); err != nil {
				t.Fatalf("Close: %v", err)
			}
			for _, step := range tt.steps {
				if err := step(target, ctx, l.coll.Name()); err != nil {
					t.Fatalf("swap step: %v", err)
				}
			}
			state, err := target.Describe(ctx)
			if err != nil {
				t.Fatalf("Describe: %v", err)
			}
			interrupted, leftover := len(tt.steps) > 0, len(tt.steps) < 2
			if state.InterruptedSwap != interrupted || state.LeftoverStaging != leftover {
				t.Errorf("Describe = %+v, want InterruptedSwap %v and LeftoverStaging %v", state, interrupted, leftover)
			}

			recovered, err := target.Recover(ctx)
			if err != nil {
				t.Fatalf("Recover: %v", err)
			}
			want := ""
			if tt.wantRecovered != "" {
				want = "recovered " + cfg.Database + ".admissions" + strings.ReplaceAll(tt.wantRecovered, "{db}", cfg.Database)
			}
			if recovered != want {
				t.Errorf("Recover said %q, want %q", recovered, want)
			}
			// The next run's Begin drops the leftover staging collection;
			// its own Abort then drops its own, leaving the repaired target
			// alone.
			next, err := target.Begin(ctx)
			if err != nil {
				t.Fatalf("Begin after the interruption: %v", err)
			}
			if err := next.Abort(ctx); err != nil {
				t.Fatalf("Abort: %v", err)
			}
			wantDocs := map[int][]*stages.DocBatch{0: old, 1: fresh}[tt.wantVariant]
			if got, want := collectionDigest(t, db.Collection(cfg.Collection)), batchesDigest(t, wantDocs); got != want {
				t.Errorf("after the repair the target holds %+v, want %+v", got, want)
			}
			if names := collectionNames(t, db); !slices.Equal(names, []string{cfg.Collection}) {
				t.Errorf("collections after the repair: %v, want only %s", names, cfg.Collection)
			}
		})
	}
}

func TestReplaceIntoAMissingTarget(t *testing.T) {
	cfg := testConfig(t, plan.ModeReplace)
	target := connect(t, cfg)
	state, err := target.Describe(t.Context())
	if err != nil {
		t.Fatalf("Describe: %v", err)
	}
	if state.Exists || state.Server == "" {
		t.Fatalf("Describe before any run = %+v, want no collection and the server named", state)
	}
	runLoad(t, target, nil)
	db := rawClient(t, storeURI).Database(cfg.Database)
	if names := collectionNames(t, db); !slices.Equal(names, []string{cfg.Collection}) {
		t.Errorf("collections after an empty run: %v, want an empty %s", names, cfg.Collection)
	}
}

func TestCallsOutOfOrder(t *testing.T) {
	tests := []struct {
		name string
		// before brings the load to where call is out of order.
		before func(*Load) error
		call   func(*Load) error
		want   string
	}{
		{
			name:   "Write after Close",
			before: func(l *Load) error { _, err := l.Close(t.Context()); return err },
			call:   func(l *Load) error { return l.Write(t.Context(), docBatches(0, 1, 1, 0)[0]) },
			want:   "the load is closed",
		},
		{
			name:   "Commit twice",
			before: func(l *Load) error { _, err := l.Close(t.Context()); return errors.Join(err, l.Commit(t.Context())) },
			call:   func(l *Load) error { return l.Commit(t.Context()) },
			want:   "it is committed, not closed",
		},
		{
			name:   "Verify after Abort",
			before: func(l *Load) error { return l.Abort(t.Context()) },
			call:   func(l *Load) error { _, err := l.Verify(t.Context(), 10); return err },
			want:   "the load is aborted, not closed",
		},
		{
			name:   "Commit before Close",
			before: func(*Load) error { return nil },
			call:   func(l *Load) error { return l.Commit(t.Context()) },
			want:   "it is still writing, not closed",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			target := connect(t, testConfig(t, plan.ModeReplace))
			l, err := target.Begin(t.Context())
			if err != nil {
				t.Fatalf("Begin: %v", err)
			}
			defer func() { _ = l.Abort(context.Background()) }()
			if err := tt.before(l); err != nil {
				t.Fatalf("getting there: %v", err)
			}
			if err := tt.call(l); err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %v, want it to contain %q", err, tt.want)
			}
		})
	}
}

func TestIndexWithOtherKeysIsAnError(t *testing.T) {
	cfg := testConfig(t, plan.ModeAppend)
	cfg.Indexes = []plan.Index{{Name: "by_name", Keys: []plan.IndexKey{{Field: "patient.name", Direction: 1}}}}
	runLoad(t, connect(t, cfg), docBatches(0, 100, 100, 0))

	cfg.Indexes[0].Keys[0].Direction = -1
	target := connect(t, cfg)
	load, err := target.Begin(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	defer load.Abort(context.WithoutCancel(t.Context()))
	for _, b := range docBatches(100, 120, 20, 0) {
		if err := load.Write(t.Context(), b); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := load.Close(t.Context()); err != nil {
		t.Fatal(err)
	}
	err = load.CreateIndexes(t.Context())
	if err == nil || !strings.Contains(err.Error(), `the index "by_name"`) || !strings.Contains(err.Error(), "drop it or rename") {
		t.Fatalf("CreateIndexes = %v, want an error about the index's keys", err)
	}
	if err := load.Commit(t.Context()); err == nil {
		t.Fatal("Commit went ahead with the index in conflict")
	}
}

// TestConcurrentWrites hands batches to one Load from several goroutines,
// as the runner's document stage does: every document lands exactly once.
func TestConcurrentWrites(t *testing.T) {
	cfg := testConfig(t, plan.ModeReplace)
	target := connect(t, cfg)
	load, err := target.Begin(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	batches := docBatches(0, 4000, 100, 0)
	errs := make(chan error, 4)
	for w := range 4 {
		go func() {
			for i := w; i < len(batches); i += 4 {
				if err := load.Write(t.Context(), batches[i]); err != nil {
					errs <- err
					return
				}
			}
			errs <- nil
		}()
	}
	for range 4 {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	res, err := load.Close(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	v, err := load.Verify(t.Context(), 10)
	if err != nil {
		t.Fatal(err)
	}
	if res.Inserted != 4000 || !v.Passed() {
		t.Fatalf("inserted %d, verification %+v", res.Inserted, v.Problems())
	}
	if err := load.Commit(t.Context()); err != nil {
		t.Fatal(err)
	}
}

// TestEveryRunHasItsOwnStaging is the hung-server case: writes a dead run
// left queued land after the next run began. They recreate the dead run's
// staging collection, never the new one's, and the next Begin drops them.
func TestEveryRunHasItsOwnStaging(t *testing.T) {
	cfg := testConfig(t, plan.ModeReplace)
	target := connect(t, cfg)
	db := rawClient(t, storeURI).Database(cfg.Database)
	ctx := t.Context()
	dead, err := target.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	deadStaging := dead.coll.Name()
	next, err := target.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if next.coll.Name() == deadStaging {
		t.Fatalf("two runs share the staging collection %s", deadStaging)
	}
	// The late writes of the dead run.
	if _, err := db.Collection(deadStaging).InsertOne(ctx, bson.Raw(healthcareDoc(nil, 1, 0))); err != nil {
		t.Fatal(err)
	}
	res, v := runLoadWith(t, next, docBatches(0, 300, 100, 0))
	if res.Inserted != 300 || !v.Passed() {
		t.Fatalf("the next run inserted %d: %v", res.Inserted, v.Problems())
	}
	state, err := target.Describe(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !state.LeftoverStaging {
		t.Error("Describe does not report the dead run's staging collection")
	}
	third, err := target.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := third.Abort(ctx); err != nil {
		t.Fatal(err)
	}
	if names := collectionNames(t, db); !slices.Equal(names, []string{cfg.Collection}) {
		t.Errorf("collections after the next Begin: %v, want only %s", names, cfg.Collection)
	}
}

// TestRecoverStoreRepairsEveryCollection: what serve runs as it opens the
// store repairs every collection's interrupted swap, in every database, and
// drops the staging collections dead runs left, saying each.
func TestRecoverStoreRepairsEveryCollection(t *testing.T) {
	cfg := testConfig(t, plan.ModeReplace)
	db := rawClient(t, storeURI).Database(cfg.Database)
	ctx := t.Context()
	old := docBatches(0, 300, 300, 0)
	fresh := docBatches(0, 200, 200, 1)
	insert := func(coll string, batches []*stages.DocBatch) {
		for _, b := range batches {
			docs := make([]any, b.Len())
			for i := range b.Len() {
				docs[i] = bson.Raw(b.Doc(i))
			}
			if _, err := db.Collection(coll).InsertMany(ctx, docs); err != nil {
				t.Fatalf("inserting into %s: %v", coll, err)
			}
		}
	}
	// admissions died after preserve (its staging holds the new run),
	// patients after install; visits is whole and stays untouched.
	insert("admissions__runner_previous", old)
	insert("admissions__runner_staging_dead", fresh)
	insert("patients__runner_previous", old)
	insert("patients", fresh)
	insert("visits", old)

	got, err := RecoverStore(ctx, storeURI)
	if err != nil {
		t.Fatalf("RecoverStore: %v", err)
	}
	ns := cfg.Database + "."
	want := []string{
		"recovered " + ns + "admissions from an interrupted swap: the new collection was not in place; renamed " + ns + "admissions__runner_previous back to " + ns + "admissions",
		"dropped the staging collection " + ns + "admissions__runner_staging_dead that a stopped run left",
		"recovered " + ns + "patients from an interrupted swap: the new collection was in place; dropped the replaced " + ns + "patients__runner_previous",
	}
	if !slices.Equal(got, want) {
		t.Errorf("RecoverStore said\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	for coll, batches := range map[string][]*stages.DocBatch{"admissions": old, "patients": fresh, "visits": old} {
		if got, want := collectionDigest(t, db.Collection(coll)), batchesDigest(t, batches); got != want {
			t.Errorf("%s holds %+v, want %+v", coll, got, want)
		}
	}
	names := collectionNames(t, db)
	slices.Sort(names)
	if !slices.Equal(names, []string{"admissions", "patients", "visits"}) {
		t.Errorf("collections after the recovery: %v", names)
	}
	if again, err := RecoverStore(ctx, storeURI); err != nil || len(again) != 0 {
		t.Errorf("a second RecoverStore said %v, %v; want nothing to do", again, err)
	}
}
