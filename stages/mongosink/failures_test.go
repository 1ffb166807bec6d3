package mongosink

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"runner/stages"
	"runner/stages/plan"
)

// writeAll writes batches until one fails, and returns that error or
// Close's.
func writeAll(ctx context.Context, l *Load, batches []*stages.DocBatch) error {
	for _, b := range batches {
		if err := l.Write(ctx, b); err != nil {
			return err
		}
	}
	_, err := l.Close(ctx)
	return err
}

func TestWritesSurviveCutConnections(t *testing.T) {
	tests := []struct {
		name      string
		mode      plan.Mode
		rows, per int
	}{
		{name: "replace", mode: plan.ModeReplace, rows: 3000, per: 500},
		{name: "append", mode: plan.ModeAppend, rows: 3000, per: 500},
		// Small: FerretDB finds each upserted _id by a scan.
		{name: "upsert", mode: plan.ModeUpsert, rows: 150, per: 30},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			batches := docBatches(0, tt.rows, tt.per, 0)
			total := int64(len(batches[0].Data)) * int64(len(batches))
			// Cut every connection four times during the load, each time
			// in the middle of whatever was being sent.
			p := newProxy(t, storeURI, total/5, 4, 0)
			cfg := testConfig(t, tt.mode)
			cfg.URI = p.uri("")
			target := connect(t, cfg)

			res, v := runLoad(t, target, batches)
			written := res.Inserted + res.AlreadyPresent + res.Upserted + res.Replaced
			if written != int64(tt.rows) || v.Found != int64(tt.rows) {
				t.Errorf("wrote %d and verified %d documents, want %d (%+v)", written, v.Found, tt.rows, res)
			}
			if res.Retries == 0 {
				t.Errorf("no write was retried, so the connections were not cut mid-load (%+v)", res)
			}
			coll := rawClient(t, storeURI).Database(cfg.Database).Collection(cfg.Collection)
			if got, want := collectionDigest(t, coll), batchesDigest(t, batches); got != want {
				t.Errorf("the collection holds %+v, want %+v", got, want)
			}
		})
	}
}

func TestStalledServerFailsTheLoadWithinTimeout(t *testing.T) {
	batches := docBatches(0, 3000, 250, 0)
	p := newProxy(t, storeURI, 0, 0, 3*int64(len(batches[0].Data)))
	cfg := testConfig(t, plan.ModeReplace)
	cfg.URI = p.uri("writer:stall-secret")
	cfg.URI += "?authMechanism=PLAIN"
	cfg.Timeout = 2 * time.Second
	target := connect(t, cfg)

	l, err := target.Begin(t.Context())
	if err != nil {
		t.Fatalf("Begin: %v", err)
	}
	err = writeAll(t.Context(), l, batches)
	if err == nil {
		t.Fatal("the load succeeded through a server that stopped answering")
	}
	want := "MongoDB at mongodb://writer:***@" + p.ln.Addr().String() + "/?authMechanism=PLAIN did not accept writes for 2s: "
	if !strings.Contains(err.Error(), want) {
		t.Errorf("error %q, want it to contain %q", err, want)
	}
	if strings.Contains(err.Error(), "stall-secret") {
		t.Errorf("error %q contains the password", err)
	}

	p.heal()
	if err := l.Abort(context.Background()); err != nil {
		t.Fatalf("Abort: %v", err)
	}
	// A write the server received before the stall may still recreate the
	// staging collection after Abort (the next run drops it); the target
	// itself must not appear.
	db := rawClient(t, storeURI).Database(cfg.Database)
	if names := collectionNames(t, db); slices.Contains(names, cfg.Collection) {
		t.Errorf("collections after Abort: %v, want no %s", names, cfg.Collection)
	}
}

func TestCancellingMidLoadKeepsTheTarget(t *testing.T) {
	cfg := testConfig(t, plan.ModeReplace)
	runLoad(t, connect(t, cfg), docBatches(0, 500, 250, 0))
	db := rawClient(t, storeURI).Database(cfg.Database)
	before := collectionDigest(t, db.Collection(cfg.Collection))

	// The writers are stuck in writes the server never answers when the
	// run is cancelled; with an hour to give up on their own, the test
	// only ends if cancellation stops them.
	batches := docBatches(1000, 4000, 250, 1)
	p := newProxy(t, storeURI, 0, 0, 4*int64(len(batches[0].Data)))
	cfg.URI = p.uri("")
	cfg.Timeout = time.Hour
	target := connect(t, cfg)
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	l, err := target.Begin(ctx)
	if err != nil {
		t.Fatalf("Begin: %v", err)
	}
	go func() {
		<-p.stalled
		cancel()
	}()
	err = writeAll(ctx, l, batches)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("the cancelled load returned %v, want context.Canceled", err)
	}

	p.heal()
	if err := l.Abort(context.Background()); err != nil {
		t.Fatalf("Abort: %v", err)
	}
	if after := collectionDigest(t, db.Collection(cfg.Collection)); after != before {
		t.Errorf("the target holds %+v after the cancelled run, %+v before", after, before)
	}
}

func TestRefusedDocumentsNameTheirLine(t *testing.T) {
	nan := func() *stages.DocBatch {
		b := docBatches(0, 10, 10, 0)[0]
		// Row 7's billing.amount becomes NaN: the bytes of the double
		// are found by value, as the generator wrote it.
		doc := b.Doc(7)
		amount := 1000 + 7*1.37
		patchDouble(t, doc, amount)
		return b
	}
	dupID := func() *stages.DocBatch {
		b := docBatches(0, 10, 10, 0)[0]
		b.Data = healthcareDoc(b.Data, 3, 1)
		b.Add(stages.MakeOrigin(0, 40))
		return b
	}
	tests := []struct {
		name        string
		batch       func() *stages.DocBatch
		sensitiveID bool
		want        []string
		wantNot     []string
	}{
		{
			name:  "NaN the embedded store cannot store",
			batch: nan,
			want:  []string{"refused the document from line 9 (_id " + rowID(7) + ")", "billing.amount: NaN, which the embedded store cannot store"},
		},
		{
			name:  "two documents with one _id",
			batch: dupID,
			want:  []string{"refused the document from line 40 (_id " + rowID(3) + ")", "its _id is the _id of another document of this run"},
		},
		{
			name:        "two documents with one sensitive _id",
			batch:       dupID,
			sensitiveID: true,
			want:        []string{"refused the document from line 40 (_id (sensitive))", "its _id is the _id of another document of this run"},
			wantNot:     []string{rowID(3)},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := testConfig(t, plan.ModeReplace)
			cfg.SensitiveID = tt.sensitiveID
			target := connect(t, cfg)
			l, err := target.Begin(t.Context())
			if err != nil {
				t.Fatalf("Begin: %v", err)
			}
			defer func() { _ = l.Abort(context.Background()) }()
			err = writeAll(t.Context(), l, []*stages.DocBatch{tt.batch()})
			if err == nil {
				t.Fatal("the load succeeded")
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q, want it to contain %q", err, w)
				}
			}
			for _, w := range tt.wantNot {
				if strings.Contains(err.Error(), w) {
					t.Errorf("error %q shows the sensitive %q", err, w)
				}
			}
		})
	}
}
