package diag

import (
	"bytes"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"runner/stages/plan"
)

// source is a pipeline file with the typo of the documentation's example on
// line 131.
func source() []byte {
	var b strings.Builder
	for i := 1; i < 131; i++ {
		b.WriteString("# filler\n")
	}
	b.WriteString("    name       = col.nmae\n")
	b.WriteString("\tage =\tcol.aeg\n")
	b.WriteString("  patient = {\n    name = col.name\n  }\n")
	return []byte(b.String())
}

func rangeOf(src []byte, text string, line int) *plan.Range {
	start := bytes.Index(src, []byte(text))
	lineStart := bytes.LastIndexByte(src[:start], '\n') + 1
	col := len([]rune(string(src[lineStart:start]))) + 1
	end := start + len(text)
	endLine := line + bytes.Count([]byte(text), []byte("\n"))
	endCol := len(text) - bytes.LastIndexByte([]byte(text), '\n')
	if endLine == line {
		endCol = col + len([]rune(text))
	}
	return &plan.Range{Filename: "pipelines/healthcare.hcl",
		Start: plan.Pos{Line: line, Column: col, Byte: start}, End: plan.Pos{Line: endLine, Column: endCol, Byte: end}}
}

func render(t *testing.T, ds Diagnostics, sources map[string][]byte, color bool) string {
	t.Helper()
	var buf bytes.Buffer
	if err := WriteText(&buf, ds, sources, color); err != nil {
		t.Fatal(err)
	}
	return buf.String()
}

func TestWriteText(t *testing.T) {
	src := source()
	sources := map[string][]byte{"pipelines/healthcare.hcl": src}
	tests := []struct {
		name string
		d    *Diagnostic
		want string
	}{
		{
			name: "the documented example",
			d: &Diagnostic{Severity: Error, Summary: "Unknown column",
				Detail:  `The pipeline has no column named "nmae". Did you mean "name"?`,
				Subject: rangeOf(src, "col.nmae", 131)},
			want: `Error: Unknown column

  --> pipelines/healthcare.hcl:131:18
     |
 131 |     name       = col.nmae
     |                  ^^^^^^^^
     |
  The pipeline has no column named "nmae". Did you mean "name"?

`,
		},
		{
			name: "tabs line up",
			d:    &Diagnostic{Severity: Warning, Summary: "Odd", Detail: "Tabs.", Subject: rangeOf(src, "col.aeg", 132)},
			want: "Warning: Odd\n\n  --> pipelines/healthcare.hcl:132:8\n     |\n 132 | \tage =\tcol.aeg\n     | \t     \t^^^^^^^\n     |\n  Tabs.\n\n",
		},
		{
			name: "a multi-line range shows its first line",
			d:    &Diagnostic{Severity: Error, Summary: "Empty object", Detail: "Remove it.", Subject: rangeOf(src, "{\n    name = col.name\n  }", 133)},
			want: "Error: Empty object\n\n  --> pipelines/healthcare.hcl:133:13\n     |\n 133 |   patient = {\n     |             ^\n     |\n  Remove it.\n\n",
		},
		{
			name: "no source",
			d:    &Diagnostic{Severity: Error, Summary: "Undeclared variable", Detail: "-var sets \"x\"."},
			want: "Error: Undeclared variable\n\n  -var sets \"x\".\n\n",
		},
		{
			name: "a file that was not loaded",
			d:    &Diagnostic{Severity: Error, Summary: "Unknown CSV field", Detail: "No such field.", Subject: at("other.hcl", 4, 2)},
			want: "Error: Unknown CSV field\n\n  --> other.hcl:4:2\n\n  No such field.\n\n",
		},
		{
			name: "a range past the end of the file",
			d: &Diagnostic{Severity: Error, Summary: "Odd", Detail: "Clamped.",
				Subject: &plan.Range{Filename: "pipelines/healthcare.hcl", Start: plan.Pos{Line: 999, Column: 1, Byte: 99999}, End: plan.Pos{Line: 999, Column: 2, Byte: 100000}}},
			want: "Error: Odd\n\n  --> pipelines/healthcare.hcl:999:1\n     |\n 999 | \n     | ^\n     |\n  Clamped.\n\n",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if diff := cmp.Diff(tc.want, render(t, Diagnostics{tc.d}, sources, false)); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestWriteTextWrapsDetails(t *testing.T) {
	long := strings.Repeat("word ", 40) + "end."
	got := render(t, Diagnostics{{Severity: Error, Summary: "Long", Detail: long + "\n\n    example = kept as written, however long it happens to be, never wrapped"}}, nil, false)
	for _, line := range strings.Split(got, "\n") {
		if len(line) > detailWidth+2 && !strings.Contains(line, "example") {
			t.Errorf("line of %d characters: %q", len(line), line)
		}
	}
	if !strings.Contains(got, "\n      example = kept as written, however long it happens to be, never wrapped\n") {
		t.Errorf("an indented line was changed:\n%s", got)
	}
}

func TestWriteTextColor(t *testing.T) {
	src := source()
	ds := Diagnostics{{Severity: Error, Summary: "Unknown column", Detail: "x", Subject: rangeOf(src, "col.nmae", 131)}}
	sources := map[string][]byte{"pipelines/healthcare.hcl": src}
	if plain := render(t, ds, sources, false); strings.Contains(plain, "\x1b[") {
		t.Error("color codes without color")
	}
	colored := render(t, ds, sources, true)
	for _, want := range []string{ansiRed + "Error" + ansiReset, ansiBold + "Unknown column" + ansiReset, ansiRed + "^^^^^^^^" + ansiReset} {
		if !strings.Contains(colored, want) {
			t.Errorf("colored output lacks %q:\n%q", want, colored)
		}
	}
}

// A line of binary or minified text shows escaped and cut around the
// highlight, so a snippet never garbles the terminal or fills it.
func TestWriteTextSnippetEscapesAndCuts(t *testing.T) {
	tests := []struct {
		name     string
		line     string
		high     string
		wantCode string
		wantHigh string
	}{
		{name: "control characters and bytes that are not UTF-8", line: "\x1f\x8b\x08 = \xff\x00 # \u200b", high: "\x8b",
			wantCode: `\x1f\x8b\x08 = \xff\x00 # \u200b`, wantHigh: `    ^^^^`},
		{name: "long text before the highlight", line: strings.Repeat("a", 100) + " = col.x", high: "col.x",
			wantCode: "..." + strings.Repeat("a", 34) + " = col.x", wantHigh: strings.Repeat(" ", 40) + "^^^^^"},
		{name: "long highlight and text after it", line: "x = " + strings.Repeat("b", 100) + strings.Repeat("c", 100), high: strings.Repeat("b", 100),
			wantCode: "x = " + strings.Repeat("b", 57) + "..." + strings.Repeat("c", 53) + "...", wantHigh: "    " + strings.Repeat("^", 60)},
		{name: "a cut keeps escapes whole", line: "= " + strings.Repeat("\x00", 30), high: "=",
			wantCode: "= " + strings.Repeat(`\x00`, 28) + "...", wantHigh: "^"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			src := []byte(tc.line + "\n")
			start := strings.Index(tc.line, tc.high)
			r := &plan.Range{Filename: "bin.hcl", Start: plan.Pos{Line: 1, Column: 1, Byte: start}, End: plan.Pos{Line: 1, Column: 2, Byte: start + len(tc.high)}}
			got := render(t, Diagnostics{{Severity: Error, Summary: "Odd", Detail: "x", Subject: r}}, map[string][]byte{"bin.hcl": src}, false)
			want := "Error: Odd\n\n  --> bin.hcl:1:1\n   |\n 1 | " + tc.wantCode + "\n   | " + tc.wantHigh + "\n   |\n  x\n\n"
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}
