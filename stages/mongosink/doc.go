// Package mongosink owns the last stage of a run: it bulk-loads the shaped
// BSON documents into a MongoDB collection, checks in the database that
// exactly those documents landed, and makes them visible — without ever
// losing a row or leaving the target half-replaced when the database fails.
//
// A run is Connect, Begin, Write… , Close, Verify, then Commit or Abort:
//
//	target, err := mongosink.Connect(ctx, cfg) // reachable, credentials, privileges
//	note, err := target.Recover(ctx)           // repair an interrupted swap
//	load, err := target.Begin(ctx)             // staging, writers
//	defer load.Abort(context.WithoutCancel(ctx))
//	for batch := range batches { err = load.Write(ctx, batch) }
//	result, err := load.Close(ctx)             // every write acknowledged
//	v, err := load.Verify(ctx, sample)         // what the database holds
//	if v.Passed() { err = load.Commit(ctx) }   // indexes built, swap in (replace mode)
//
// # Connecting
//
// Connect bounds server selection and the first ping by Config.Timeout and
// explains failures: an unreachable server, refused credentials, a TLS
// handshake (naming the file to check). An authenticated user's privileges
// are read with connectionStatus and the run is refused, before any data
// moves, when an action the mode needs is missing; servers that do not
// report privileges (FerretDB) are not checked. Errors never contain the
// password or other credentials of the URI, even when the driver echoes it:
// every error leaving the package is scrubbed, and messages name the server
// only through plan.RedactURI.
//
// # Writing
//
// Config.Writers goroutines send unordered bulk writes of at most BatchDocs
// documents and BatchBytes bytes: InsertMany in replace and append mode,
// replace-by-_id upserts in upsert mode. The documents go to the driver as
// bson.Raw slices of the DocBatch buffers, which the driver copies into the
// wire message without decoding or re-encoding their fields. Transient failures (network
// errors, timeouts, retryable or not-primary errors) are retried with
// exponential back-off, 100 ms doubling to 5 s, until Timeout has passed
// since the batch's first attempt began; an attempt the server never
// answers fails when that time is up. The driver's own write retries are
// off, so that every retry is counted: a retried insert that finds some of
// its documents already there (E11000 on _id) counts them as inserted,
// because the _id is derived from the row and the same _id means the same
// document.
//
// # Modes
//
// replace loads a staging collection of its own, <collection>__runner_staging_<run>
// (a server that hung and resumes may still run a dead run's queued writes,
// which must not land in the next run's collection; Begin drops the
// staging collections earlier runs left), and Commit swaps it in
// with renameCollection and dropTarget, which is atomic on MongoDB. FerretDB
// has no dropTarget; there the swap is three steps (rename the target to
// <collection>__runner_previous, rename staging to the target, drop
// previous), and Recover (run by apply, and by serve through RecoverStore,
// as they open the store) repairs a process that died between them: with
// the target missing the previous collection goes back, with both present
// the swap had finished and previous is dropped; each repair is reported.
// Abort waits for the writes in flight (the caller's cancellation never
// cuts them, so none recreates the collection afterwards), drops the
// staging collection, confirms it is gone, and leaves the target as it
// was; when Abort's own context ends first, the error names what is left.
//
// append inserts; documents whose _id is already there are counted as
// AlreadyPresent and left alone, so a re-run after a crash never
// duplicates. upsert replaces documents by _id and inserts the others. In
// both, documents already written stay when a run fails, and Commit has
// nothing to do. On a retried batch the split between inserted and already
// present (or upserted and replaced) counts what the failed attempt wrote
// on the first side; the total is exact.
//
// # Verifying
//
// While writing, the writers keep an order-independent digest of every
// document sent — the count and the sum modulo 2^64 of the XXH3-64 of its
// bytes — and a tally of BSON types per dotted path, kept per document shape
// so that a document costs one map lookup. Verify reads the loaded
// collection once (replace: the staging collection; append and upsert: the
// target, keeping the documents whose _id hash this run sent), computes the
// same from what it reads, and compares the count, the digest, the type
// tallies and duplicate _id values. It reads from the primary, through a
// find with large batches, or, when Config.Scan is set (the embedded store),
// straight from the store's files: FerretDB decodes every document it
// serves at a cost above the insert's, so a find would make verification
// slower than the load. A sample of up to MaxSample documents, drawn while
// writing with a fixed seed, is compared field by field with what was
// sent: each difference is reported with the line the row came from. On
// MongoDB the sample is read back by _id in one $in query, through the _id
// index. FerretDB does not use its _id index, so there the sample is
// compared as the collection's one read goes by; when that read comes from
// the store's files, as many documents as the sample holds are also read
// through the server (one find with a limit) and compared byte for byte
// with what the files hold under their _id. When Verify reads the store's
// files it builds the declared indexes meanwhile; otherwise Commit builds
// them, before the swap.
//
// FerretDB returns documents byte for byte as they were sent — field order,
// int32, int64, double, dates, strings, binary, ObjectIDs, timestamps —
// except that it stores the double -0.0 as 0.0. The digest therefore hashes
// a canonical form: the document's bytes, with every -0.0 written as 0.0
// (a copy is made only for the documents that hold one).
//
// # FerretDB
//
// The embedded store is FerretDB v1 on SQLite, and the sink adapts to it:
// it refuses NaN and decimal128 values before sending them (FerretDB closes
// the connection instead of answering, which would look like an outage);
// it counts with collStats, as count scans; and in upsert mode it uses one
// writer and bulks of at most 90 statements, because FerretDB runs each
// statement as its own transaction, finds each _id by scanning the table
// (its _id index is not used by its own lookups, so upserts cost time
// proportional to the collection) and holds a SQLite connection per matched
// statement until the command ends, with 100 per database.
package mongosink
