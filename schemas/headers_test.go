package schemas

import (
	"strings"
	"testing"
)

func TestCheckHeaders(t *testing.T) {
	p := loadHealthcare(t, readHealthcare(t))
	tests := []struct {
		name    string
		headers []string
		want    []string
	}{
		{name: "the dataset's header", headers: healthcareHeader},
		{name: "a renamed field", headers: append([]string{"Patient Name"}, healthcareHeader[1:]...),
			want: []string{`The CSV header has no field "Name". The header has: Patient Name, Age,`}},
		{name: "a misspelt field", headers: append([]string{"Nmae"}, healthcareHeader[1:]...),
			want: []string{`The CSV header has no field "Name". Did you mean "Nmae"? The header has: Nmae, Age,`}},
		{name: "a padded field", headers: append([]string{" Name"}, healthcareHeader[1:]...),
			want: []string{`Did you mean " Name"? The header has: " Name", Age,`}},
		{name: "an empty header", headers: nil, want: make([]string, 15)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ds := CheckHeaders(p, tc.headers)
			if len(ds) != len(tc.want) {
				t.Fatalf("got %d diagnostics, want %d: %v", len(ds), len(tc.want), summaries(ds))
			}
			for i, d := range ds {
				if d.Summary != "Unknown CSV field" || !strings.Contains(d.Detail, tc.want[i]) {
					t.Errorf("got %q: %s; want a detail containing %q", d.Summary, d.Detail, tc.want[i])
				}
				if d.Subject == nil || d.Subject.Filename != "pipelines/healthcare.hcl" {
					t.Errorf("subject = %v, want the column's from in pipelines/healthcare.hcl", d.Subject)
				}
			}
		})
	}
}
