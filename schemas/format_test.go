package schemas

import (
	"os"
	"testing"

	"github.com/google/go-cmp/cmp"

	"runner/stages/stagetest/golden"
)

func TestFormat(t *testing.T) {
	src, err := os.ReadFile("testdata/format/messy.hcl")
	if err != nil {
		t.Fatal(err)
	}
	got, ds := Format("messy.hcl", src)
	if len(ds) > 0 {
		t.Fatalf("unexpected diagnostics: %v", summaries(ds))
	}
	golden.Check(t, "testdata/format/messy.golden", got)

	again, ds := Format("messy.hcl", got)
	if len(ds) > 0 {
		t.Fatalf("unexpected diagnostics on the formatted text: %v", summaries(ds))
	}
	if diff := cmp.Diff(string(got), string(again)); diff != "" {
		t.Errorf("formatting is not idempotent (-once +twice):\n%s", diff)
	}
	if p := mustLoad(t, string(got), testOptions(nil, nil)); p.Name != "messy" {
		t.Errorf("the formatted pipeline compiles to %q", p.Name)
	}
}

func TestFormatKeepsFormattedFiles(t *testing.T) {
	for _, path := range []string{"../pipelines/healthcare.hcl", "testdata/valid/everything.hcl"} {
		src, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		got, ds := Format(path, src)
		if len(ds) > 0 {
			t.Fatalf("%s: unexpected diagnostics: %v", path, summaries(ds))
		}
		if diff := cmp.Diff(string(src), string(got)); diff != "" {
			t.Errorf("%s is not formatted; run runner fmt (-file +formatted):\n%s", path, diff)
		}
	}
}

func TestFormatRejectsBrokenSyntax(t *testing.T) {
	got, ds := Format("broken.hcl", []byte("column \"name\" {\n  from = \"Name\"\n"))
	if got != nil {
		t.Errorf("formatted a file that does not parse: %q", got)
	}
	if diff := cmp.Diff([]string{"Unclosed configuration block"}, summaries(ds)); diff != "" {
		t.Error(diff)
	}
	if ds[0].Subject == nil || ds[0].Subject.Filename != "broken.hcl" || ds[0].Subject.Start.Line != 1 {
		t.Errorf("subject = %v, want broken.hcl line 1", ds[0].Subject)
	}
}
