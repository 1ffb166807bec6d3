// Package columns is the stage that turns the source's text fields into the
// pipeline's typed columns. For every column it runs, over whole arrays, the
// steps the pipeline declares in this order: the clean list on the text, the
// cast to the column's type (a cell that does not parse rejects its row, or
// becomes null or the default, as on_error says), the expression, the
// default, and the required check. Rows that fail leave the batch as
// stages.Reject records with their line, column, value, reason and raw text;
// every other row comes out typed, with its origin.
//
// A Stage holds only what New prepared (compiled programs, casters), so one
// Stage may serve several goroutines at once.
package columns
