package diag

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"runner/stages/plan"
)

func TestJSON(t *testing.T) {
	src := source()
	sources := map[string][]byte{"pipelines/healthcare.hcl": src}
	subject := rangeOf(src, "col.nmae", 131)
	ds := Diagnostics{
		{Severity: Error, Summary: "Unknown column", Detail: "No such column.", Subject: subject},
		{Severity: Warning, Summary: "Undeclared variable", Detail: "Ignored."},
	}
	want := Report{ErrorCount: 1, WarningCount: 1, Diagnostics: []JSONDiagnostic{
		{Severity: "error", Summary: "Unknown column", Detail: "No such column.", Range: subject,
			Snippet: &JSONSnippet{Code: "    name       = col.nmae", StartLine: 131, HighlightStartOffset: 17, HighlightEndOffset: 25}},
		{Severity: "warning", Summary: "Undeclared variable", Detail: "Ignored."},
	}}
	if diff := cmp.Diff(want, JSON(ds, sources)); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func TestJSONEncoding(t *testing.T) {
	b, err := json.Marshal(JSON(nil, nil))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := string(b), `{"valid":true,"error_count":0,"warning_count":0,"diagnostics":[]}`; got != want {
		t.Errorf("got %s, want %s", got, want)
	}
	src := source()
	b, err = json.Marshal(JSON(Diagnostics{{Severity: Error, Summary: "S", Subject: rangeOf(src, "col.nmae", 131)}}, map[string][]byte{"pipelines/healthcare.hcl": src}))
	if err != nil {
		t.Fatal(err)
	}
	var decoded map[string]any
	if err := json.Unmarshal(b, &decoded); err != nil {
		t.Fatal(err)
	}
	d := decoded["diagnostics"].([]any)[0].(map[string]any)
	if d["range"].(map[string]any)["start"].(map[string]any)["line"] != float64(131) || d["snippet"].(map[string]any)["code"] != "    name       = col.nmae" {
		t.Errorf("unexpected encoding: %s", b)
	}
}

func TestSnippetRedactsPasswords(t *testing.T) {
	src := []byte("target \"mongodb\" {\n  uri = \"mongodb://writer:hunter2-secret@db:27017\"\n}\n")
	start := bytes.Index(src, []byte(`"mongodb://`))
	end := bytes.Index(src, []byte("27017\"")) + len("27017\"")
	subject := &plan.Range{Filename: "p.hcl", Start: plan.Pos{Line: 2, Column: 9, Byte: start}, End: plan.Pos{Line: 2, Column: 9 + end - start, Byte: end}}
	ds := Diagnostics{{Severity: Warning, Summary: "Password in the pipeline file", Detail: "Use env.", Subject: subject}}
	sources := map[string][]byte{"p.hcl": src}
	want := &JSONSnippet{Code: `  uri = "mongodb://writer:***@db:27017"`, StartLine: 2, HighlightStartOffset: 8, HighlightEndOffset: 39}
	if diff := cmp.Diff(want, JSON(ds, sources).Diagnostics[0].Snippet); diff != "" {
		t.Errorf("JSON snippet (-want +got):\n%s", diff)
	}
	var text bytes.Buffer
	if err := WriteText(&text, ds, sources, false); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(text.String(), "hunter2-secret") || !strings.Contains(text.String(), "writer:***@db") {
		t.Errorf("the text snippet shows the password or no redacted URI:\n%s", text.String())
	}
}
