package cast

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"runner/stages/plan"
	"runner/stages/stagetest"
	"runner/stages/stagetest/golden"
)

// corpus casts each file of testdata/values (one value a line, <null> for
// a null) with each spec; testdata/golden/<name>.json holds every cell's
// result and, for failures, the reason.
var corpus = []struct {
	name   string
	values string
	spec   Spec
}{
	{name: "int32", values: "ints.txt", spec: Spec{Type: plan.TypeInt32}},
	{name: "int64", values: "ints.txt", spec: Spec{Type: plan.TypeInt64}},
	{name: "float64", values: "floats.txt", spec: Spec{Type: plan.TypeFloat64}},
	{name: "decimal128_scale2", values: "floats.txt", spec: Spec{Type: plan.TypeDecimal128, Scale: 2}},
	{name: "decimal128_scale0", values: "floats.txt", spec: Spec{Type: plan.TypeDecimal128}},
	{name: "bool", values: "bools.txt", spec: Spec{Type: plan.TypeBool}},
	{name: "date_iso", values: "dates.txt", spec: Spec{Type: plan.TypeDate}},
	{name: "date_us", values: "dates.txt", spec: Spec{Type: plan.TypeDate, Format: "01/02/2006"}},
	{name: "date_day_first", values: "dates.txt", spec: Spec{Type: plan.TypeDate, Format: "02/01/2006"}},
	{name: "date_month_name", values: "dates.txt", spec: Spec{Type: plan.TypeDate, Format: "Jan 2, 2006"}},
	{name: "timestamp_rfc3339", values: "timestamps.txt", spec: Spec{Type: plan.TypeTimestamp}},
	{name: "timestamp_new_york", values: "timestamps.txt", spec: Spec{Type: plan.TypeTimestamp, Format: time.DateTime, Zone: "America/New_York"}},
}

type goldenCell struct {
	In     string `json:"in"`
	Out    any    `json:"out"`
	Reason string `json:"reason,omitempty"`
}

func TestCorpus(t *testing.T) {
	for _, tc := range corpus {
		t.Run(tc.name, func(t *testing.T) {
			data, err := os.ReadFile(filepath.Join("testdata", "values", tc.values))
			if err != nil {
				t.Fatal(err)
			}
			lines := strings.Split(strings.TrimSuffix(string(data), "\n"), "\n")
			in := make([]string, len(lines))
			for i, l := range lines {
				in[i] = l
				if l == "<null>" {
					in[i] = null
				}
			}
			mem := stagetest.Allocator(t)
			arr := stringArray(t, mem, in)
			defer arr.Release()
			c, err := New(tc.spec)
			if err != nil {
				t.Fatal(err)
			}
			out, failures := c.Cast(mem, arr)
			defer out.Release()
			got := make([]goldenCell, len(lines))
			for i, v := range cells(out) {
				got[i] = goldenCell{In: lines[i], Out: v}
			}
			for _, f := range failures {
				got[f.Row].Reason = f.Reason
			}
			// Through JSON, so numbers compare as the golden file holds them.
			gotJSON, err := json.MarshalIndent(got, "", "  ")
			if err != nil {
				t.Fatal(err)
			}
			golden.Check(t, filepath.Join("testdata", "golden", tc.name+".json"), append(gotJSON, '\n'))
		})
	}
}
