package mongosink

import (
	"context"
	"errors"
	"fmt"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
)

// swap puts the staging collection in the target's place. On MongoDB that
// is one renameCollection with dropTarget, which is atomic. Servers without
// dropTarget (FerretDB) get three steps instead — preserve, install, drop
// previous — and Begin repairs a process that died between two of them.
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
	if err := t.swapInstall(ctx, staging); err != nil {
		// Put the previous collection back now rather than leave the
		// target missing until the next run; the rollback must run even
		// when ctx is what failed.
		if rbErr := t.rename(context.WithoutCancel(ctx), t.previous(), t.cfg.Collection, false); rbErr != nil && !hasCode(rbErr, codeNamespaceNotFound) {
			return errors.Join(err, fmt.Errorf("putting %s back: %w; the next run will", t.namespace(t.cfg.Collection), rbErr))
		}
		return err
	}
	return t.swapDropPrevious(ctx)
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
// that died, and anything their queued writes recreated.
func (t *Target) dropStaging(ctx context.Context) error {
	names, err := t.collections(ctx)
	if err != nil {
		return err
	}
	for name := range names {
		if !t.isStaging(name) {
			continue
		}
		if err := t.drop(ctx, name); err != nil {
			return fmt.Errorf("dropping the leftover staging collection %s: %w", t.namespace(name), err)
		}
	}
	return nil
}

// swapDropPrevious drops the collection the swap replaced.
func (t *Target) swapDropPrevious(ctx context.Context) error {
	if err := t.drop(ctx, t.previous()); err != nil {
		return fmt.Errorf("dropping the replaced collection %s: %w", t.namespace(t.previous()), err)
	}
	return nil
}

// repairSwap finishes or undoes a swap that a dead process left between its
// steps. Only a swap leaves a previous collection behind: with the target
// missing, the swap stopped after preserve and the previous collection goes
// back; with both present, it stopped after install and only the drop is
// left.
func (t *Target) repairSwap(ctx context.Context) error {
	names, err := t.collections(ctx)
	if err != nil {
		return err
	}
	if !names[t.previous()] {
		return nil
	}
	if names[t.cfg.Collection] {
		return t.swapDropPrevious(ctx)
	}
	if err := t.rename(ctx, t.previous(), t.cfg.Collection, false); err != nil {
		return fmt.Errorf("restoring %s from %s after an interrupted swap: %w", t.namespace(t.cfg.Collection), t.namespace(t.previous()), err)
	}
	return nil
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
