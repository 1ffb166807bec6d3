package mongosink

import (
	"context"
	"fmt"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
	"golang.org/x/sync/errgroup"

	"runner/stages"
	"runner/stages/plan"
)

// benchRows is the size of the hospital admissions dataset.
const benchRows = 55_500

// BenchmarkWritePath loads benchRows pre-built healthcare documents into
// the embedded store twice per iteration: with a plain InsertMany of the
// same documents (two goroutines, 5,000-document batches: the ceiling), and
// through a replace-mode Load with the sub-benchmark's writers and batch
// size. It reports both rates, their ratio, and what Verify costs relative
// to the load.
func BenchmarkWritePath(b *testing.B) {
	batches := docBatches(0, benchRows, 8192, 0)
	var raw []bson.Raw
	for _, batch := range batches {
		for i := range batch.Len() {
			raw = append(raw, batch.Doc(i))
		}
	}
	client := rawClient(b, storeURI)
	for _, writers := range []int{1, 2, 4} {
		for _, batchDocs := range []int{1000, 5000, 10000} {
			b.Run(fmt.Sprintf("writers=%d/batch=%d", writers, batchDocs), func(b *testing.B) {
				var ceiling, load, verify time.Duration
				round := 0
				for b.Loop() {
					round++
					db := client.Database(fmt.Sprintf("bench_%d_%d_%d", writers, batchDocs, round))
					ceiling += insertManyCeiling(b, db.Collection("ceiling"), raw)
					l, v := loadThrough(b, writers, batchDocs, db.Name(), batches)
					load += l
					verify += v
					if err := db.Drop(context.Background()); err != nil {
						b.Fatalf("dropping %s: %v", db.Name(), err)
					}
				}
				docs := float64(benchRows * round)
				b.ReportMetric(docs/ceiling.Seconds(), "ceiling-docs/s")
				b.ReportMetric(docs/load.Seconds(), "load-docs/s")
				b.ReportMetric(ceiling.Seconds()/load.Seconds(), "load/ceiling")
				b.ReportMetric(verify.Seconds()/load.Seconds(), "verify/load")
			})
		}
	}
}

// insertManyCeiling inserts docs with two goroutines in 5,000-document
// unordered InsertMany calls and returns how long it took.
func insertManyCeiling(b *testing.B, coll *mongo.Collection, docs []bson.Raw) time.Duration {
	b.Helper()
	const per = 5000
	next := make(chan []bson.Raw)
	start := time.Now()
	g, ctx := errgroup.WithContext(b.Context())
	for range 2 {
		g.Go(func() error {
			for chunk := range next {
				if _, err := coll.InsertMany(ctx, chunk, options.InsertMany().SetOrdered(false)); err != nil {
					return err
				}
			}
			return nil
		})
	}
	g.Go(func() error {
		defer close(next)
		for i := 0; i < len(docs); i += per {
			select {
			case next <- docs[i:min(i+per, len(docs))]:
			case <-ctx.Done():
				return ctx.Err()
			}
		}
		return nil
	})
	if err := g.Wait(); err != nil {
		b.Fatalf("InsertMany: %v", err)
	}
	return time.Since(start)
}

// loadThrough runs a replace-mode Load from Begin to Commit and returns the
// time from Begin to the end of Close, and Verify's.
func loadThrough(b *testing.B, writers, batchDocs int, db string, batches []*stages.DocBatch) (load, verify time.Duration) {
	b.Helper()
	ctx := b.Context()
	cfg := Config{URI: storeURI, Database: db, Collection: "admissions", Mode: plan.ModeReplace, Writers: writers, BatchDocs: batchDocs}
	target, err := Connect(ctx, cfg)
	if err != nil {
		b.Fatalf("Connect: %v", err)
	}
	defer target.Close(context.Background())
	start := time.Now()
	l, err := target.Begin(ctx)
	if err != nil {
		b.Fatalf("Begin: %v", err)
	}
	for _, batch := range batches {
		if err := l.Write(ctx, batch); err != nil {
			b.Fatalf("Write: %v", err)
		}
	}
	if _, err := l.Close(ctx); err != nil {
		b.Fatalf("Close: %v", err)
	}
	load = time.Since(start)
	start = time.Now()
	v, err := l.Verify(ctx, 100)
	if err != nil || !v.Passed() {
		b.Fatalf("Verify: %v %v", err, v.Problems())
	}
	verify = time.Since(start)
	if err := l.Commit(ctx); err != nil {
		b.Fatalf("Commit: %v", err)
	}
	return load, verify
}

// BenchmarkAccounting measures what the writers add per document before
// sending it: validation, the canonical hash and the shape tally.
func BenchmarkAccounting(b *testing.B) {
	batch := docBatches(0, 1000, 1000, 0)[0]
	s := newDocStats()
	b.SetBytes(int64(len(batch.Data)) / int64(batch.Len()))
	i := 0
	for b.Loop() {
		if _, err := s.add(batch.Doc(i%batch.Len()), ferretUnsupported); err != nil {
			b.Fatal(err)
		}
		i++
	}
}
