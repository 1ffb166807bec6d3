package runner

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"

	"runner/stages/embedded"
	"runner/stages/mongosink"
	"runner/stages/plan"
)

// target is a connected MongoDB: a server named by the pipeline's URI, or
// the embedded store started for this run.
type target struct {
	store *embedded.Store
	sink  *mongosink.Target
}

// appName is how runner introduces itself to MongoDB (visible in the
// server's logs and currentOp).
const appName = "runner"

// openTarget connects to the pipeline's target. With no URI it starts the
// embedded store in storeDir (the pipeline's embedded_dir when empty).
// swapStepDone, when set, is called after each step of the three-step swap
// (see mongosink.Config.SwapStepDone).
func openTarget(ctx context.Context, p *plan.Plan, storeDir string, logger *slog.Logger, swapStepDone func(step int)) (*target, error) {
	t := &target{}
	uri := p.Target.URI
	if uri == "" {
		if storeDir == "" {
			storeDir = p.Target.EmbeddedDir
		}
		// The store outlives a cancellation of the run: the load's abort,
		// which leaves the target as it was, still needs it.
		store, err := embedded.Start(context.WithoutCancel(ctx), embedded.Options{Dir: storeDir, Listen: "127.0.0.1:0", Logger: logger})
		if err != nil {
			return nil, fmt.Errorf("start the embedded store: %w", err)
		}
		t.store, uri = store, store.URI()
	}
	tg := p.Target
	cfg := mongosink.Config{
		URI: uri, Database: tg.Database, Collection: tg.Collection, Mode: tg.Mode,
		BatchDocs: tg.BatchDocs, BatchBytes: tg.BatchBytes, Writers: tg.Writers,
		WriteConcern: tg.WriteConcern, Timeout: tg.Timeout, TLS: tg.TLS, Indexes: tg.Indexes, AppName: appName,
		SwapStepDone: swapStepDone, SensitiveID: slices.Contains(sensitivePaths(p), "_id"),
	}
	if t.store != nil {
		cfg.Scan = func(ctx context.Context, collection string, fn func([]byte) error) error {
			return t.store.Scan(ctx, tg.Database, collection, fn)
		}
	}
	sink, err := mongosink.Connect(ctx, cfg)
	if err != nil {
		return nil, errors.Join(err, t.close(context.WithoutCancel(ctx)))
	}
	t.sink = sink
	return t, nil
}

// close disconnects and stops the embedded store, if any.
func (t *target) close(ctx context.Context) error {
	var errs []error
	if t.sink != nil {
		errs = append(errs, t.sink.Close(ctx))
	}
	if t.store != nil {
		errs = append(errs, t.store.Close())
	}
	return errors.Join(errs...)
}
