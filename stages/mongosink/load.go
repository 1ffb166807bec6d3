package mongosink

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"runner/stages"
	"runner/stages/plan"
)

// loadState is where a Load is in its life.
type loadState uint8

const (
	stateWriting loadState = iota
	stateClosed
	stateFailed
	stateCommitted
	stateAborted
)

// String says where the load is, for errors about calls out of order.
func (s loadState) String() string {
	return [...]string{"still writing", "closed", "failed", "committed", "aborted"}[s]
}

// unansweredDrop bounds Abort's drop of the staging collection after the
// server stopped answering writes.
const unansweredDrop = 2 * time.Second

// errLoadEnded cancels the writers' context once a Load no longer needs it.
var errLoadEnded = errors.New("the load has ended")

// Load is one run's writes into the target: Write until the documents run
// out, then Close, then Verify, then Commit — or Abort after any failure.
// Several goroutines may call Write at once (the stages that build documents
// run in parallel); the other methods are called from one goroutine, after
// every Write has returned.
type Load struct {
	t    *Target
	cfg  Config
	coll *mongo.Collection
	// ctx says why the load stopped: it is cancelled with the first
	// writer's failure as its cause, or when the caller cancels.
	ctx    context.Context
	cancel context.CancelCauseFunc
	// writes is the context of the writes themselves. The caller's
	// cancellation does not reach it: a write cut off on the client side
	// may still be carried out by the server after the staging collection
	// was dropped, and recreate it. Only Abort's own deadline cuts them
	// (abandonWrites), when waiting for them longer is not allowed.
	writes        context.Context
	abandonWrites context.CancelFunc
	jobs          chan *job
	// stop tells the writers to take no more jobs and give up retrying,
	// while the writes in flight finish.
	stop     chan struct{}
	stopOnce sync.Once
	wg       sync.WaitGroup
	// finished is closed once every writer has returned.
	finished chan struct{}
	// stopWatching ends the watch on the caller's context.
	stopWatching func() bool

	writers []*writer
	// writeMu guards what Write fills: the pending job and the sample.
	writeMu sync.Mutex
	pending *job
	sample  *reservoir
	began   time.Time
	state   loadState

	// indexed says the indexes are built, in indexDuration.
	indexed       bool
	indexDuration time.Duration

	// Filled by Close from the writers.
	result  Result
	sent    *docStats
	sentIDs []uint64
}

// Result counts what a load wrote.
type Result struct {
	// Documents is the number of documents handed to Write.
	Documents int64 `json:"documents"`
	// Inserted documents are new in the collection.
	Inserted int64 `json:"inserted"`
	// AlreadyPresent documents (append mode) had an _id the collection
	// already held, from an earlier run; they were left as they are.
	AlreadyPresent int64 `json:"already_present"`
	// Upserted and Replaced (upsert mode) are documents whose _id was new
	// and documents that replaced one with the same _id.
	Upserted int64 `json:"upserted"`
	Replaced int64 `json:"replaced"`
	// Batches is the number of bulk writes that succeeded; Retries the
	// number of attempts that failed on a transient error and were retried.
	Batches int64 `json:"batches"`
	Retries int64 `json:"retries"`
	Bytes   int64 `json:"bytes"`
	// Duration is the time from Begin until every document was written.
	Duration time.Duration `json:"duration"`
	Writers  []WriterStats `json:"writers"`
}

// WriterStats is one writer's share of a load.
type WriterStats struct {
	Writer    int   `json:"writer"`
	Batches   int64 `json:"batches"`
	Documents int64 `json:"documents"`
	Bytes     int64 `json:"bytes"`
	Retries   int64 `json:"retries"`
	// Busy is the time spent in bulk writes, retries and back-off included.
	Busy time.Duration `json:"busy"`
}

// Begin prepares the target for a run and starts the writers. In replace
// mode it drops leftover staging collections and creates a fresh one, which
// receives the documents. Call Recover first: Begin does not repair an
// interrupted swap. The writers stop when ctx is cancelled.
func (t *Target) Begin(ctx context.Context) (*Load, error) {
	coll := t.db.Collection(t.cfg.Collection)
	if t.cfg.Mode == plan.ModeReplace {
		if _, err := t.dropStaging(ctx); err != nil {
			return nil, t.scrub(err)
		}
		staging := t.newStaging()
		// Created explicitly so that a run with no documents still swaps
		// in an empty collection. A retry may find it already created.
		err := t.idempotent(ctx, func(ctx context.Context) error {
			if err := t.db.CreateCollection(ctx, staging); err != nil && !hasCode(err, codeNamespaceExists) {
				return err
			}
			return nil
		})
		if err != nil {
			return nil, t.scrub(fmt.Errorf("creating the staging collection %s: %w", t.namespace(staging), err))
		}
		coll = t.db.Collection(staging)
	}
	failed, cancel := context.WithCancelCause(context.WithoutCancel(ctx))
	writes, abandon := context.WithCancel(context.WithoutCancel(ctx))
	l := &Load{
		t:             t,
		cfg:           t.cfg,
		coll:          coll,
		ctx:           failed,
		cancel:        cancel,
		writes:        writes,
		abandonWrites: abandon,
		jobs:          make(chan *job, t.cfg.Writers),
		stop:          make(chan struct{}),
		finished:      make(chan struct{}),
		pending:       &job{},
		sample:        newReservoir(MaxSample),
		began:         time.Now(),
	}
	// The caller's cancellation stops the writers as a failure does: no
	// new write starts, the ones in flight finish.
	l.stopWatching = context.AfterFunc(ctx, func() { l.fail(context.Cause(ctx)) })
	for i := range t.cfg.Writers {
		w := &writer{l: l, stats: newDocStats(), WriterStats: WriterStats{Writer: i + 1}}
		l.writers = append(l.writers, w)
		l.wg.Go(w.run)
	}
	go func() {
		l.wg.Wait()
		close(l.finished)
	}()
	return l, nil
}

// fail records why the load stopped (the first cause wins) and tells the
// writers to stop.
func (l *Load) fail(cause error) {
	l.cancel(cause)
	l.halt()
}

// halt tells the writers to take no more jobs and retry no more.
func (l *Load) halt() { l.stopOnce.Do(func() { close(l.stop) }) }

// end releases what the load holds once its writers have returned.
func (l *Load) end() {
	l.stopWatching()
	l.cancel(errLoadEnded)
	l.abandonWrites()
}

// Write hands b's documents to the writers, in bulk writes of at most
// BatchDocs documents and BatchBytes bytes (documents of several batches
// share a bulk write). It blocks while the writers are busy. The Load owns b
// afterwards: b must not be changed or reused.
func (l *Load) Write(ctx context.Context, b *stages.DocBatch) error {
	l.writeMu.Lock()
	defer l.writeMu.Unlock()
	if l.state != stateWriting {
		return fmt.Errorf("writing to %s: the load is %s", l.name(), l.state)
	}
	if err := l.failure(); err != nil {
		return err
	}
	for i := range b.Len() {
		doc, origin := b.Doc(i), b.Origins[i]
		l.sample.offer(doc, origin)
		if l.pending.full(len(doc), l.cfg) {
			if err := l.send(ctx); err != nil {
				return err
			}
		}
		l.pending.add(doc, origin)
	}
	return nil
}

// send hands the pending job to a writer.
func (l *Load) send(ctx context.Context) error {
	select {
	case l.jobs <- l.pending:
		l.pending = &job{}
		return nil
	case <-ctx.Done():
		l.fail(context.Cause(ctx))
		return fmt.Errorf("writing to %s: %w", l.name(), context.Cause(ctx))
	case <-l.ctx.Done():
		return l.failure()
	}
}

// failure returns why the writers stopped, or nil while they work.
func (l *Load) failure() error {
	if l.ctx.Err() == nil {
		return nil
	}
	err := context.Cause(l.ctx)
	var we *writeError
	if errors.As(err, &we) {
		return l.t.scrub(err)
	}
	return l.t.scrub(fmt.Errorf("writing to %s: %w", l.name(), err))
}

// Close waits until every document is written.
// If ctx is cancelled, the writers are stopped.
func (l *Load) Close(ctx context.Context) (Result, error) {
	if l.state != stateWriting {
		return Result{}, fmt.Errorf("closing the load into %s: it is %s", l.name(), l.state)
	}
	l.state = stateFailed
	var err error
	if len(l.pending.docs) > 0 {
		err = l.send(ctx)
	}
	close(l.jobs)
	if !l.wait(ctx) {
		// Abort waits for the writes in flight, within its own deadline.
		l.fail(context.Cause(ctx))
	}
	if err == nil {
		err = l.failure()
	}
	if err != nil {
		return Result{}, err
	}
	l.end()
	l.collect()
	l.result.Duration = time.Since(l.began)
	l.state = stateClosed
	return l.result, nil
}

// CreateIndexes builds the declared indexes the collection lacks (on the
// staging collection in replace mode, so they are in place before the
// swap). Verify builds them as it reads the store's files, when it reads
// those; Commit builds them if nothing did. Calling it again does nothing.
func (l *Load) CreateIndexes(ctx context.Context) error {
	if l.state != stateClosed {
		return fmt.Errorf("creating the indexes on %s: the load is %s, not closed", l.name(), l.state)
	}
	if l.indexed {
		return nil
	}
	start := time.Now()
	if err := l.createIndexes(ctx); err != nil {
		return l.t.scrub(err)
	}
	l.indexed, l.indexDuration = true, time.Since(start)
	return nil
}

// IndexDuration is how long building the indexes took.
func (l *Load) IndexDuration() time.Duration { return l.indexDuration }

// wait waits for the writers to return, and reports whether they did
// before ctx ended.
func (l *Load) wait(ctx context.Context) bool {
	select {
	case <-l.finished:
		return true
	case <-ctx.Done():
		return false
	}
}

// collect merges the writers' counts, digests and _id hashes.
func (l *Load) collect() {
	l.sent = newDocStats()
	r := &l.result
	for _, w := range l.writers {
		l.sent.merge(w.stats)
		l.sentIDs = append(l.sentIDs, w.ids...)
		r.Inserted += w.inserted
		r.AlreadyPresent += w.alreadyPresent
		r.Upserted += w.upserted
		r.Replaced += w.replaced
		r.Batches += w.Batches
		r.Retries += w.Retries
		r.Bytes += w.Bytes
		r.Documents += w.Documents
		r.Writers = append(r.Writers, w.WriterStats)
	}
	slices.Sort(l.sentIDs)
}

// createIndexes creates the declared indexes the collection lacks. An index
// that exists already (a re-run in append or upsert mode) is left alone, so
// a re-run never asks the server to build it twice; one with the same name
// but other keys is an error, since silently keeping either would surprise.
func (l *Load) createIndexes(ctx context.Context) error {
	if len(l.cfg.Indexes) == 0 {
		return nil
	}
	existing := map[string]bson.Raw{}
	err := l.t.idempotent(ctx, func(ctx context.Context) error {
		specs, err := l.coll.Indexes().ListSpecifications(ctx)
		for _, spec := range specs {
			existing[spec.Name] = spec.KeysDocument
		}
		return err
	})
	if err != nil {
		return fmt.Errorf("listing the indexes of %s: %w", l.name(), err)
	}
	var models []mongo.IndexModel
	for _, ix := range l.cfg.Indexes {
		keys := bson.D{}
		for _, k := range ix.Keys {
			keys = append(keys, bson.E{Key: k.Field, Value: k.Direction})
		}
		if have, ok := existing[ix.Name]; ok {
			if !sameKeys(have, keys) {
				return fmt.Errorf("the index %q of %s has the keys %s, not the declared %s: drop it or rename the declared index",
					ix.Name, l.name(), have, keysText(keys))
			}
			continue
		}
		opts := options.Index().SetName(ix.Name)
		if ix.Unique {
			opts.SetUnique(true)
		}
		models = append(models, mongo.IndexModel{Keys: keys, Options: opts})
	}
	if len(models) == 0 {
		return nil
	}
	err = l.t.idempotent(ctx, func(ctx context.Context) error {
		_, err := l.coll.Indexes().CreateMany(ctx, models)
		return err
	})
	if err != nil {
		return fmt.Errorf("creating the indexes on %s: %w", l.name(), err)
	}
	return nil
}

// sameKeys reports whether an existing index's key document holds the
// declared fields in the declared order and directions (numbers compare by
// value: servers store 1 as int32, int64 or double).
func sameKeys(have bson.Raw, want bson.D) bool {
	elems, err := have.Elements()
	if err != nil || len(elems) != len(want) {
		return false
	}
	for i, e := range elems {
		dir, ok := e.Value().AsInt64OK()
		if !ok {
			f, isFloat := e.Value().DoubleOK()
			dir, ok = int64(f), isFloat
		}
		if !ok || e.Key() != want[i].Key || dir != int64(want[i].Value.(int)) {
			return false
		}
	}
	return true
}

func keysText(keys bson.D) string {
	raw, err := bson.MarshalExtJSON(keys, false, false)
	if err != nil {
		return fmt.Sprint(keys)
	}
	return string(raw)
}

// Commit makes the load visible. In replace mode it swaps the staging
// collection in for the target; in append and upsert mode the documents are
// already in place and Commit does nothing.
func (l *Load) Commit(ctx context.Context) error {
	if l.state != stateClosed {
		return fmt.Errorf("committing the load into %s: it is %s, not closed", l.name(), l.state)
	}
	if err := l.CreateIndexes(ctx); err != nil {
		return err
	}
	if l.cfg.Mode == plan.ModeReplace {
		if err := l.t.swap(ctx, l.coll.Name()); err != nil {
			return l.t.scrub(err)
		}
	}
	l.state = stateCommitted
	return nil
}

// Abort stops the writers and, in replace mode, drops the staging
// collection: the target is left as it was. In append and upsert mode the
// documents already written stay (a re-run neither duplicates nor loses
// them). Abort after Commit, or a second Abort, does nothing, so it may be
// deferred.
//
// The writes in flight are allowed to finish first, and only then is the
// staging collection dropped, so that none of them recreates it; the drop
// is then confirmed by listing the collections. When ctx ends before that
// (a second Ctrl-C, or its deadline), the writes are cut off, nothing is
// dropped and the error names the staging collection that is left (the
// next run drops it). ctx must not be the cancelled context of the run:
// pass a fresh one with a deadline (context.WithoutCancel and a timeout).
func (l *Load) Abort(ctx context.Context) error {
	if l.state == stateCommitted || l.state == stateAborted {
		return nil
	}
	l.state = stateAborted
	l.halt()
	// An abandoned clean-up (ctx already ended) drops nothing, even when
	// the writers happen to be done.
	if ctx.Err() != nil || !l.wait(ctx) {
		l.abandonWrites()
		<-l.finished
		l.end()
		return l.left(fmt.Errorf("the clean-up was interrupted while writes were in flight: %w", context.Cause(ctx)))
	}
	l.end()
	if l.cfg.Mode != plan.ModeReplace {
		return nil
	}
	budget := l.cfg.Timeout
	var we *writeError
	if errors.As(context.Cause(l.ctx), &we) && we.unanswered {
		// The server stopped answering: a short try, not another Timeout
		// of retries; the next run drops what is left.
		budget = min(budget, unansweredDrop)
	}
	if err := l.t.dropWithin(ctx, l.coll.Name(), budget); err != nil {
		return l.left(err)
	}
	names, err := l.t.collections(ctx)
	if err != nil {
		return l.left(err)
	}
	if names[l.coll.Name()] {
		return l.left(errors.New("it was still there after the drop"))
	}
	return nil
}

// left is Abort's error when the staging collection may remain: it names
// the collection, in replace mode.
func (l *Load) left(err error) error {
	if l.cfg.Mode != plan.ModeReplace {
		return l.t.scrub(fmt.Errorf("stopping the writes into %s: %w", l.name(), err))
	}
	return l.t.scrub(fmt.Errorf("the staging collection %s is left (the target was not touched; the next run drops it): %w", l.name(), err))
}

// Staging is the namespace of the staging collection a replace load writes
// into, as Abort drops it; empty in the other modes.
func (l *Load) Staging() string {
	if l.cfg.Mode != plan.ModeReplace {
		return ""
	}
	return l.name()
}

// name is the namespace the load writes into.
func (l *Load) name() string { return l.t.namespace(l.coll.Name()) }

// job is one bulk write: documents aliasing the batches handed to Write.
type job struct {
	docs    []bson.Raw
	origins []stages.Origin
	bytes   int
}

// full reports whether a document of n bytes must go into the next job.
func (j *job) full(n int, cfg Config) bool {
	return len(j.docs) > 0 && (len(j.docs) >= cfg.BatchDocs || j.bytes+n > cfg.BatchBytes)
}

func (j *job) add(doc []byte, origin stages.Origin) {
	j.docs = append(j.docs, doc)
	j.origins = append(j.origins, origin)
	j.bytes += len(doc)
}
