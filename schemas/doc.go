// Package schemas is runner's pipeline language: it reads a pipeline file
// (HCL native syntax), decodes every block into plain structs that keep their
// source ranges, evaluates settings that are known before any row is read
// (literals, variables, env() and file()), compiles the expressions that run
// over rows into the plan's columnar expression trees, and returns a
// complete, fully typed *plan.Plan, or every problem it found as
// diagnostics that point at the file.
//
// It never reads data and never touches a database: the engine (package
// stages and its subpackages) executes the plan, and the CLI renders the
// diagnostics. The two halves meet only in package plan.
//
// The work happens in two phases. Decoding (file.go and one file per block
// kind) checks each block's shape and settings on its own. Compiling
// (compile.go) resolves what blocks say about each other: column references,
// types, evaluation order, the document, the _id and the stage graph.
package schemas
