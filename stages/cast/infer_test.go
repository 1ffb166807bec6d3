package cast

import (
	"encoding/csv"
	"os"
	"testing"
	"time"

	"runner/stages/plan"
	"runner/stages/stagetest"
)

func TestInfer(t *testing.T) {
	tests := []struct {
		name       string
		values     []string
		wantType   plan.Type
		wantLayout string
	}{
		{name: "int32", values: []string{"1", "2", "-3", " 42 "}, wantType: plan.TypeInt32},
		{name: "zero", values: []string{"0", "10"}, wantType: plan.TypeInt32},
		{name: "int64", values: []string{"1", "3000000000"}, wantType: plan.TypeInt64},
		{name: "float64", values: []string{"1", "2.5", "1e3"}, wantType: plan.TypeFloat64},
		{name: "float64 below one", values: []string{"0.5", "-0.25"}, wantType: plan.TypeFloat64},
		{name: "ones and zeros are numbers", values: []string{"1", "0"}, wantType: plan.TypeInt32},
		{name: "bool", values: []string{"true", "no", "Y", "1"}, wantType: plan.TypeBool},
		{name: "iso date", values: []string{"2024-01-31", "", "2023-12-01"}, wantType: plan.TypeDate, wantLayout: "2006-01-02"},
		{name: "us date", values: []string{"01/02/2024", "12/31/2024"}, wantType: plan.TypeDate, wantLayout: "01/02/2006"},
		{name: "day-first date", values: []string{"01/02/2024", "13/12/2024"}, wantType: plan.TypeDate, wantLayout: "02/01/2006"},
		{name: "slashed iso date", values: []string{"2024/01/31"}, wantType: plan.TypeDate, wantLayout: "2006/01/02"},
		{name: "rfc3339", values: []string{"2024-01-31T10:00:00Z", "2024-01-31T10:00:00.5+01:00"}, wantType: plan.TypeTimestamp, wantLayout: time.RFC3339},
		{name: "sql timestamp", values: []string{"2024-01-31 10:00:00"}, wantType: plan.TypeTimestamp, wantLayout: "2006-01-02 15:04:05"},
		{name: "mixed", values: []string{"abc", "1"}, wantType: plan.TypeString},
		{name: "dates and timestamps", values: []string{"2024-01-31", "2024-01-31 10:00:00"}, wantType: plan.TypeString},
		{name: "codes with leading zeros", values: []string{"02134", "10001"}, wantType: plan.TypeString},
		{name: "not finite", values: []string{"1.5", "NaN"}, wantType: plan.TypeString},
		{name: "no values", values: nil, wantType: plan.TypeString},
		{name: "only empty values", values: []string{"", ""}, wantType: plan.TypeString},
		{name: "spaces are a value", values: []string{"1", " "}, wantType: plan.TypeString},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			gotType, gotLayout := Infer(tc.values)
			if gotType != tc.wantType || gotLayout != tc.wantLayout {
				t.Errorf("Infer(%q) = %s %q, want %s %q", tc.values, gotType, gotLayout, tc.wantType, tc.wantLayout)
			}
		})
	}
}

// TestInferRealDataset infers the types of the hospital admissions columns.
func TestInferRealDataset(t *testing.T) {
	f, err := os.Open(stagetest.RealDataset(t))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	records, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	header, rows := records[0], records[1:]
	want := map[string]struct {
		typ    plan.Type
		layout string
	}{
		"Name":              {typ: plan.TypeString},
		"Age":               {typ: plan.TypeInt32},
		"Gender":            {typ: plan.TypeString},
		"Date of Admission": {typ: plan.TypeDate, layout: "2006-01-02"},
		"Hospital":          {typ: plan.TypeString},
		"Billing Amount":    {typ: plan.TypeFloat64},
		"Room Number":       {typ: plan.TypeInt32},
		"Discharge Date":    {typ: plan.TypeDate, layout: "2006-01-02"},
	}
	for i, name := range header {
		w, ok := want[name]
		if !ok {
			continue
		}
		values := make([]string, len(rows))
		for r, row := range rows {
			values[r] = row[i]
		}
		if typ, layout := Infer(values); typ != w.typ || layout != w.layout {
			t.Errorf("Infer(%s) = %s %q, want %s %q", name, typ, layout, w.typ, w.layout)
		}
	}
}
