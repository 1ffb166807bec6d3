package diag

import (
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"

	"runner/stages/plan"
)

func at(file string, line, col int) *plan.Range {
	return &plan.Range{Filename: file, Start: plan.Pos{Line: line, Column: col}, End: plan.Pos{Line: line, Column: col + 1}}
}

func TestAppend(t *testing.T) {
	warn := &Diagnostic{Severity: Warning, Summary: "w"}
	var ds Diagnostics
	ds = ds.Append(nil, (*Diagnostic)(nil), warn, Diagnostics{{Summary: "a"}, {Summary: "b"}}, errors.New("boom"))
	got := []string{}
	for _, d := range ds {
		got = append(got, d.Severity.String()+" "+d.Summary)
	}
	want := []string{"Warning w", "Error a", "Error b", "Error boom"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if errs, warns := ds.Counts(); errs != 3 || warns != 1 {
		t.Errorf("counts = %d errors, %d warnings", errs, warns)
	}
}

func TestHasErrorsAndErr(t *testing.T) {
	warnings := Diagnostics{{Severity: Warning, Summary: "Suspicious", Detail: "Look."}}
	if warnings.HasErrors() || warnings.Err() != nil {
		t.Error("warnings alone count as errors")
	}
	ds := append(warnings, &Diagnostic{Severity: Error, Summary: "Unknown column", Detail: "No such column.", Subject: at("p.hcl", 3, 5)})
	if !ds.HasErrors() {
		t.Fatal("HasErrors is false")
	}
	want := "Warning: Suspicious\n\n  Look.\n\nError: Unknown column\n\n  --> p.hcl:3:5\n\n  No such column."
	if got := ds.Err().Error(); got != want {
		t.Errorf("Err() = %q, want %q", got, want)
	}
}

func TestSort(t *testing.T) {
	ds := Diagnostics{
		{Summary: "b:2:1", Subject: at("b.hcl", 2, 1)},
		{Summary: "a:9:1", Subject: at("a.hcl", 9, 1)},
		{Summary: "sourceless"},
		{Summary: "a:2:7", Subject: at("a.hcl", 2, 7)},
		{Summary: "a:2:3", Subject: at("a.hcl", 2, 3)},
		{Summary: "a:2:3 second", Subject: at("a.hcl", 2, 3)},
	}
	ds.Sort()
	var got []string
	for _, d := range ds {
		got = append(got, d.Summary)
	}
	want := []string{"sourceless", "a:2:3", "a:2:3 second", "a:2:7", "a:9:1", "b:2:1"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func TestSeverityString(t *testing.T) {
	if Error.String() != "Error" || Warning.String() != "Warning" {
		t.Errorf("got %q and %q", Error, Warning)
	}
}
