package diag

import (
	"bytes"
	"fmt"
	"sort"
	"strings"

	"runner/stages/plan"
)

// Severity says whether a diagnostic stops the pipeline from running.
type Severity uint8

const (
	// Error makes the pipeline file invalid: nothing runs.
	Error Severity = iota
	// Warning points at something suspicious that still runs.
	Warning
)

// String returns "Error" or "Warning", as the text rendering shows it.
func (s Severity) String() string {
	if s == Warning {
		return "Warning"
	}
	return "Error"
}

// Diagnostic is one problem found in a pipeline file.
type Diagnostic struct {
	Severity Severity
	// Summary is a short noun phrase: "Unknown column".
	Summary string
	// Detail is one or more full sentences saying what is wrong and what
	// would be right.
	Detail string
	// Subject is the tightest range the problem is about; nil when the
	// problem has no place in a file (a -var flag, a missing file).
	Subject *plan.Range
	// Context is an optional wider range around Subject.
	Context *plan.Range
}

// Diagnostics is a list of diagnostics, usually every problem a file has.
type Diagnostics []*Diagnostic

// Append adds diagnostics and returns the extended list. Each item may be a
// *Diagnostic, Diagnostics, or an error (which becomes an error diagnostic
// without a source); nil items are skipped.
func (ds Diagnostics) Append(items ...any) Diagnostics {
	for _, item := range items {
		switch v := item.(type) {
		case nil:
		case *Diagnostic:
			if v != nil {
				ds = append(ds, v)
			}
		case Diagnostics:
			ds = append(ds, v...)
		case error:
			ds = append(ds, &Diagnostic{Severity: Error, Summary: v.Error()})
		default:
			// Callers only pass the types above; anything else is a
			// programming mistake that must still reach the user rather than
			// vanish.
			ds = append(ds, &Diagnostic{Severity: Error, Summary: fmt.Sprint(v)})
		}
	}
	return ds
}

// HasErrors reports whether any diagnostic is an error.
func (ds Diagnostics) HasErrors() bool {
	for _, d := range ds {
		if d.Severity == Error {
			return true
		}
	}
	return false
}

// Counts returns the number of errors and of warnings.
func (ds Diagnostics) Counts() (errors, warnings int) {
	for _, d := range ds {
		if d.Severity == Error {
			errors++
		} else {
			warnings++
		}
	}
	return errors, warnings
}

// Sort orders the diagnostics as a reader walks the files: those without a
// source first, then by file name, line and column. Diagnostics at the same
// place keep their order.
func (ds Diagnostics) Sort() {
	sort.SliceStable(ds, func(i, j int) bool {
		a, b := ds[i].Subject, ds[j].Subject
		switch {
		case a == nil || b == nil:
			return a == nil && b != nil
		case a.Filename != b.Filename:
			return a.Filename < b.Filename
		case a.Start.Line != b.Start.Line:
			return a.Start.Line < b.Start.Line
		}
		return a.Start.Column < b.Start.Column
	})
}

// Err returns nil when there are no errors, and otherwise an error whose
// text is the plain rendering of every diagnostic (without source snippets).
func (ds Diagnostics) Err() error {
	if !ds.HasErrors() {
		return nil
	}
	return diagnosticsError(ds)
}

type diagnosticsError Diagnostics

func (e diagnosticsError) Error() string {
	var buf bytes.Buffer
	// Writing to a bytes.Buffer cannot fail.
	_ = WriteText(&buf, Diagnostics(e), nil, false)
	return strings.TrimRight(buf.String(), "\n")
}

// Redact replaces, in every summary and detail, the secrets r knows: a
// sensitive variable's value can be what a diagnostic is about (an invalid
// pattern, a path that matches nothing).
func (ds Diagnostics) Redact(r plan.Redactor) {
	for _, d := range ds {
		d.Summary, d.Detail = r.String(d.Summary), r.String(d.Detail)
	}
}
