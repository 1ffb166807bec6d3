package runner

import (
	"cmp"
	"fmt"
	"slices"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"runner/stages"
	"runner/stages/checks"
	"runner/stages/columns"
	"runner/stages/eval"
	"runner/stages/plan"
	"runner/stages/profile"
	"runner/stages/rowhash"
	"runner/stages/shape"
)

// pipeline is a plan with every stage prepared for a source schema: the
// per-batch work that apply runs on several goroutines and plan runs on the
// first batch. What it holds is safe to share between goroutines; what is
// not (hashers, shapers, profilers) each goroutine makes for itself with
// dedupHasher and newFinisher.
type pipeline struct {
	plan     *plan.Plan
	mem      memory.Allocator
	columns  *columns.Stage
	checks   *checks.Suite
	shape    shape.Config
	computed []*eval.Program
	// leaves are the computed document leaves, in the order Encode wants
	// their arrays.
	leaves []*plan.Expr
	// idsFromDedup says the derived _id hashes the dedup key (the default),
	// so the document stage reuses the hashes dedup computed.
	idsFromDedup bool
}

func newPipeline(p *plan.Plan, source *arrow.Schema, mem memory.Allocator) (*pipeline, error) {
	cols, err := columns.New(p, source)
	if err != nil {
		return nil, fmt.Errorf("prepare columns: %w", err)
	}
	suite, err := checks.New(p, cols.Schema())
	if err != nil {
		return nil, fmt.Errorf("prepare checks: %w", err)
	}
	cfg := shape.Config{Document: p.Document, IDKeys: p.Target.IDKeys}
	shaper, err := shape.New(cfg, cols.Schema())
	if err != nil {
		return nil, fmt.Errorf("prepare document: %w", err)
	}
	pl := &pipeline{plan: p, mem: mem, columns: cols, checks: suite, shape: cfg, leaves: shaper.Computed(),
		idsFromDedup: p.Dedup != nil && p.Document.IDField() == nil && slices.Equal(p.Target.IDKeys, p.Dedup.Keys)}
	for _, e := range pl.leaves {
		prog, err := eval.Compile(e)
		if err != nil {
			return nil, fmt.Errorf("prepare document field %s: %w", e, err)
		}
		pl.computed = append(pl.computed, prog)
	}
	return pl, nil
}

// dedupHasher returns a hasher of the dedup key, or nil without dedup.
func (pl *pipeline) dedupHasher() (*rowhash.Hasher, error) {
	if pl.plan.Dedup == nil {
		return nil, nil
	}
	return rowhash.New(pl.columns.Schema(), pl.plan.Dedup.Keys)
}

// finisher turns kept rows into documents on one goroutine.
type finisher struct {
	pl      *pipeline
	shaper  *shape.Shaper
	profile *profile.Profiler
}

// newFinisher returns a finisher for one goroutine; withProfile also
// profiles the rows it finishes.
func (pl *pipeline) newFinisher(withProfile bool) (*finisher, error) {
	shaper, err := shape.New(pl.shape, pl.columns.Schema())
	if err != nil {
		return nil, fmt.Errorf("prepare document: %w", err)
	}
	f := &finisher{pl: pl, shaper: shaper}
	if withProfile {
		names := make([]string, len(pl.plan.Columns))
		for i, c := range pl.plan.Columns {
			names[i] = c.Name
		}
		if f.profile, err = profile.New(pl.columns.Schema(), names); err != nil {
			return nil, fmt.Errorf("prepare profile: %w", err)
		}
	}
	return f, nil
}

// transformed is one source batch after the columns stage, with what the
// in-order part needs: its rejects, dedup keys and check partials.
type transformed struct {
	seq     int
	batch   arrow.RecordBatch
	rejects []stages.Reject
	stats   columns.Stats
	keys    []rowhash.Hash
	partial *checks.Partial
	// rowsIn counts the rows the columns stage received.
	rowsIn int
	// sourceRejects counts the rejects the source found in this batch.
	sourceRejects int
}

func (t *transformed) release() {
	if t.batch != nil {
		t.batch.Release()
		t.batch = nil
	}
}

// transform runs the columns stage, hashes dedup keys and evaluates the
// checks. It borrows text.
func (pl *pipeline) transform(text arrow.RecordBatch, sourceRejects []stages.Reject, hasher *rowhash.Hasher) (*transformed, error) {
	res, err := pl.columns.Apply(pl.mem, text)
	if err != nil {
		return nil, err
	}
	t := &transformed{batch: res.Batch, stats: res.Stats, rowsIn: int(text.NumRows()), sourceRejects: len(sourceRejects)}
	t.rejects = append(append(t.rejects, sourceRejects...), res.Rejects...)
	slices.SortFunc(t.rejects, func(a, b stages.Reject) int { return cmp.Compare(a.Origin, b.Origin) })
	if hasher != nil {
		t.keys = hasher.Hash(t.batch, make([]rowhash.Hash, 0, t.batch.NumRows()))
	}
	if t.partial, err = pl.checks.Evaluate(pl.mem, t.batch); err != nil {
		t.release()
		return nil, err
	}
	return t, nil
}

// finish keeps the rows dedup kept, profiles them and encodes their
// documents into dst. It borrows t.batch.
func (f *finisher) finish(t *transformed, keep []bool, dst *stages.DocBatch) error {
	pl := f.pl
	kept := t.batch
	if keep != nil {
		var err error
		if kept, err = stages.Filter(pl.mem, t.batch, keep); err != nil {
			return fmt.Errorf("drop duplicates: %w", err)
		}
		defer kept.Release()
	}
	if f.profile != nil {
		f.profile.Observe(kept)
	}
	computed := make([]arrow.Array, len(pl.computed))
	defer func() {
		for _, a := range computed {
			if a != nil {
				a.Release()
			}
		}
	}()
	env := eval.BatchEnv(kept)
	for i, prog := range pl.computed {
		arr, err := prog.Eval(pl.mem, env)
		if err != nil {
			return fmt.Errorf("document field %s: %w", pl.leaves[i], err)
		}
		computed[i] = arr
	}
	var ids []rowhash.Hash
	if pl.idsFromDedup {
		ids = keptKeys(t.keys, keep)
	}
	return f.shaper.Encode(kept, computed, ids, dst)
}

// keptKeys returns the keys of the rows dedup kept (every key when keep is
// nil), in row order.
func keptKeys(keys []rowhash.Hash, keep []bool) []rowhash.Hash {
	if keep == nil {
		return keys
	}
	out := make([]rowhash.Hash, 0, len(keys))
	for i, k := range keep {
		if k {
			out = append(out, keys[i])
		}
	}
	return out
}
