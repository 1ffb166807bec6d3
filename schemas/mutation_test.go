package schemas

import (
	"strings"
	"testing"
	"unicode/utf8"

	"runner/schemas/diag"
)

// TestHealthcareMutations breaks the main example the way people do and
// checks that each mistake is reported once, at the right place, with a
// detail that says what would be right.
func TestHealthcareMutations(t *testing.T) {
	tests := []struct {
		name string
		// old is replaced by new, once.
		old, new string
		// at is the text the diagnostic's subject starts at (searched from
		// the change on), skip bytes into it.
		at   string
		skip int
		// headers checks the from fields against the dataset's header
		// instead of only compiling.
		headers bool
		summary string
		detail  string
		// errors is how many errors the mistake causes (1 when zero).
		errors int
	}{
		{name: "column reference typo", old: "name       = col.name", new: "name       = col.nmae", at: "col.nmae",
			summary: "Unknown column", detail: `Did you mean "name"?`},
		{name: "header name in from", old: `from     = "Name"`, new: `from     = "Nmae"`, at: `"Nmae"`, headers: true,
			summary: "Unknown CSV field", detail: `Did you mean "Name"? The header has: Name, Age, Gender, Blood Type`},
		{name: "header with wrong case", old: `from  = "Blood Type"`, new: `from  = "blood type"`, at: `"blood type"`, headers: true,
			summary: "Unknown CSV field", detail: `Did you mean "Blood Type"?`},
		{name: "clean function typo", old: "collapse_spaces, person_name]\n  required", new: "collapse_spaces, person_nme]\n  required", at: "person_nme",
			summary: "Unknown function", detail: `Did you mean "person_name"?`},
		{name: "expr function typo", old: "expr = days_between(", new: "expr = days_betwen(", at: "days_betwen",
			summary: "Unknown function", detail: `Did you mean "days_between"?`},
		{name: "type typo", old: "from = \"Age\"\n  type = int32", new: "from = \"Age\"\n  type = int23", at: "int23",
			summary: "Unknown type", detail: `Did you mean "int32"?`},
		{name: "type from another tool", old: "from = \"Billing Amount\"\n  type = float64", new: "from = \"Billing Amount\"\n  type = double", at: "double",
			summary: "Unknown type", detail: `Did you mean "float64"?`},
		{name: "mode typo", old: `mode       = "replace"`, new: `mode       = "replcae"`, at: `"replcae"`,
			summary: "Invalid mode", detail: `Did you mean "replace"? Use "replace", "append" or "upsert".`},
		{name: "keep typo", old: `keep = "first"`, new: `keep = "frist"`, at: `"frist"`,
			summary: "Invalid keep", detail: `Did you mean "first"?`},
		{name: "severity typo", old: `severity = "warn"`, new: `severity = "wran"`, at: `"wran"`,
			summary: "Invalid severity", detail: `Did you mean "warn"?`},
		{name: "strftime date format", old: `format   = "2006-01-02"`, new: `format   = "YYYY-MM-DD"`, at: `"YYYY-MM-DD"`,
			summary: "Invalid format", detail: `Did you mean "2006-01-02"?`},
		{name: "unbalanced brace", old: "column \"age\" {\n  from = \"Age\"\n  type = int32\n}", new: "column \"age\" {\n  from = \"Age\"\n  type = int32\n",
			at: `column "age" {`, skip: len(`column "age" `), summary: "Unclosed configuration block", detail: "no closing brace"},
		{name: "cycle between derived columns", old: "expr = days_between(col.admitted_on, col.discharged_on)\n}",
			new: "expr = days_between(col.admitted_on, col.discharged_on) + col.nights\n}\n\ncolumn \"nights\" {\n  type = int32\n  expr = col.stay_days - 1\n}",
			at:  "col.nights", summary: "Cycle between columns", detail: "stay_days → nights → stay_days", errors: 2},
		{name: "index on a misspelt field", old: `"patient.name" = 1`, new: `"patient.nmae" = 1`, at: `"patient.nmae"`,
			summary: "Unknown document field", detail: `Did you mean "patient.name"?`},
		{name: "accepted value of the wrong type", old: `accepted_values = ["Male", "Female"]`, new: `accepted_values = ["Male", 2]`, at: "2]",
			summary: "Invalid accepted value", detail: "must be a string"},
		{name: "attribute typo", old: `from  = "Hospital"`, new: `form  = "Hospital"`, at: "form",
			summary: "Unsupported argument", detail: `Did you mean "from"?`},
	}
	original := readHealthcare(t)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			pos := strings.Index(original, tc.old)
			if pos < 0 {
				t.Fatalf("pipelines/healthcare.hcl no longer contains %q; update the test", tc.old)
			}
			src := original[:pos] + tc.new + original[pos+len(tc.old):]
			at := strings.Index(src[pos:], tc.at)
			if at < 0 {
				t.Fatalf("the mutated text has no %q after the change", tc.at)
			}
			wantLine, wantCol := position(src, pos+at+tc.skip)

			p, ds, l := loadString(t, "pipelines/healthcare.hcl", src, testOptions(nil, nil))
			if tc.headers {
				if p == nil {
					t.Fatalf("the pipeline should still compile:\n%s", renderText(t, ds, l.Sources()))
				}
				ds = CheckHeaders(p, healthcareHeader)
			} else if p != nil {
				t.Fatal("the broken pipeline compiled")
			}

			wantErrors := max(tc.errors, 1)
			if errs, _ := ds.Counts(); errs != wantErrors {
				t.Errorf("got %d errors, want %d:\n%s", errs, wantErrors, renderText(t, ds, l.Sources()))
			}
			d := findDiagnostic(ds, tc.summary, wantLine)
			if d == nil {
				t.Fatalf("no %q error on line %d:\n%s", tc.summary, wantLine, renderText(t, ds, l.Sources()))
			}
			if d.Subject.Filename != "pipelines/healthcare.hcl" || d.Subject.Start.Column != wantCol {
				t.Errorf("subject at %s, want pipelines/healthcare.hcl:%d:%d", d.Subject, wantLine, wantCol)
			}
			if !strings.Contains(d.Detail, tc.detail) {
				t.Errorf("detail %q does not say %q", d.Detail, tc.detail)
			}
		})
	}
}

// position returns the 1-based line and column (in characters) of a byte
// offset.
func position(src string, offset int) (line, col int) {
	lineStart := strings.LastIndexByte(src[:offset], '\n') + 1
	return strings.Count(src[:offset], "\n") + 1, utf8.RuneCountInString(src[lineStart:offset]) + 1
}

func findDiagnostic(ds diag.Diagnostics, summary string, line int) *diag.Diagnostic {
	for _, d := range ds {
		if d.Severity == diag.Error && d.Summary == summary && d.Subject != nil && d.Subject.Start.Line == line {
			return d
		}
	}
	return nil
}
