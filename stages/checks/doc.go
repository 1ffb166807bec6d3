// Package checks runs a pipeline's checks on the rows about to be loaded
// (the in_database check is the sink's: it queries what landed).
//
// The work is split so that the costly part runs in parallel and the part
// that needs stream order stays small: Evaluate computes, for one batch and
// on any goroutine, which rows break each row-level check (assert, not_null,
// accepted_values) and the key hash of every row for the checks that
// compare rows with each other (unique, similar_except). A Tally then takes
// the batches in stream order, with the mask of rows dedup kept, counts the
// failures among kept rows, inserts keys into compact hash sets, and keeps
// the first failing rows as samples, so results never depend on batch
// boundaries or on how many goroutines evaluated.
package checks
