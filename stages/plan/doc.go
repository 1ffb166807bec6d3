// Package plan is the compiled form of a pipeline: plain data that the
// language package (schemas) produces and the engine (stages and its
// subpackages) executes.
//
// It is the only package both halves import. It holds our own logical types,
// the columnar expression tree, the catalogue of builtin functions with their
// typing rules, and the plan itself: source, columns, dedup, document template,
// target, checks, report and the ordered stage graph with the schema at every
// edge; and Suggest, the one "did you mean" both halves use for a misspelt
// name. It never imports hcl, cty, arrow or the MongoDB driver; the engine maps
// each logical type to one Arrow type, the language maps HCL syntax onto these
// structs, and neither knows about the other.
//
// A Plan is immutable once compiled: executing it never changes it, so the same
// Plan can be printed by `runner plan`, golden-tested, and run.
package plan
