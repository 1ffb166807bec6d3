// Package stages is the columnar engine's common ground: the rules every
// stage follows, the hidden columns the CSV source adds (OriginColumn, which
// carries each row's file and line to the end, and RawColumn, its text as
// the file held it, until the columns stage), the Reject record, the
// mapping from the plan's logical types to Arrow types (ArrowType,
// ColumnsSchema), Filter for stages that drop rows, the text form of a
// value (AppendValue, FormatValue), and DocBatch, the BSON documents that
// pass from the shape stage to the sink.
//
// The stages themselves live in subpackages: csvsource, cast, eval, columns,
// dedup, checks, profile, shape, mongosink and report. rowhash (the row
// hashes behind dedup keys, unique checks and _id) and hashset (the compact
// sets of them) serve several stages; embedded is the MongoDB-compatible
// store used when a pipeline names no URI; plan is the compiled pipeline
// both halves of the project share; sample generates sample data;
// stagetest serves the tests. The runner wires them together.
//
// # Ownership of batches
//
// Every stage follows one rule, the same as arrow's readers:
//
//   - A stage borrows the batches and arrays it is given: it may read them
//     during the call and must Retain what it keeps beyond the call.
//   - A batch or array a stage returns is owned by the caller, with a
//     reference count of one; the caller Releases it exactly once. A stage
//     that returns its input unchanged Retains it first.
//   - A reader's current batch is valid until the next call to Next; Retain
//     it to keep it longer.
//   - Every stage allocates through the memory.Allocator it is constructed
//     with. Tests use memory.NewCheckedAllocator and assert that nothing is
//     left allocated, so a leak or a double release fails the test.
//
// # Rows never vanish
//
// A row leaves the stream only as a reject (with its line, column, value,
// reason and raw text) or as a removed duplicate, and each stage counts both,
// so a run can prove rows_read = rows_loaded + rows_rejected +
// rows_deduplicated.
package stages
