package schemas

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"runner/stages/plan"
)

func TestScaffoldCompiles(t *testing.T) {
	var fields []ScaffoldField
	for _, h := range healthcareHeader {
		f := ScaffoldField{Header: h, Type: plan.TypeString}
		switch h {
		case "Age", "Room Number":
			f.Type = plan.TypeInt32
		case "Billing Amount":
			f.Type = plan.TypeFloat64
		case "Date of Admission", "Discharge Date":
			f.Type, f.Format = plan.TypeDate, "2006-01-02"
		}
		fields = append(fields, f)
	}
	src := Scaffold(ScaffoldSpec{Name: "Healthcare Dataset", CSVPath: "data/healthcare_dataset.csv", Fields: fields})
	p := mustLoad(t, string(src), testOptions(nil, nil))

	if p.Name != "healthcare_dataset" || p.Target.Database != "healthcare_dataset" || p.Target.Collection != "healthcare_dataset" {
		t.Errorf("name %q, target %s.%s", p.Name, p.Target.Database, p.Target.Collection)
	}
	if ds := CheckHeaders(p, healthcareHeader); len(ds) > 0 {
		t.Errorf("the scaffold does not read the header it was made from: %v", summaries(ds))
	}
	if !p.Dedup.AllColumns || len(p.Checks) != 1 || p.Checks[0].Kind != plan.CheckInDatabase {
		t.Errorf("dedup %+v, checks %+v", p.Dedup, p.Checks)
	}
	if admitted, _ := p.Column("date_of_admission"); admitted.Type != plan.TypeDate || admitted.Format != "2006-01-02" {
		t.Errorf("date_of_admission = %+v", admitted)
	}
	if formatted, _ := Format("init.hcl", src); string(formatted) != string(src) {
		t.Error("the scaffold is not in canonical format")
	}
	if !strings.Contains(string(src), `uri        = env("MONGO_URI", "")`) {
		t.Errorf("the target does not read MONGO_URI:\n%s", src)
	}
}

func TestScaffoldSkipsUnnamedFields(t *testing.T) {
	src := string(Scaffold(ScaffoldSpec{Name: "t", CSVPath: "t.csv", Fields: []ScaffoldField{{Header: ""}, {Header: "Name"}}}))
	p := mustLoad(t, src, testOptions(nil, nil))
	if len(p.Columns) != 1 || p.Columns[0].From != "Name" {
		t.Errorf("columns = %+v, want only Name", p.Columns)
	}
	if !strings.Contains(src, "# Field 1 has no name in the header") {
		t.Errorf("the scaffold does not say why field 1 is left out:\n%s", src)
	}
}

func TestScaffoldColumnNames(t *testing.T) {
	tests := []struct {
		name    string
		headers []string
		want    []string
	}{
		{name: "snake case", headers: []string{"Blood Type", "billingAmount", "Date of Admission"}, want: []string{"blood_type", "billing_amount", "date_of_admission"}},
		{name: "made unique", headers: []string{"Name", "name", "NAME"}, want: []string{"name", "name_2", "name_3"}},
		{name: "leading digit", headers: []string{"2nd Visit"}, want: []string{"field_2nd_visit"}},
		{name: "nothing usable", headers: []string{"???", "-"}, want: []string{"field_1", "field_2"}},
		{name: "reserved document setting", headers: []string{"omit_nulls"}, want: []string{"omit_nulls_2"}},
		{name: "reserved prefix", headers: []string{"_id"}, want: []string{"id"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var fields []ScaffoldField
			for _, h := range tc.headers {
				fields = append(fields, ScaffoldField{Header: h})
			}
			if diff := cmp.Diff(tc.want, columnNames(fields)); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
			mustLoad(t, string(Scaffold(ScaffoldSpec{Name: "t", CSVPath: "t.csv", Fields: fields})), testOptions(nil, nil))
		})
	}
}
