// Package cast owns turning text into typed values: each column's utf8
// array from the CSV source becomes an int32, int64, float64, decimal128,
// bool, date32 or timestamp array, with every cell that does not parse
// reported as a Failure that says what would have been right. It also
// infers a column's type from sample values for `runner init`.
//
// A Caster prepares everything once (the layout analysis of a date format,
// the time zone, the fast path to take), so casting a cell costs no heap
// allocation: values are read in place from the input array and written
// straight into the output's Arrow buffers. Dates and timestamps whose
// layout is made of fixed-width numbers ("2006-01-02", RFC 3339, ...) are
// parsed without time.Parse; time.Parse remains the reference, used for
// every other layout, and a fast-path miss always falls back to it, so the
// fast path can only make casting faster, never different.
package cast
