package main

import (
	"bufio"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
	"golang.org/x/sync/errgroup"

	"runner/stages/embedded"
)

// The ceiling: how fast the embedded store takes documents that are built
// already, with nothing else to do: InsertMany from ceilingWriters
// goroutines in batches of ceilingBatch documents, into a fresh store.
const (
	ceilingWriters = 2
	ceilingBatch   = 5000
)

// measureCeiling loads the BSON stream in path into a fresh embedded store
// in dir and returns the documents and the time the inserts took.
func measureCeiling(ctx context.Context, path, dir string) (int64, time.Duration, error) {
	// The store runs as it does in runner, with the collector settings of a
	// process that hosts it.
	defer debug.SetGCPercent(debug.SetGCPercent(embedded.HostGCPercent))
	defer debug.SetMemoryLimit(debug.SetMemoryLimit(embedded.HostMemoryAllowance))
	store, err := embedded.Start(ctx, embedded.Options{Dir: dir})
	if err != nil {
		return 0, 0, err
	}
	defer store.Close()
	client, err := mongo.Connect(options.Client().ApplyURI(store.URI()))
	if err != nil {
		return 0, 0, err
	}
	defer client.Disconnect(context.WithoutCancel(ctx))
	coll := client.Database("bench").Collection("ceiling")

	f, err := os.Open(path)
	if err != nil {
		return 0, 0, err
	}
	defer f.Close()
	batches := make(chan []any, ceilingWriters)
	var docs int64
	start := time.Now()
	g, gctx := errgroup.WithContext(ctx)
	g.Go(func() error {
		defer close(batches)
		r := bufio.NewReaderSize(f, 1<<20)
		batch := make([]any, 0, ceilingBatch)
		for {
			doc, err := readDocument(r)
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				return err
			}
			docs++
			if batch = append(batch, doc); len(batch) == ceilingBatch {
				select {
				case batches <- batch:
				case <-gctx.Done():
					return gctx.Err()
				}
				batch = make([]any, 0, ceilingBatch)
			}
		}
		if len(batch) > 0 {
			batches <- batch
		}
		return nil
	})
	for range ceilingWriters {
		g.Go(func() error {
			for batch := range batches {
				if _, err := coll.InsertMany(gctx, batch, options.InsertMany().SetOrdered(false)); err != nil {
					return fmt.Errorf("insert: %w", err)
				}
			}
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return 0, 0, err
	}
	return docs, time.Since(start), nil
}

// readDocument reads one document of a BSON stream.
func readDocument(r *bufio.Reader) (bson.Raw, error) {
	var size [4]byte
	if _, err := io.ReadFull(r, size[:]); err != nil {
		return nil, err
	}
	doc := make([]byte, binary.LittleEndian.Uint32(size[:]))
	copy(doc, size[:])
	if _, err := io.ReadFull(r, doc[4:]); err != nil {
		return nil, fmt.Errorf("a document cut short: %w", err)
	}
	return doc, nil
}
