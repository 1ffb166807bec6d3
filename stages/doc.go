// Package stages is the columnar engine's common ground: the rules every
// stage follows, the hidden origin column that carries each row's source
// line to the end, the reject record, and the mapping from the plan's
// logical types to Arrow types. The stages themselves live in subpackages
// (csvsource, cast, eval, columns, dedup, checks, shape, mongosink, report);
// the runner wires them together.
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
