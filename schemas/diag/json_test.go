package diag

import (
	"encoding/json"
	"testing"

	"github.com/google/go-cmp/cmp"
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
