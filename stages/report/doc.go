// Package report renders what a run did. Run is plain data, filled by the
// runner from every stage's counts; this package only writes it out:
// run.json for machines, cleaning.md for people, quality.csv per column, and
// rejects.csv, streamed while the run goes so that no rejected row is held
// in memory. Report files may hold personal data, so every one is created
// with mode 0600. Every file is written under a temporary name and renamed
// once complete, so a report's name never holds a partial file. Text from
// the data reaches cleaning.md and run.json with its control characters
// escaped, so no value acts on the terminal that shows a report.
package report
