// Package diag is how runner reports problems in a pipeline file: a
// diagnostic has a severity, a short summary, a detail made of full sentences,
// and the source range it is about. The language (package schemas) produces
// them; the CLI renders them as text for people (WriteText) or as JSON for
// machines (JSON), from the same values, so both say the same thing.
//
// The package depends on the plan's Range type only, never on HCL, so that
// any part of runner can report a problem against a pipeline file.
package diag
