// Package shape owns the document stage: it turns the rows of typed Arrow
// batches into the BSON documents the MongoDB sink loads, following the
// pipeline's `document` template.
//
// The template is compiled once, by New, into a tree of field writers, each
// chosen for its column's Arrow type, so that the row loop never switches on
// a type: it walks the tree and appends every value straight from the
// column's buffers into one BSON buffer (stages.DocBatch). There is no
// bson.Marshal, no reflection and no allocation per row.
//
// Every document starts with its _id: the template's explicit `_id` field,
// or the row hash (stages/rowhash) of the target's id keys as 32 hex digits,
// so that a re-run produces the same _id for the same row.
//
// The Arrow → BSON mapping is fixed: utf8 → string, int32 → int32, int64 →
// int64, float64 → double, decimal128 → Decimal128, bool → boolean, date32 →
// UTC datetime at midnight, timestamp[ms] → datetime, and nested template
// objects → embedded documents.
package shape
