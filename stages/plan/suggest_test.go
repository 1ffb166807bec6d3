package plan

import "testing"

func TestSuggest(t *testing.T) {
	columns := []string{"name", "age", "gender", "blood_type", "admitted_on"}
	tests := []struct {
		name       string
		given      string
		candidates []string
		want       string
	}{
		{name: "swapped letters", given: "nmae", candidates: columns, want: "name"},
		{name: "missing letter", given: "admited_on", candidates: columns, want: "admitted_on"},
		{name: "case is ignored", given: "Blood_Type", candidates: columns, want: "blood_type"},
		{name: "original spelling is kept", given: "nmae", candidates: []string{"Name"}, want: "Name"},
		{name: "short and unrelated", given: "Name", candidates: []string{"Age"}, want: ""},
		{name: "too far", given: "hospital", candidates: columns, want: ""},
		{name: "long names tolerate more", given: "medical_conditon_code", candidates: []string{"medical_condition_codes"}, want: "medical_condition_codes"},
		{name: "first of equals wins", given: "cat", candidates: []string{"cab", "car"}, want: "cab"},
		{name: "closest wins", given: "replase", candidates: []string{"reload", "replace"}, want: "replace"},
		{name: "no candidates", given: "x", candidates: nil, want: ""},
		{name: "empty", given: "", candidates: columns, want: ""},
		{name: "characters not bytes", given: "naïve", candidates: []string{"naive"}, want: "naive"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := Suggest(tc.given, tc.candidates); got != tc.want {
				t.Errorf("Suggest(%q) = %q, want %q", tc.given, got, tc.want)
			}
		})
	}
}
