package checks

import (
	"fmt"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"

	"runner/stages"
	"runner/stages/plan"
	"runner/stages/stagetest"
)

var fields = []arrow.Field{
	{Name: "a", Type: arrow.BinaryTypes.String, Nullable: true},
	{Name: "n", Type: arrow.PrimitiveTypes.Int32, Nullable: true},
	stages.OriginField,
}

func col(name string, t plan.Type) *plan.Expr {
	return &plan.Expr{Kind: plan.ExprColumn, Column: name, Type: t}
}

func lit(v plan.Value) *plan.Expr { return &plan.Expr{Kind: plan.ExprLiteral, Type: v.Type, Value: v} }

func int64p(v int64) *int64 { return &v }

func checkPlan(checks ...plan.Check) *plan.Plan {
	return &plan.Plan{
		Columns: []plan.Column{{Name: "a", Type: plan.TypeString}, {Name: "n", Type: plan.TypeInt32}},
		Checks:  checks,
	}
}

// rows renders (a, n) pairs as JSON rows with origins at lines 2, 3, ...
func rows(pairs ...any) string {
	var parts []string
	for i := 0; i < len(pairs); i += 2 {
		a, n := "null", "null"
		if pairs[i] != nil {
			a = fmt.Sprintf("%q", pairs[i])
		}
		if pairs[i+1] != nil {
			n = fmt.Sprint(pairs[i+1])
		}
		parts = append(parts, fmt.Sprintf(`{"a":%s,"n":%s,"_origin":%d}`, a, n, stages.MakeOrigin(0, i/2+2)))
	}
	return "[" + strings.Join(parts, ",") + "]"
}

func TestChecks(t *testing.T) {
	data := rows("x", 1, "y", -5, nil, 3, "z", 4, "x", 7, "x", 1)
	tests := []struct {
		name     string
		check    plan.Check
		keep     []bool // nil keeps every row
		failures int64
		failed   bool
		lines    []int
		detail   string
	}{
		{name: "assert", check: plan.Check{Name: "non_negative", Kind: plan.CheckAssert,
			Assert: &plan.Expr{Kind: plan.ExprBinary, Op: plan.OpGe, Type: plan.TypeBool, Args: []*plan.Expr{col("n", plan.TypeInt32), lit(plan.IntValue(0))}}},
			failures: 1, failed: true, lines: []int{3}},
		{name: "assert null is not a failure", check: plan.Check{Name: "a_is_x", Kind: plan.CheckAssert,
			Assert: &plan.Expr{Kind: plan.ExprBinary, Op: plan.OpEq, Type: plan.TypeBool, Args: []*plan.Expr{col("a", plan.TypeString), lit(plan.StringValue("x"))}}},
			failures: 2, failed: true, lines: []int{3, 5}},
		{name: "not_null", check: plan.Check{Name: "a_present", Kind: plan.CheckNotNull, Columns: []string{"a"}},
			failures: 1, failed: true, lines: []int{4}},
		{name: "accepted_values", check: plan.Check{Name: "known_a", Kind: plan.CheckAcceptedValues, Columns: []string{"a"},
			Values: []plan.Value{plan.StringValue("x"), plan.StringValue("y")}}, failures: 1, failed: true, lines: []int{5}},
		{name: "unique", check: plan.Check{Name: "unique_a", Kind: plan.CheckUnique, Columns: []string{"a"}},
			failures: 2, failed: true, lines: []int{6, 7}},
		{name: "unique among kept rows only", check: plan.Check{Name: "unique_a", Kind: plan.CheckUnique, Columns: []string{"a"}},
			keep: []bool{true, true, true, true, false, false}},
		{name: "similar_except", check: plan.Check{Name: "near", Kind: plan.CheckSimilarExcept, Columns: []string{"n"}, Severity: plan.SeverityWarn},
			failures: 2, failed: true, lines: []int{6, 7}},
		{name: "tolerated by count", check: plan.Check{Name: "unique_a", Kind: plan.CheckUnique, Columns: []string{"a"}, MaxFailures: plan.Limit{Count: 2}},
			failures: 2, lines: []int{6, 7}},
		{name: "tolerated by share", check: plan.Check{Name: "unique_a", Kind: plan.CheckUnique, Columns: []string{"a"}, MaxFailures: plan.Limit{Share: 0.3}},
			failures: 2, failed: true, lines: []int{6, 7}},
		{name: "row_count too few", check: plan.Check{Name: "enough", Kind: plan.CheckRowCount, MinRows: int64p(10)},
			failures: 1, failed: true, detail: "6 rows to load; at least 10 required"},
		{name: "row_count within", check: plan.Check{Name: "enough", Kind: plan.CheckRowCount, MinRows: int64p(1), MaxRows: int64p(6)},
			detail: "6 rows to load"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			mem := stagetest.Allocator(t)
			batch := stagetest.Batch(t, mem, fields, data)
			defer batch.Release()
			suite, err := New(checkPlan(tc.check), batch.Schema())
			if err != nil {
				t.Fatal(err)
			}
			partial, err := suite.Evaluate(mem, batch)
			if err != nil {
				t.Fatal(err)
			}
			tally := suite.NewTally(0)
			tally.Add(partial, tc.keep)
			res := tally.Results()
			if len(res) != 1 {
				t.Fatalf("%d results, want 1", len(res))
			}
			r := res[0]
			var lines []int
			for _, s := range r.Samples {
				lines = append(lines, s.Line)
			}
			if r.Failures != tc.failures || r.Failed != tc.failed || fmt.Sprint(lines) != fmt.Sprint(tc.lines) || r.Detail != tc.detail {
				t.Errorf("failures %d failed %v lines %v detail %q; want %d %v %v %q",
					r.Failures, r.Failed, lines, r.Detail, tc.failures, tc.failed, tc.lines, tc.detail)
			}
		})
	}
}

func TestSamplesShowValues(t *testing.T) {
	mem := stagetest.Allocator(t)
	batch := stagetest.Batch(t, mem, fields, rows("x", 1, "q", -5))
	defer batch.Release()
	suite, err := New(checkPlan(plan.Check{Name: "known_a", Kind: plan.CheckAcceptedValues, Columns: []string{"a"},
		Values: []plan.Value{plan.StringValue("x")}}), batch.Schema())
	if err != nil {
		t.Fatal(err)
	}
	partial, err := suite.Evaluate(mem, batch)
	if err != nil {
		t.Fatal(err)
	}
	tally := suite.NewTally(0)
	tally.Add(partial, nil)
	s := tally.Results()[0].Samples
	if len(s) != 1 || s[0].Line != 3 || len(s[0].Values) != 1 || s[0].Values[0].Name != "a" || s[0].Values[0].Value != "q" {
		t.Errorf("samples = %+v, want line 3 with a = q", s)
	}
}

// TestTallyIsIndependentOfBatchBoundaries feeds the same rows in batches of
// 1, 7 and all at once; counts and samples must not change.
func TestTallyIsIndependentOfBatchBoundaries(t *testing.T) {
	var pairs []any
	for i := 0; i < 40; i++ {
		pairs = append(pairs, fmt.Sprint("k", i%9), i%5)
	}
	p := checkPlan(
		plan.Check{Name: "unique_a", Kind: plan.CheckUnique, Columns: []string{"a"}},
		plan.Check{Name: "near", Kind: plan.CheckSimilarExcept, Columns: []string{"n"}},
		plan.Check{Name: "small", Kind: plan.CheckAssert,
			Assert: &plan.Expr{Kind: plan.ExprBinary, Op: plan.OpLt, Type: plan.TypeBool, Args: []*plan.Expr{col("n", plan.TypeInt32), lit(plan.IntValue(3))}}},
	)
	run := func(size int) string {
		mem := stagetest.Allocator(t)
		var suite *Suite
		var tally *Tally
		for start := 0; start < len(pairs); start += 2 * size {
			end := min(start+2*size, len(pairs))
			batch := stagetest.Batch(t, mem, fields, rows(pairs[start:end]...))
			if suite == nil {
				var err error
				if suite, err = New(p, batch.Schema()); err != nil {
					t.Fatal(err)
				}
				tally = suite.NewTally(0)
			}
			partial, err := suite.Evaluate(mem, batch)
			batch.Release()
			if err != nil {
				t.Fatal(err)
			}
			tally.Add(partial, nil)
		}
		var out []string
		for _, r := range tally.Results() {
			out = append(out, fmt.Sprintf("%s:%d", r.Check.Name, r.Failures))
		}
		return strings.Join(out, " ")
	}
	// Lines restart in every batch of this test, so compare counts only.
	want := run(len(pairs) / 2)
	for _, size := range []int{1, 7} {
		if got := run(size); got != want {
			t.Errorf("batches of %d: %s, want %s", size, got, want)
		}
	}
	if want != "unique_a:31 near:31 small:16" {
		t.Errorf("results = %s", want)
	}
}
