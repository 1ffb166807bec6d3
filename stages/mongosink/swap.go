package mongosink

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"runner/stages/plan"
)

// The steps of the three-step swap, as Config.SwapStepDone names them.
const (
	SwapPreserved = 1 + iota // the target was renamed to <collection>__runner_previous
	SwapInstalled            // the staging collection was renamed to the target
	SwapDropped              // the previous collection was dropped
)

// swap puts the staging collection in the target's place. On MongoDB that
// is one renameCollection with dropTarget, which is atomic. Servers without
// dropTarget (FerretDB) get three steps instead — preserve, install, drop
// previous — and Recover repairs a process that died between two of them.
//
// Why a recovery step and not one SQLite transaction in the embedded
// store: FerretDB keeps its own copy of the collection metadata in memory,
// so changing its metadata table behind its back would leave the running
// server with a wrong view; and the three steps are crash-safe as they
// are. Each is one command that FerretDB commits as one SQLite transaction
// (fsynced: synchronous=full), and the names alone tell every state
// between them apart: a previous collection exists only during a swap;
// without the target, the swap stopped after preserve (the old data is
// whole in previous); with both, it stopped after install (the new data is
// whole in the target). Recover maps each to the complete old or the
// complete new collection with one rename or one drop, which a crash can
// interrupt only before or after, leaving a state Recover handles again.
func (t *Target) swap(ctx context.Context, staging string) error {
	err := t.rename(ctx, staging, t.cfg.Collection, true)
	if err == nil {
		return nil
	}
	if !hasCode(err, codeNotImplemented) {
		return fmt.Errorf("swapping %s in for %s: %w", t.namespace(staging), t.namespace(t.cfg.Collection), err)
	}
	if err := t.swapPreserve(ctx); err != nil {
		return err
	}
	t.swapStepDone(SwapPreserved)
	if err := t.swapInstall(ctx, staging); err != nil {
		// Put the previous collection back now rather than leave the
		// target missing until the next run; the rollback must run even
		// when ctx is what failed.
		if rbErr := t.rename(context.WithoutCancel(ctx), t.previous(), t.cfg.Collection, false); rbErr != nil && !hasCode(rbErr, codeNamespaceNotFound) {
			return errors.Join(err, fmt.Errorf("putting %s back: %w; the next run will", t.namespace(t.cfg.Collection), rbErr))
		}
		return err
	}
	t.swapStepDone(SwapInstalled)
	if err := t.swapDropPrevious(ctx); err != nil {
		return err
	}
	t.swapStepDone(SwapDropped)
	return nil
}

// swapStepDone tells Config.SwapStepDone, if set, that a step finished.
func (t *Target) swapStepDone(step int) {
	if t.cfg.SwapStepDone != nil {
		t.cfg.SwapStepDone(step)
	}
}

// swapPreserve renames the target out of the way. A missing target is
// nothing to preserve.
func (t *Target) swapPreserve(ctx context.Context) error {
	err := t.rename(ctx, t.cfg.Collection, t.previous(), false)
	if err != nil && !hasCode(err, codeNamespaceNotFound) {
		return fmt.Errorf("moving %s aside to %s: %w", t.namespace(t.cfg.Collection), t.namespace(t.previous()), err)
	}
	return nil
}

// swapInstall renames the staging collection to the target's name.
func (t *Target) swapInstall(ctx context.Context, staging string) error {
	if err := t.rename(ctx, staging, t.cfg.Collection, false); err != nil {
		return fmt.Errorf("renaming %s to %s: %w", t.namespace(staging), t.namespace(t.cfg.Collection), err)
	}
	return nil
}

// dropStaging drops every staging collection of the target: those of runs
// that died, and anything their queued writes recreated. It returns the
// namespaces it dropped.
func (t *Target) dropStaging(ctx context.Context) ([]string, error) {
	names, err := t.collections(ctx)
	if err != nil {
		return nil, err
	}
	var dropped []string
	for _, name := range slices.Sorted(maps.Keys(names)) {
		if !t.isStaging(name) {
			continue
		}
		if err := t.drop(ctx, name); err != nil {
			return dropped, fmt.Errorf("dropping the leftover staging collection %s: %w", t.namespace(name), err)
		}
		dropped = append(dropped, t.namespace(name))
	}
	return dropped, nil
}

// swapDropPrevious drops the collection the swap replaced.
func (t *Target) swapDropPrevious(ctx context.Context) error {
	if err := t.drop(ctx, t.previous()); err != nil {
		return fmt.Errorf("dropping the replaced collection %s: %w", t.namespace(t.previous()), err)
	}
	return nil
}

// Recover finishes or undoes a swap that a dead process left between its
// steps, and says what it did ("" when there was nothing to do). Only a
// swap leaves a previous collection behind: with the target missing, the
// swap stopped after preserve and the previous collection goes back (the
// new data is discarded with its staging collection); with both present,
// it stopped after install and only the drop is left. apply runs it before
// anything else touches the target, whatever the mode: in append or upsert
// mode the target would otherwise be missing.
func (t *Target) Recover(ctx context.Context) (string, error) {
	names, err := t.collections(ctx)
	if err != nil {
		return "", t.scrub(err)
	}
	if !names[t.previous()] {
		return "", nil
	}
	target, previous := t.namespace(t.cfg.Collection), t.namespace(t.previous())
	if names[t.cfg.Collection] {
		if err := t.swapDropPrevious(ctx); err != nil {
			return "", t.scrub(err)
		}
		return fmt.Sprintf("recovered %s from an interrupted swap: the new collection was in place; dropped the replaced %s", target, previous), nil
	}
	if err := t.rename(ctx, t.previous(), t.cfg.Collection, false); err != nil {
		return "", t.scrub(fmt.Errorf("restoring %s from %s after an interrupted swap: %w", target, previous, err))
	}
	return fmt.Sprintf("recovered %s from an interrupted swap: the new collection was not in place; renamed %s back to %s", target, previous, target), nil
}

// RecoverStore repairs, in every database of the server at uri, what dead
// runs left: interrupted swaps (see Recover) and staging collections. It is
// for a store as it opens, which no run can be using yet (the embedded
// store's lock makes sure of that), and returns a line for each repair.
func RecoverStore(ctx context.Context, uri string) ([]string, error) {
	t := &Target{cfg: Config{URI: uri}.withDefaults(), redacted: plan.RedactURI(uri), secrets: plan.URISecrets(uri)}
	client, err := mongo.Connect(options.Client().ApplyURI(uri).SetTimeout(t.cfg.Timeout))
	if err != nil {
		return nil, t.scrub(fmt.Errorf("connecting to %s: %w", t.redacted, err))
	}
	defer func() { _ = client.Disconnect(context.WithoutCancel(ctx)) }()
	t.client = client
	databases, err := client.ListDatabaseNames(ctx, bson.D{})
	if err != nil {
		return nil, t.scrub(fmt.Errorf("listing the databases of %s: %w", t.redacted, err))
	}
	var done []string
	for _, database := range databases {
		t.cfg.Database, t.db = database, client.Database(database)
		names, err := t.collections(ctx)
		if err != nil {
			return done, t.scrub(err)
		}
		for _, base := range swapBases(names) {
			t.cfg.Collection = base
			msg, err := t.Recover(ctx)
			if err != nil {
				return done, err
			}
			if msg != "" {
				done = append(done, msg)
			}
			dropped, err := t.dropStaging(ctx)
			for _, ns := range dropped {
				done = append(done, "dropped the staging collection "+ns+" that a stopped run left")
			}
			if err != nil {
				return done, t.scrub(err)
			}
		}
	}
	return done, nil
}

// swapBases returns, sorted, the collections whose previous or staging
// collections are among names.
func swapBases(names map[string]bool) []string {
	bases := map[string]bool{}
	for name := range names {
		if base, ok := strings.CutSuffix(name, previousSuffix); ok {
			bases[base] = true
		} else if base, _, ok := strings.Cut(name, stagingSuffix); ok {
			bases[base] = true
		}
	}
	return slices.Sorted(maps.Keys(bases))
}

// rename runs renameCollection within the target database.
func (t *Target) rename(ctx context.Context, from, to string, dropTarget bool) error {
	cmd := bson.D{{Key: "renameCollection", Value: t.namespace(from)}, {Key: "to", Value: t.namespace(to)}}
	if dropTarget {
		cmd = append(cmd, bson.E{Key: "dropTarget", Value: true})
	}
	return t.client.Database("admin").RunCommand(ctx, cmd).Err()
}

// hasCode reports whether err is a server error with the given code.
func hasCode(err error, code int) bool {
	var se mongo.ServerError
	return errors.As(err, &se) && se.HasErrorCode(code)
}
