// Package csvsource owns reading CSV files into Arrow: a byte-level RFC 4180
// parser that streams one or more files as record batches of utf8 columns,
// plus the hidden origin and raw-text columns every row carries, and the
// rejects for lines that are not valid CSV.
//
// The parser copies each selected field exactly once, from the read buffer
// straight into the column's Arrow buffers; fields that are not selected are
// delimited but never copied. Lines without a quote take a fast path that
// splits on the delimiter with bytes.IndexByte; only lines with a quote run
// the full quoting state machine.
//
// Nothing is lost silently: every data record is either emitted as a row or
// returned as a stages.Reject with its line, reason and raw text, and a
// malformed line never swallows the lines after it. The rules a record must
// follow, and what happens when it does not, are documented on Reader.
package csvsource
