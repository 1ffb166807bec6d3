package columns

import (
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"runner/stages"
	"runner/stages/plan"
	"runner/stages/stagetest"
)

var textFields = []string{"Name", "Age", "Score", "Day", "City"}

// textBatch builds a batch as the CSV source makes it: one utf8 field per
// header name (a nil cell is null), then the origin and raw columns.
func textBatch(t *testing.T, mem memory.Allocator, rows [][]*string) arrow.RecordBatch {
	t.Helper()
	fields := make([]arrow.Field, 0, len(textFields)+2)
	for _, name := range textFields {
		fields = append(fields, arrow.Field{Name: name, Type: arrow.BinaryTypes.String, Nullable: true})
	}
	fields = append(fields, stages.OriginField, stages.RawField)
	b := array.NewRecordBuilder(mem, arrow.NewSchema(fields, nil))
	defer b.Release()
	for r, row := range rows {
		var raw []string
		for c, cell := range row {
			sb := b.Field(c).(*array.StringBuilder)
			if cell == nil {
				sb.AppendNull()
				raw = append(raw, "")
				continue
			}
			sb.Append(*cell)
			raw = append(raw, *cell)
		}
		b.Field(len(textFields)).(*array.Int64Builder).Append(int64(stages.MakeOrigin(0, r+2)))
		b.Field(len(textFields) + 1).(*array.BinaryBuilder).Append([]byte(strings.Join(raw, ",")))
	}
	return b.NewRecordBatch()
}

func s(v string) *string { return &v }

func self() *plan.Expr { return &plan.Expr{Kind: plan.ExprSelf, Type: plan.TypeString} }

func call(fn string, t plan.Type, args ...*plan.Expr) *plan.Expr {
	return &plan.Expr{Kind: plan.ExprCall, Func: fn, Type: t, Args: args}
}

func testPlan() *plan.Plan {
	day := plan.DateValue(19723) // 2024-01-01
	p := &plan.Plan{Columns: []plan.Column{
		{Name: "name", From: "Name", Type: plan.TypeString, Clean: call("person_name", plan.TypeString, call("trim", plan.TypeString, self()))},
		{Name: "age", From: "Age", Type: plan.TypeInt32},
		{Name: "score", From: "Score", Type: plan.TypeFloat64, OnError: plan.OnErrorNull},
		{Name: "day", From: "Day", Type: plan.TypeDate, Format: "2006-01-02", OnError: plan.OnErrorDefault, Default: &day},
		{Name: "city", From: "City", Type: plan.TypeString, Required: true},
		// Derived from age: int32 * literal is int64, stored in an int64 column.
		{Name: "double_age", Type: plan.TypeInt64, Expr: &plan.Expr{Kind: plan.ExprBinary, Op: plan.OpMul, Type: plan.TypeInt64,
			Args: []*plan.Expr{{Kind: plan.ExprColumn, Column: "age", Type: plan.TypeInt32}, {Kind: plan.ExprLiteral, Type: plan.TypeInt64, Value: plan.IntValue(2)}}}},
		// Derived and widened: an int32 expression in a float64 column.
		{Name: "age_f", Type: plan.TypeFloat64, Expr: &plan.Expr{Kind: plan.ExprColumn, Column: "age", Type: plan.TypeInt32}},
	}}
	p.Order = []int{0, 1, 2, 3, 4, 5, 6}
	return p
}

func TestApply(t *testing.T) {
	mem := stagetest.Allocator(t)
	in := textBatch(t, mem, [][]*string{
		{s("  bobby JACKSON "), s("30"), s("1.5"), s("2024-01-31"), s("Paris")}, // line 2: clean, all good
		{s("Ann Lee"), s("abc"), s("2"), s("2024-02-01"), s("Rome")},            // line 3: age does not parse → reject
		{s("Ann Lee"), s("41"), s("x"), s("2024-13-01"), s("Oslo")},             // line 4: score → null, day → default
		{s("Bo"), s("7"), nil, nil, nil},                                        // line 5: city required → reject
	})
	defer in.Release()
	st, err := New(testPlan(), in.Schema())
	if err != nil {
		t.Fatal(err)
	}
	res, err := st.Apply(mem, in)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Batch.Release()

	if got, want := res.Batch.NumRows(), int64(2); got != want {
		t.Fatalf("kept %d rows, want %d", got, want)
	}
	want := [][]string{
		{"Bobby Jackson", "30", "1.5", "2024-01-31", "Paris", "60", "30"},
		{"Ann Lee", "41", "", "2024-01-01", "Oslo", "82", "41"},
	}
	for r, row := range want {
		for c, v := range row {
			if got := stages.FormatValue(res.Batch.Column(c), r); got != v {
				t.Errorf("row %d column %s = %q, want %q", r, res.Batch.Schema().Field(c).Name, got, v)
			}
		}
	}
	if !res.Batch.Column(2).IsNull(1) {
		t.Error("score of line 4 should be null (on_error = null)")
	}
	if got := res.Batch.Schema().Field(int(res.Batch.NumCols()) - 1).Name; got != stages.OriginColumn {
		t.Errorf("last column = %s, want %s", got, stages.OriginColumn)
	}

	if len(res.Rejects) != 2 {
		t.Fatalf("rejects = %+v, want 2", res.Rejects)
	}
	r0, r1 := res.Rejects[0], res.Rejects[1]
	if r0.Origin.Line() != 3 || r0.Column != "age" || r0.Value != "abc" || !strings.HasPrefix(r0.Reason, `age: "abc" is not an int32`) ||
		string(r0.Raw) != "Ann Lee,abc,2,2024-02-01,Rome" || r0.Stage != StageID {
		t.Errorf("reject 0 = %+v", r0)
	}
	if r1.Origin.Line() != 5 || r1.Column != "city" || r1.Reason != "city is required but empty" {
		t.Errorf("reject 1 = %+v", r1)
	}

	stats := res.Stats.Columns
	if got := stats[0]; got.Changed != 1 || len(got.Examples) != 1 || got.Examples[0].Before != "  bobby JACKSON " || got.Examples[0].After != "Bobby Jackson" {
		t.Errorf("name stats = %+v", got)
	}
	if got := stats[1].CastFailures; got != 1 {
		t.Errorf("age cast failures = %d, want 1", got)
	}
	if got := stats[2].CastFailures; got != 1 {
		t.Errorf("score cast failures = %d, want 1", got)
	}
	if got := stats[3]; got.CastFailures != 1 || got.DefaultsApplied != 2 || got.Nulls != 1 {
		t.Errorf("day stats = %+v, want 1 failure, 2 defaults (the failure and the null), 1 null", got)
	}
	if got := stats[4]; got.RequiredMissing != 1 || got.Nulls != 1 {
		t.Errorf("city stats = %+v", got)
	}
}

func TestApplyIsIndependentOfBatchBoundaries(t *testing.T) {
	mem := stagetest.Allocator(t)
	rows := [][]*string{}
	for i := 0; i < 20; i++ {
		age := s("30")
		if i%7 == 3 {
			age = s("not a number")
		}
		rows = append(rows, []*string{s(" x y "), age, s("1"), s("2024-01-01"), s("c")})
	}
	st, err := New(testPlan(), textBatch(t, memory.NewGoAllocator(), rows[:1]).Schema())
	if err != nil {
		t.Fatal(err)
	}
	run := func(size int) (kept int64, rejects []int, stats Stats) {
		for start := 0; start < len(rows); start += size {
			end := min(start+size, len(rows))
			in := textBatch(t, mem, rows[start:end])
			res, err := st.Apply(mem, in)
			in.Release()
			if err != nil {
				t.Fatal(err)
			}
			kept += res.Batch.NumRows()
			res.Batch.Release()
			for _, r := range res.Rejects {
				rejects = append(rejects, r.Origin.Line()+start)
			}
			stats.Merge(res.Stats)
		}
		return kept, rejects, stats
	}
	k1, r1, s1 := run(len(rows))
	for _, size := range []int{1, 7} {
		k, r, st := run(size)
		if k != k1 || len(r) != len(r1) || st.Columns[0].Changed != s1.Columns[0].Changed || st.Columns[1].CastFailures != s1.Columns[1].CastFailures {
			t.Errorf("batches of %d: kept %d rejects %d stats %+v; one batch: kept %d rejects %d stats %+v",
				size, k, len(r), st.Columns[:2], k1, len(r1), s1.Columns[:2])
		}
	}
	if k1 != 17 || len(r1) != 3 {
		t.Errorf("kept %d and rejected %d, want 17 and 3", k1, len(r1))
	}
}

func TestStatsMergeKeepsEarliestExamples(t *testing.T) {
	var a Stats
	for _, line := range []int{9, 3, 7, 1, 8, 2, 6} {
		a.Merge(Stats{Columns: []ColumnStats{{Changed: 1, Examples: []Example{{Origin: stages.MakeOrigin(0, line)}}}}})
	}
	var lines []int
	for _, e := range a.Columns[0].Examples {
		lines = append(lines, e.Origin.Line())
	}
	if got, want := lines, []int{1, 2, 3, 6, 7}; !equalInts(got, want) || a.Columns[0].Changed != 7 {
		t.Errorf("examples at lines %v (changed %d), want %v (7)", got, a.Columns[0].Changed, want)
	}
}

func equalInts(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestSensitiveValuesStayOutOfReasons(t *testing.T) {
	mem := stagetest.Allocator(t)
	p := testPlan()
	p.Columns[1].Sensitive = true // age
	in := textBatch(t, mem, [][]*string{{s("Ann"), s("secret-42"), s("1"), s("2024-01-01"), s("Oslo")}})
	defer in.Release()
	st, err := New(p, in.Schema())
	if err != nil {
		t.Fatal(err)
	}
	res, err := st.Apply(mem, in)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Batch.Release()
	if len(res.Rejects) != 1 {
		t.Fatalf("rejects = %+v, want 1", res.Rejects)
	}
	r := res.Rejects[0]
	if strings.Contains(r.Reason, "secret-42") || r.Value != "" || r.Reason != "age: the value (not shown: the column is sensitive) is not a int32" {
		t.Errorf("reject = %+v, want no trace of the value", r)
	}
}

// A row that a later column rejects must not count as changed in an
// earlier one: cleaning.md would report more changed values than kept rows.
func TestChangesCountOnlyKeptRows(t *testing.T) {
	tests := []struct {
		name        string
		row         []*string
		wantChanged int64
	}{
		{name: "kept row", row: []*string{s(" ann LEE "), s("30"), s("1"), s("2024-01-01"), s("Oslo")}, wantChanged: 1},
		{name: "a later cast rejects the row", row: []*string{s(" ann LEE "), s("abc"), s("1"), s("2024-01-01"), s("Oslo")}},
		{name: "a later required column rejects the row", row: []*string{s(" ann LEE "), s("30"), s("1"), s("2024-01-01"), nil}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			mem := stagetest.Allocator(t)
			in := textBatch(t, mem, [][]*string{tc.row})
			defer in.Release()
			st, err := New(testPlan(), in.Schema())
			if err != nil {
				t.Fatal(err)
			}
			res, err := st.Apply(mem, in)
			if err != nil {
				t.Fatal(err)
			}
			defer res.Batch.Release()
			name := res.Stats.Columns[0]
			if name.Changed != tc.wantChanged || int64(len(name.Examples)) != tc.wantChanged {
				t.Errorf("name changed %d with examples %+v, want %d", name.Changed, name.Examples, tc.wantChanged)
			}
			if name.Changed > res.Batch.NumRows() {
				t.Errorf("%d values changed of %d kept rows", name.Changed, res.Batch.NumRows())
			}
		})
	}
}
