package schemas

import (
	"errors"
	"fmt"
	"io/fs"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"

	"runner/schemas/diag"
	"runner/stages/plan"
)

// toRange converts an HCL range into the plan's.
func toRange(r hcl.Range) plan.Range {
	return plan.Range{
		Filename: r.Filename,
		Start:    plan.Pos{Line: r.Start.Line, Column: r.Start.Column, Byte: r.Start.Byte},
		End:      plan.Pos{Line: r.End.Line, Column: r.End.Column, Byte: r.End.Byte},
	}
}

func rangePtr(r hcl.Range) *plan.Range {
	p := toRange(r)
	return &p
}

// errorAt builds an error diagnostic whose subject is rng.
func errorAt(rng hcl.Range, summary, detail string, args ...any) *diag.Diagnostic {
	return &diag.Diagnostic{Severity: diag.Error, Summary: summary, Detail: fmt.Sprintf(detail, args...), Subject: rangePtr(rng)}
}

// warningAt builds a warning diagnostic whose subject is rng.
func warningAt(rng hcl.Range, summary, detail string, args ...any) *diag.Diagnostic {
	return &diag.Diagnostic{Severity: diag.Warning, Summary: summary, Detail: fmt.Sprintf(detail, args...), Subject: rangePtr(rng)}
}

// sourceless builds an error diagnostic that has no place in a file.
func sourceless(summary, detail string, args ...any) *diag.Diagnostic {
	return &diag.Diagnostic{Severity: diag.Error, Summary: summary, Detail: fmt.Sprintf(detail, args...)}
}

// fromHCL converts diagnostics that the HCL parser or evaluator produced.
// Errors raised inside env() and file() become our own diagnostics, because
// HCL would only say "Error in function call".
func fromHCL(hds hcl.Diagnostics) diag.Diagnostics {
	var ds diag.Diagnostics
	for _, hd := range hds {
		d := &diag.Diagnostic{Severity: diag.Error, Summary: hd.Summary, Detail: hd.Detail}
		if hd.Severity == hcl.DiagWarning {
			d.Severity = diag.Warning
		}
		if hd.Subject != nil {
			d.Subject = rangePtr(*hd.Subject)
		}
		if hd.Context != nil {
			d.Context = rangePtr(*hd.Context)
		}
		if extra, ok := hd.Extra.(hclsyntax.FunctionCallDiagExtra); ok {
			var fe *funcError
			if errors.As(extra.FunctionCallError(), &fe) {
				d.Summary, d.Detail = fe.summary, fe.detail
			}
		}
		ds = append(ds, d)
	}
	return ds
}

// didYouMean returns ` Did you mean "x"?` for the closest candidate, or "".
func didYouMean(given string, candidates []string) string {
	if s := plan.Suggest(given, candidates); s != "" {
		return fmt.Sprintf(" Did you mean %q?", s)
	}
	return ""
}

// quotedList renders items as `"a", "b" or "c"`, joined by conj.
func quotedList(items []string, conj string) string {
	q := make([]string, len(items))
	for i, s := range items {
		q[i] = fmt.Sprintf("%q", s)
	}
	return joinList(q, conj)
}

// joinList renders items as `a, b and c` (conj is "and" or "or").
func joinList(items []string, conj string) string {
	switch len(items) {
	case 0:
		return ""
	case 1:
		return items[0]
	}
	return strings.Join(items[:len(items)-1], ", ") + " " + conj + " " + items[len(items)-1]
}

// plural renders "1 column" or "3 columns" ("2 indexes").
func plural(n int, word string) string {
	if n == 1 {
		return fmt.Sprintf("1 %s", word)
	}
	for _, end := range []string{"s", "x", "sh", "ch"} {
		if strings.HasSuffix(word, end) {
			return fmt.Sprintf("%d %ses", n, word)
		}
	}
	return fmt.Sprintf("%d %ss", n, word)
}

// readProblem describes why a file could not be read, without repeating its
// path, which the message already names.
func readProblem(err error) string {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}

// article returns "an" before a vowel and "a" otherwise.
func article(word string) string {
	if word != "" && strings.ContainsRune("aeiouAEIOU", rune(word[0])) {
		return "an"
	}
	return "a"
}

// errorIn builds an error diagnostic whose subject is a compiled node's range.
func errorIn(rng plan.Range, summary, detail string, args ...any) *diag.Diagnostic {
	return &diag.Diagnostic{Severity: diag.Error, Summary: summary, Detail: fmt.Sprintf(detail, args...), Subject: &rng}
}
