package mongosink

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
	"go.mongodb.org/mongo-driver/v2/x/bsonx/bsoncore"

	"runner/stages"
	"runner/stages/plan"
)

// Back-off between attempts of a failing batch.
const (
	firstBackoff = 100 * time.Millisecond
	maxBackoff   = 5 * time.Second
)

// transientCode reports whether a write failing with code may succeed if
// sent again: the server was not (or no longer) the primary, was shutting
// down, or timed out.
func transientCode(code int) bool {
	switch code {
	case 6, // HostUnreachable
		7,     // HostNotFound
		50,    // MaxTimeMSExpired
		64,    // WriteConcernFailed
		89,    // NetworkTimeout
		91,    // ShutdownInProgress
		189,   // PrimarySteppedDown
		262,   // ExceededTimeLimit
		9001,  // SocketException
		10107, // NotWritablePrimary
		11600, // InterruptedAtShutdown
		11602, // InterruptedDueToReplStateChange
		13435, // NotPrimaryNoSecondaryOk
		13436: // NotPrimaryOrSecondary
		return true
	}
	return false
}

// codeDuplicateKey is E11000.
const codeDuplicateKey = 11000

// writer sends jobs until the jobs run out or the load stops. Its counters
// are read by Close after the writer has returned.
type writer struct {
	l     *Load
	stats *docStats
	ids   []uint64
	WriterStats
	inserted, alreadyPresent, upserted, replaced int64
}

func (w *writer) run() {
	for {
		// A stop must win over a waiting job.
		select {
		case <-w.l.stop:
			return
		default:
		}
		select {
		case <-w.l.stop:
			return
		case j, ok := <-w.l.jobs:
			if !ok {
				return
			}
			if err := w.write(j); err != nil {
				w.l.fail(err)
				return
			}
		case <-w.l.ctx.Done():
			return
		}
	}
}

// write accounts for j's documents and sends them.
func (w *writer) write(j *job) error {
	l := w.l
	var unsupported unsupportedFunc
	if l.t.server.ferret {
		unsupported = ferretUnsupported
	}
	for i, doc := range j.docs {
		info, err := w.stats.add(doc, unsupported)
		if err != nil {
			return w.refused(j, i, err.Error())
		}
		if !info.hasID {
			return w.refused(j, i, "it has no _id")
		}
		if l.cfg.Mode != plan.ModeReplace {
			w.ids = append(w.ids, info.id)
		}
	}
	start := time.Now()
	err := w.send(j)
	w.Busy += time.Since(start)
	if err != nil {
		return err
	}
	w.Batches++
	w.Documents += int64(len(j.docs))
	w.Bytes += int64(j.bytes)
	return nil
}

// outcome is what one attempt wrote.
type outcome struct {
	// written documents are new; duplicates had an _id already present,
	// the first at index firstDup of the job.
	written, duplicates int64
	firstDup            int
	// upserted and replaced count the upsert mode's documents.
	upserted, replaced int64
}

// send writes j, retrying transient failures with exponential back-off
// until the server has failed (or not answered) for Timeout since the
// first attempt began.
func (w *writer) send(j *job) error {
	l := w.l
	var models []mongo.WriteModel
	if l.cfg.Mode == plan.ModeUpsert {
		models = upsertModels(j)
	}
	attempts := 0
	var out outcome
	timedOut, err := retry(l.writes, l.stop, l.cfg.Timeout, func(ctx context.Context) error {
		attempts++
		var err error
		if models != nil {
			out, err = w.upsert(ctx, j, models)
		} else {
			out, err = w.insert(ctx, j)
		}
		return err
	})
	w.Retries += int64(attempts - 1)
	var we *writeError
	switch {
	case err == nil:
		return w.account(j, out, attempts > 1)
	case l.ctx.Err() != nil:
		return context.Cause(l.ctx)
	case isClosed(l.stop):
		return errLoadEnded
	case errors.As(err, &we):
		return err
	case timedOut:
		return &writeError{unanswered: true, msg: fmt.Sprintf("MongoDB at %s did not accept writes for %s: %v", l.t.redacted, l.cfg.Timeout, err)}
	}
	return &writeError{msg: fmt.Sprintf("MongoDB at %s refused a write to %s: %v", l.t.redacted, l.name(), err)}
}

// retry calls attempt until it succeeds, fails with an error that is not
// transient, ctx ends, or quit is closed (quit may be nil). Transient
// failures are retried after a back-off of 100 ms doubling to 5 s, until
// timeout has passed since the first attempt began; each attempt's context
// ends then too, so an attempt the server never answers counts as failing.
// It returns whether the time ran out, and the last error.
func retry(ctx context.Context, quit <-chan struct{}, timeout time.Duration, attempt func(context.Context) error) (timedOut bool, err error) {
	deadline := time.Now().Add(timeout)
	backoff := firstBackoff
	for {
		actx, cancel := context.WithDeadline(ctx, deadline)
		err = attempt(actx)
		cancel()
		if err == nil || ctx.Err() != nil || !transient(err) {
			return false, err
		}
		wait := min(jitter(backoff), time.Until(deadline))
		if wait <= 0 {
			return true, err
		}
		timer := time.NewTimer(wait)
		select {
		case <-timer.C:
		case <-ctx.Done():
			timer.Stop()
			return false, err
		case <-quit:
			timer.Stop()
			return false, err
		}
		if !time.Now().Before(deadline) {
			return true, err
		}
		backoff = min(2*backoff, maxBackoff)
	}
}

// account adds an attempt's outcome to the writer's counters.
func (w *writer) account(j *job, out outcome, retried bool) error {
	switch {
	case w.l.cfg.Mode == plan.ModeUpsert:
		w.upserted += out.upserted
		w.replaced += out.replaced
	case out.duplicates == 0:
		w.inserted += out.written
	case retried:
		// A failed attempt may have written some documents before the
		// connection broke: the same _id now means the same document.
		w.inserted += out.written + out.duplicates
	case w.l.cfg.Mode == plan.ModeAppend:
		w.inserted += out.written
		w.alreadyPresent += out.duplicates
	default:
		// Nothing was there before this run's staging collection: two
		// documents of this run share an _id, and one of them is lost.
		return w.refused(j, out.firstDup, fmt.Sprintf("its _id is the _id of another document of this run (%d such documents in this batch) — make the keys the _id derives from unique", out.duplicates))
	}
	return nil
}

// isClosed reports whether ch is closed.
func isClosed(ch <-chan struct{}) bool {
	select {
	case <-ch:
		return true
	default:
		return false
	}
}

// jitter spreads retries of several writers over [d/2, d].
func jitter(d time.Duration) time.Duration {
	return d/2 + rand.N(d/2+1)
}

// insert sends j as one unordered insert. Documents refused because their
// _id is already there are counted, not failed.
func (w *writer) insert(ctx context.Context, j *job) (outcome, error) {
	n := int64(len(j.docs))
	_, err := w.l.coll.InsertMany(ctx, j.docs, options.InsertMany().SetOrdered(false))
	if err == nil {
		return outcome{written: n}, nil
	}
	var bwe mongo.BulkWriteException
	if !errors.As(err, &bwe) || len(bwe.WriteErrors) == 0 || bwe.WriteConcernError != nil {
		return outcome{}, err
	}
	out := outcome{firstDup: bwe.WriteErrors[0].Index}
	for _, we := range bwe.WriteErrors {
		if !duplicateID(we.WriteError) {
			return outcome{}, w.refused(j, we.Index, we.Message)
		}
		out.duplicates++
		out.firstDup = min(out.firstDup, we.Index)
	}
	out.written = n - out.duplicates
	return out, nil
}

// upsert sends j as one unordered bulk of replace-by-_id upserts.
func (w *writer) upsert(ctx context.Context, j *job, models []mongo.WriteModel) (outcome, error) {
	res, err := w.l.coll.BulkWrite(ctx, models, options.BulkWrite().SetOrdered(false))
	if err == nil {
		return outcome{upserted: res.UpsertedCount, replaced: res.MatchedCount}, nil
	}
	var bwe mongo.BulkWriteException
	if !errors.As(err, &bwe) || len(bwe.WriteErrors) == 0 || bwe.WriteConcernError != nil {
		return outcome{}, err
	}
	for _, we := range bwe.WriteErrors {
		if we.Code != codeDuplicateKey {
			return outcome{}, w.refused(j, we.Index, we.Message)
		}
	}
	// Two upserts of one new _id can race; the loser's retry replaces.
	return outcome{}, retryableError{err}
}

// retryableError marks a failure the writer retries although the driver
// would not call it transient.
type retryableError struct{ error }

func (e retryableError) Unwrap() error   { return e.error }
func (e retryableError) Retryable() bool { return true }

// upsertModels builds one ReplaceOne per document, filtered on the
// document's own _id element, copied as it is.
func upsertModels(j *job) []mongo.WriteModel {
	models := make([]mongo.WriteModel, len(j.docs))
	for i, doc := range j.docs {
		id := bsoncore.Document(doc).Lookup("_id")
		filter := bsoncore.NewDocumentBuilder().AppendValue("_id", id).Build()
		models[i] = mongo.NewReplaceOneModel().SetFilter(bson.Raw(filter)).SetReplacement(doc).SetUpsert(true)
	}
	return models
}

// duplicateID reports whether we is a duplicate key on _id rather than on
// another unique index, which would mean the document was not written.
func duplicateID(we mongo.WriteError) bool {
	if we.Code != codeDuplicateKey {
		return false
	}
	if pattern, err := we.Details.LookupErr("keyPattern"); err == nil {
		keys, ok := pattern.DocumentOK()
		if !ok {
			return false
		}
		elems, err := keys.Elements()
		return err == nil && len(elems) == 1 && elems[0].Key() == "_id"
	}
	// Without details, MongoDB names the index in the message; FerretDB
	// names none and has no other unique index on a fresh load.
	return strings.Contains(we.Message, "index: _id_ ") || !strings.Contains(we.Message, "index: ")
}

// refused is the error for a document the server (or the sink, for a
// value the server cannot store) will not take: it names where the row
// came from.
func (w *writer) refused(j *job, i int, why string) error {
	origin := stages.Origin(0)
	if i >= 0 && i < len(j.origins) {
		origin = j.origins[i]
	}
	id := "?"
	if i >= 0 && i < len(j.docs) {
		if v, err := bsoncore.Document(j.docs[i]).LookupErr("_id"); err == nil {
			id = renderID(v)
		}
	}
	if w.l.t.cfg.SensitiveID && id != "?" {
		// The server's own message may quote the _id too (a duplicate key).
		why = strings.ReplaceAll(why, id, plan.SensitiveValue)
		id = plan.SensitiveValue
	}
	return &writeError{msg: fmt.Sprintf("MongoDB at %s refused the document from %s (_id %s) in %s: %s",
		w.l.t.redacted, origin, id, w.l.name(), why)}
}

// writeError is a write failure that retrying cannot fix; its message is
// complete and names the server.
type writeError struct {
	msg string
	// unanswered says the server stopped answering for Timeout.
	unanswered bool
}

func (e *writeError) Error() string { return e.msg }

// transient reports whether a failed write may succeed if sent again.
func transient(err error) bool {
	if mongo.IsNetworkError(err) || mongo.IsTimeout(err) {
		return true
	}
	var le mongo.LabeledError
	if errors.As(err, &le) && (le.HasErrorLabel("RetryableWriteError") || le.HasErrorLabel("NetworkError")) {
		return true
	}
	var se mongo.ServerError
	if errors.As(err, &se) {
		for _, code := range se.ErrorCodes() {
			if transientCode(code) {
				return true
			}
		}
		// SQLite under FerretDB, when a lock outlasts busy_timeout.
		if se.HasErrorMessage("SQLITE_BUSY") {
			return true
		}
	}
	// The driver's pool errors after a reset say so through Retryable.
	var re interface{ Retryable() bool }
	return errors.As(err, &re) && re.Retryable()
}
