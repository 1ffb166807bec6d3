package eval

import (
	"crypto/sha256"
	"encoding/hex"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/google/go-cmp/cmp"

	"runner/stages/plan"
	"runner/stages/stagetest"
)

func TestEveryBuiltinHasAKernel(t *testing.T) {
	stagetest.Allocator(t)
	var builtins, kernels []string
	for _, f := range plan.Builtins() {
		builtins = append(builtins, f.Name)
	}
	for name := range impls {
		kernels = append(kernels, name)
	}
	slices.Sort(kernels)
	if diff := cmp.Diff(builtins, kernels); diff != "" {
		t.Errorf("builtins (-) and kernels (+) differ:\n%s", diff)
	}
}

// TestCatalogueExamples runs the example of every builtin in the catalogue.
func TestCatalogueExamples(t *testing.T) {
	salted := sha256.Sum256([]byte("pepperAnn"))
	tests := []struct {
		name string
		expr *plan.Expr
		cols []col
		want []any
	}{
		{name: "trim", expr: callE("trim", colE("name", tStr)),
			cols: []col{strCol("name", "  Ann  ")}, want: vals("Ann")},
		{name: "collapse_spaces", expr: callE("collapse_spaces", colE("name", tStr)),
			cols: []col{strCol("name", "Ann   Lee")}, want: vals("Ann Lee")},
		{name: "lower", expr: callE("lower", colE("email", tStr)),
			cols: []col{strCol("email", "Ann@X.org")}, want: vals("ann@x.org")},
		{name: "upper", expr: callE("upper", colE("code", tStr)),
			cols: []col{strCol("code", "ab-1")}, want: vals("AB-1")},
		{name: "title", expr: callE("title", colE("city", tStr)),
			cols: []col{strCol("city", "new YORK")}, want: vals("New York")},
		{name: "person_name", expr: callE("person_name", colE("name", tStr)),
			cols: []col{strCol("name", "mR. DAVID o'neil md")}, want: vals("Mr. David O'Neil MD")},
		{name: "strip_dangling", expr: callE("strip_dangling", colE("hospital", tStr), listE(",", "and")),
			cols: []col{strCol("hospital", "and Sons, Smith and,")}, want: vals("Sons, Smith")},
		{name: "replace", expr: callE("replace", colE("amount", tStr), strE("$"), strE("")),
			cols: []col{strCol("amount", "$12")}, want: vals("12")},
		{name: "regex_replace", expr: callE("regex_replace", colE("phone", tStr), strE("[^0-9]"), strE("")),
			cols: []col{strCol("phone", "(555) 010-99")}, want: vals("55501099")},
		{name: "substr", expr: callE("substr", colE("zip", tStr), intE(0), intE(3)),
			cols: []col{strCol("zip", "75012")}, want: vals("750")},
		{name: "concat", expr: callE("concat", colE("first", tStr), strE(" "), colE("last", tStr)),
			cols: []col{strCol("first", "Ann"), strCol("last", "Lee")}, want: vals("Ann Lee")},
		{name: "format", expr: callE("format", strE("%s-%04d"), colE("ward", tStr), colE("room", tI32)),
			cols: []col{strCol("ward", "B"), {name: "room", typ: tI32, vals: vals(7)}}, want: vals("B-0007")},
		{name: "coalesce", expr: callE("coalesce", colE("nickname", tStr), colE("name", tStr), strE("unknown")),
			cols: []col{strCol("nickname", "Annie", nil, nil), strCol("name", "Ann", "Lee", nil)},
			want: vals("Annie", "Lee", "unknown")},
		{name: "round", expr: callE("round", colE("billing_amount", tF64), intE(2)),
			cols: []col{{name: "billing_amount", typ: tF64, vals: vals(18856.2813)}}, want: vals(18856.28)},
		{name: "abs", expr: callE("abs", colE("balance", tF64)),
			cols: []col{{name: "balance", typ: tF64, vals: vals(-3.5)}}, want: vals(3.5)},
		{name: "parse_date", expr: callE("parse_date", colE("visit", tStr), strE("02/01/2006")),
			cols: []col{strCol("visit", "31/01/2024")}, want: vals("2024-01-31")},
		{name: "parse_timestamp", expr: callE("parse_timestamp", colE("seen", tStr), strE("2006-01-02 15:04"), strE("Europe/Paris")),
			cols: []col{strCol("seen", "2024-01-31 10:00")}, want: vals("2024-01-31T09:00:00.000Z")},
		{name: "days_between", expr: callE("days_between", colE("admitted_on", tDate), colE("discharged_on", tDate)),
			cols: []col{{name: "admitted_on", typ: tDate, vals: vals("2024-01-31")}, {name: "discharged_on", typ: tDate, vals: vals("2024-02-02")}},
			want: vals(2)},
		{name: "contains", expr: callE("contains", listE("A+", "A-", "B+"), colE("blood_type", tStr)),
			cols: []col{strCol("blood_type", "A-", "O+", nil)}, want: vals(true, false, nil)},
		{name: "length", expr: callE("length", colE("name", tStr)),
			cols: []col{strCol("name", "Zoë")}, want: vals(3)},
		{name: "is_null", expr: callE("is_null", colE("discharged_on", tDate)),
			cols: []col{{name: "discharged_on", typ: tDate, vals: vals("2024-02-02", nil)}}, want: vals(false, true)},
		{name: "sha256", expr: callE("sha256", callE("concat", strE("pepper"), colE("name", tStr))),
			cols: []col{strCol("name", "Ann")}, want: vals(hex.EncodeToString(salted[:]))},
	}
	covered := map[string]bool{}
	for _, tt := range tests {
		covered[tt.name] = true
		t.Run(tt.name, func(t *testing.T) { checkEval(t, tt.expr, tt.want, tt.cols...) })
	}
	for _, f := range plan.Builtins() {
		if !covered[f.Name] {
			t.Errorf("no example test for %s (%s)", f.Name, f.Example)
		}
	}
}

func TestCompileErrors(t *testing.T) {
	s := colE("s", tStr)
	withRange := callE("trim", colE("n", tI32))
	withRange.Range = plan.Range{Filename: "healthcare.hcl", Start: plan.Pos{Line: 7, Column: 3}}
	tests := []struct {
		name string
		expr *plan.Expr
		want string // a part of the message
	}{
		{name: "nil", expr: nil, want: "no expression"},
		{name: "unknown function", expr: &plan.Expr{Kind: plan.ExprCall, Func: "soundex", Type: tStr, Args: []*plan.Expr{s}}, want: `unknown function "soundex"`},
		{name: "too few arguments", expr: &plan.Expr{Kind: plan.ExprCall, Func: "replace", Type: tStr, Args: []*plan.Expr{s}}, want: "function replace: needs at least 3 arguments"},
		{name: "too many arguments", expr: &plan.Expr{Kind: plan.ExprCall, Func: "trim", Type: tStr, Args: []*plan.Expr{s, s}}, want: "function trim: takes at most 1 arguments"},
		{name: "wrong argument type", expr: withRange, want: "healthcare.hcl:7:3: function trim: argument text is a int32"},
		{name: "wrong result type", expr: &plan.Expr{Kind: plan.ExprCall, Func: "length", Type: tStr, Args: []*plan.Expr{s}}, want: "function length yields int32, but the node is typed string"},
		{name: "constant parameter from a column", expr: callE("replace", s, colE("old", tStr), strE("")), want: "function replace: argument old: must be a constant"},
		{name: "list from a column", expr: callE("strip_dangling", s, colE("w", plan.TypeStringList)), want: "must be a list literal"},
		{name: "bad regex", expr: callE("regex_replace", s, strE("(unclosed"), strE("")), want: "function regex_replace: pattern \"(unclosed\""},
		{name: "empty replace", expr: callE("replace", s, strE(""), strE("x")), want: "function replace: the text to replace is empty"},
		{name: "substr length", expr: callE("substr", s, intE(0), intE(-2)), want: "function substr: length -2"},
		{name: "empty dangling word", expr: callE("strip_dangling", s, listE("and", "")), want: `function strip_dangling: word ""`},
		{name: "spaced dangling word", expr: callE("strip_dangling", s, listE(" and")), want: `word " and"`},
		{name: "unknown zone", expr: callE("parse_timestamp", s, strE("2006-01-02"), strE("Mars/Olympus")), want: `zone "Mars/Olympus": unknown time zone`},
		{name: "local zone", expr: callE("parse_timestamp", s, strE("2006-01-02"), strE("Local")), want: `zone "Local"`},
		{name: "empty layout", expr: callE("parse_date", s, strE("")), want: "function parse_date: the layout is empty"},
		{name: "format verb for type", expr: callE("format", strE("%d"), s), want: "function format: layout \"%d\", directive 1: %d needs an integer"},
		{name: "format s for number", expr: callE("format", strE("%s"), colE("n", tI64)), want: "%s needs a string"},
		{name: "format unknown verb", expr: callE("format", strE("%x"), s), want: "unknown directive %x"},
		{name: "format too few verbs", expr: callE("format", strE("%s"), s, s), want: "has 1 directives for 2 values"},
		{name: "format too many verbs", expr: callE("format", strE("%s %s"), s), want: "more directives than the 1 values"},
		{name: "format trailing percent", expr: callE("format", strE("100%"), s), want: "ends inside a % directive"},
		{name: "format precision on d", expr: callE("format", strE("%.2d"), colE("n", tI64)), want: "precision only applies to %f"},
		{name: "format width", expr: callE("format", strE("%99999s"), s), want: "width is at most"},
		{name: "operator types", expr: &plan.Expr{Kind: plan.ExprBinary, Op: plan.OpAdd, Type: tI64, Args: []*plan.Expr{s, intE(1)}}, want: "operator + needs two numbers"},
		{name: "operator result", expr: &plan.Expr{Kind: plan.ExprBinary, Op: plan.OpDiv, Type: tI64, Args: []*plan.Expr{intE(1), intE(2)}}, want: "operator / yields float64, but the node is typed int64"},
		{name: "operator arity", expr: &plan.Expr{Kind: plan.ExprBinary, Op: plan.OpAdd, Type: tI64, Args: []*plan.Expr{intE(1)}}, want: "operator + takes 2 operands, got 1"},
		{name: "unary arity", expr: &plan.Expr{Kind: plan.ExprUnary, Op: plan.OpNot, Type: tBool}, want: "operator ! takes 1 operands, got 0"},
		{name: "conditional arity", expr: &plan.Expr{Kind: plan.ExprCond, Type: tStr, Args: []*plan.Expr{boolE(true)}}, want: "conditional takes 3 operands, got 1"},
		{name: "not a unary operator", expr: &plan.Expr{Kind: plan.ExprUnary, Op: plan.OpAdd, Type: tI64, Args: []*plan.Expr{intE(1)}}, want: "+ is not a unary operator"},
		{name: "list operand", expr: &plan.Expr{Kind: plan.ExprBinary, Op: plan.OpEq, Type: tBool, Args: []*plan.Expr{listE("a"), listE("a")}}, want: "a list can only be a function's argument"},
		{name: "list literal", expr: listE("a"), want: "a list can only be a function's argument"},
		{name: "cond condition", expr: &plan.Expr{Kind: plan.ExprCond, Type: tStr, Args: []*plan.Expr{s, s, s}}, want: "the condition is a string"},
		{name: "cond branches", expr: &plan.Expr{Kind: plan.ExprCond, Type: tStr, Args: []*plan.Expr{boolE(true), s, intE(1)}}, want: "have no common type"},
		{name: "literal type", expr: typedLit(plan.StringValue("x"), tI64), want: "a string value cannot be a int64 literal"},
		{name: "int32 literal range", expr: typedLit(plan.IntValue(1<<40), tI32), want: "does not fit an int32"},
		{name: "decimal literal text", expr: typedLit(plan.Value{Type: tDec, Str: "1e5"}, tDec), want: `decimal "1e5"`},
		{name: "date literal range", expr: litE(plan.DateValue(1 << 40)), want: "out of range"},
		{name: "bool literal type", expr: typedLit(plan.IntValue(1), tBool), want: "a int64 value cannot be a bool literal"},
		{name: "column without name", expr: colE("", tStr), want: "a column reference without a name"},
		{name: "column of no type", expr: colE("x", plan.TypeStringList), want: "col.x: list(string) is not a column type"},
		{name: "unknown kind", expr: &plan.Expr{Kind: plan.ExprInvalid}, want: "unknown expression kind"},
		{name: "missing node", expr: &plan.Expr{Kind: plan.ExprUnary, Op: plan.OpNot, Type: tBool, Args: []*plan.Expr{nil}}, want: "operator !: operand 1 is missing"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			stagetest.Allocator(t)
			p, err := Compile(tt.expr)
			if err == nil {
				t.Fatalf("Compile = %v, want an error containing %q", p, tt.want)
			}
			if !strings.Contains(err.Error(), tt.want) || strings.Contains(err.Error(), "PANIC") {
				t.Errorf("Compile error %q, want it to contain %q", err, tt.want)
			}
		})
	}
}

func TestEvalErrors(t *testing.T) {
	tests := []struct {
		name string
		expr *plan.Expr
		rows int
		cols []col
		want string
	}{
		{name: "missing column", expr: callE("trim", colE("name", tStr)), rows: 1, want: `column "name" is not in the batch`},
		{name: "column of another type", expr: callE("trim", colE("name", tStr)), rows: 1,
			cols: []col{{name: "name", typ: tI32, vals: vals(1)}}, want: `column "name": is int32, want utf8 for type string`},
		{name: "column of another length", expr: callE("trim", colE("name", tStr)), rows: 2,
			cols: []col{strCol("name", "a")}, want: "has 1 values, the batch has 2 rows"},
		{name: "no self", expr: callE("trim", selfE(tStr)), rows: 1, want: "self: the environment has no value for self"},
		{name: "negative rows", expr: strE("x"), rows: -1, want: "negative row count"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := evalRows(t, tt.expr, tt.rows, tt.cols...)
			if err == nil {
				t.Fatalf("%s = %v, want an error containing %q", tt.expr, got, tt.want)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("%s: error %q, want it to contain %q", tt.expr, err, tt.want)
			}
		})
	}
}

func TestNoColumnsFunction(t *testing.T) {
	mem := stagetest.Allocator(t)
	p, err := Compile(colE("x", tStr))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.Eval(mem, Env{Rows: 1}); err == nil || !strings.Contains(err.Error(), "no columns") {
		t.Errorf("Eval without Columns: error %v, want one saying there are no columns", err)
	}
}

// TestColumnIsReturnedRetained checks the ownership rule for a bare column:
// the same array comes back with one more reference.
func TestColumnIsReturnedRetained(t *testing.T) {
	mem := stagetest.Allocator(t)
	in := buildArray(t, mem, strCol("name", "Ann", nil))
	p, err := Compile(colE("name", tStr))
	if err != nil {
		t.Fatal(err)
	}
	out, err := p.Eval(mem, Env{Rows: 2, Columns: func(string) arrow.Array { return in }})
	if err != nil {
		t.Fatal(err)
	}
	if out != in {
		t.Errorf("a bare column reference returned a new array")
	}
	out.Release()
	in.Release() // the checked allocator fails the test unless both references were counted
}

func TestLiteralRoot(t *testing.T) {
	tests := []struct {
		name string
		expr *plan.Expr
		want []any
	}{
		{name: "string", expr: strE("x"), want: vals("x", "x", "x")},
		{name: "int64", expr: intE(7), want: vals(7, 7, 7)},
		{name: "int32", expr: typedLit(plan.IntValue(7), tI32), want: vals(7, 7, 7)},
		{name: "float64", expr: floatE(2.5), want: vals(2.5, 2.5, 2.5)},
		{name: "int as float64", expr: typedLit(plan.IntValue(2), tF64), want: vals(2.0, 2.0, 2.0)},
		{name: "decimal", expr: typedLit(plan.Value{Type: tDec, Str: "12.50"}, tDec), want: vals("12.50", "12.50", "12.50")},
		{name: "bool", expr: boolE(true), want: vals(true, true, true)},
		{name: "date", expr: litE(plan.DateValue(19753)), want: vals("2024-01-31", "2024-01-31", "2024-01-31")},
		{name: "timestamp", expr: litE(plan.TimestampValue(1706700000123)), want: vals("2024-01-31T11:20:00.123Z", "2024-01-31T11:20:00.123Z", "2024-01-31T11:20:00.123Z")},
		{name: "null is utf8", expr: nullE(), want: vals(nil, nil, nil)},
		{name: "typed null", expr: typedLit(plan.Null, tI64), want: vals(nil, nil, nil)},
		{name: "folded call", expr: callE("concat", strE("a"), intE(1)), want: vals("a1", "a1", "a1")},
		{name: "folded operator", expr: binE(plan.OpAdd, intE(1), intE(2)), want: vals(3, 3, 3)},
		{name: "folded null", expr: callE("trim", nullE()), want: vals(nil, nil, nil)},
		{name: "self of a derived column", expr: callE("coalesce", selfE(tNull), strE("d")), want: vals("d", "d", "d")},
		{name: "folded int32", expr: callE("abs", typedLit(plan.IntValue(-4), tI32)), want: vals(4, 4, 4)},
		{name: "folded float", expr: binE(plan.OpDiv, intE(1), intE(4)), want: vals(0.25, 0.25, 0.25)},
		{name: "folded bool", expr: binE(plan.OpLt, strE("a"), strE("b")), want: vals(true, true, true)},
		{name: "folded date", expr: callE("parse_date", strE("2024-01-31"), strE("2006-01-02")), want: vals("2024-01-31", "2024-01-31", "2024-01-31")},
		{name: "folded timestamp", expr: callE("parse_timestamp", strE("2024-01-31 10:00"), strE("2006-01-02 15:04")), want: vals("2024-01-31T10:00:00.000Z", "2024-01-31T10:00:00.000Z", "2024-01-31T10:00:00.000Z")},
		{name: "folded decimal", expr: callE("coalesce", typedLit(plan.Null, tDec), typedLit(plan.Value{Type: tDec, Str: "-1.50"}, tDec)), want: vals("-1.50", "-1.50", "-1.50")},
		{name: "int as decimal", expr: typedLit(plan.IntValue(3), tDec), want: vals("3", "3", "3")},
		{name: "float as decimal", expr: typedLit(plan.FloatValue(0.125), tDec), want: vals("0.125", "0.125", "0.125")},
		{name: "decimal as float64", expr: typedLit(plan.Value{Type: tDec, Str: "0.5"}, tF64), want: vals(0.5, 0.5, 0.5)},
		{name: "folded null function", expr: callE("concat", strE("a"), nullE()), want: vals(nil, nil, nil)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := evalRows(t, tt.expr, 3)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("%s (-want +got):\n%s", tt.expr, diff)
			}
		})
	}
}

func TestZeroRows(t *testing.T) {
	exprs := []*plan.Expr{
		strE("x"),
		callE("person_name", colE("s", tStr)),
		binE(plan.OpAnd, binE(plan.OpGe, colE("n", tI32), intE(0)), binE(plan.OpLe, colE("n", tI32), intE(120))),
		callE("concat", colE("s", tStr), colE("n", tI32)),
		condE(binE(plan.OpGt, colE("n", tI32), intE(1)), colE("s", tStr), strE("-")),
	}
	for _, e := range exprs {
		got := evalCols(t, e, strCol("s"), col{name: "n", typ: tI32})
		if len(got) != 0 {
			t.Errorf("%s over no rows = %v", e, got)
		}
	}
}

// TestConstantsAreFolded checks that a subtree without columns is computed
// once, at Compile.
func TestConstantsAreFolded(t *testing.T) {
	stagetest.Allocator(t)
	e := callE("upper", callE("concat", strE("a"), callE("trim", strE(" b "))))
	p, err := Compile(e)
	if err != nil {
		t.Fatal(err)
	}
	lit, ok := p.root.(*litNode)
	if !ok {
		t.Fatalf("%s compiled to %T, want a literal", e, p.root)
	}
	if lit.sc.str != "AB" {
		t.Errorf("%s folded to %q, want AB", e, lit.sc.str)
	}
}

// TestSlicedInputs evaluates over arrays that start at an offset (a slice of
// a batch), which every kernel must honour.
func TestSlicedInputs(t *testing.T) {
	exprs := []*plan.Expr{
		callE("person_name", colE("s", tStr)),
		callE("strip_dangling", colE("s", tStr), listE(",", "and")),
		callE("length", colE("s", tStr)),
		binE(plan.OpAnd, binE(plan.OpGe, colE("n", tI32), intE(0)), binE(plan.OpLe, colE("n", tI32), intE(120))),
		binE(plan.OpOr, colE("b", tBool), binE(plan.OpEq, colE("s", tStr), strE("x"))),
		unE(plan.OpNot, colE("b", tBool)),
		binE(plan.OpAdd, colE("n", tI32), colE("m", tI64)),
		callE("is_null", colE("n", tI32)),
		callE("coalesce", colE("n", tI32), colE("m", tI64)),
		condE(colE("b", tBool), colE("s", tStr), strE("-")),
		callE("concat", colE("s", tStr), colE("n", tI32), colE("b", tBool)),
	}
	cols := []col{
		strCol("s", "x", "and Vang,", nil, "mary-jane o'neil", "", "Zoë ", "x", nil, "b", "and", "c"),
		{name: "n", typ: tI32, vals: vals(1, nil, -1, 121, 120, 0, 5, 6, nil, 8, 9)},
		{name: "m", typ: tI64, vals: vals(10, 20, nil, 40, 50, 60, 70, 80, 90, nil, 100)},
		{name: "b", typ: tBool, vals: vals(true, false, nil, true, false, nil, true, true, false, nil, true)},
	}
	for _, e := range exprs {
		for _, off := range []int{1, 3, 8} {
			full := evalCols(t, e, cols...)
			mem := stagetest.Allocator(t)
			p, err := Compile(e)
			if err != nil {
				t.Fatal(err)
			}
			sliced := map[string]arrow.Array{}
			for _, c := range cols {
				a := buildArray(t, mem, c)
				s := array.NewSlice(a, int64(off), int64(len(c.vals)))
				a.Release()
				defer s.Release()
				sliced[c.name] = s
			}
			out, err := p.Eval(mem, Env{Rows: len(full) - off, Columns: func(name string) arrow.Array { return sliced[name] }})
			if err != nil {
				t.Fatalf("%s at offset %d: %v", e, off, err)
			}
			got := goValues(t, out)
			out.Release()
			if diff := cmp.Diff(full[off:], got); diff != "" {
				t.Errorf("%s at offset %d (-want +got):\n%s", e, off, diff)
			}
		}
	}
}

// TestConcurrentEval runs one Program over batches from several goroutines
// (meaningful under -race).
func TestConcurrentEval(t *testing.T) {
	mem := stagetest.Allocator(t)
	e := callE("format", strE("%s|%05.1f|%v"),
		callE("strip_dangling", callE("person_name", colE("s", tStr)), listE(",", "and")),
		colE("f", tF64), callE("regex_replace", colE("s", tStr), strE("(a)(n)"), strE("$2$1")))
	p, err := Compile(e)
	if err != nil {
		t.Fatal(err)
	}
	s := buildArray(t, mem, strCol("s", "ann, and", "dan", nil))
	defer s.Release()
	f := buildArray(t, mem, col{name: "f", typ: tF64, vals: vals(1.25, -2.0, 3.0)})
	defer f.Release()
	cols := map[string]arrow.Array{"s": s, "f": f}
	want := vals("Ann|001.2|nan, nad", "Dan|-02.0|dna", nil)
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for range 8 {
		wg.Go(func() {
			for range 50 {
				out, err := p.Eval(mem, Env{Rows: 3, Columns: func(n string) arrow.Array { return cols[n] }})
				if err != nil {
					errs <- err
					return
				}
				got := goValues(t, out)
				out.Release()
				if diff := cmp.Diff(want, got); diff != "" {
					t.Errorf("(-want +got):\n%s", diff)
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

// TestTextChainsFuse checks that nested string functions run as one chain
// and give what running them one by one gives.
func TestTextChainsFuse(t *testing.T) {
	stagetest.Allocator(t)
	chain := []string{"trim", "collapse_spaces", "person_name", "upper", "lower", "title", "upper"}
	e := selfE(tStr)
	for _, fn := range chain {
		e = callE(fn, e)
	}
	p, err := Compile(e)
	if err != nil {
		t.Fatal(err)
	}
	// Growth 1·1·2·2·2·2 reaches the limit: the last upper starts a chain
	// of its own.
	outer, ok := p.root.(*opNode)
	if !ok || len(outer.steps) != 1 {
		t.Fatalf("%s compiled to %#v, want one step over the chain", e, p.root)
	}
	if inner, ok := outer.args[0].(*opNode); !ok || len(inner.steps) != 6 {
		t.Fatalf("%s compiled to %#v over %#v, want a chain of 6 steps below", e, outer, outer.args[0])
	}
	in := []string{"  mR.   DAVID\tpIERce md ", "", "Zoë  ǆ", "o'neil mcdonald-smith"}
	want := in
	for _, fn := range chain {
		want = evalStrings(t, callE(fn, selfE(tStr)), want)
	}
	if diff := cmp.Diff(want, evalStrings(t, e, in)); diff != "" {
		t.Errorf("%s (-one by one +chained):\n%s", e, diff)
	}
}

// TestStringWriterOverrun checks that a kernel writing past the room it
// reserved is reported, not silently losing the rows moved out of the
// Arrow buffer.
func TestStringWriterOverrun(t *testing.T) {
	mem := stagetest.Allocator(t)
	w, buf := newStringWriter(mem, 2, 8)
	buf, err := w.room(buf, 4)
	if err != nil {
		t.Fatal(err)
	}
	buf = append(buf, "0123456789abcdefghijklmnopqrstuvwxyz0123456789abcdefghijklmnopqrstuvwxyz"...) // past the buffer
	w.offs[1] = int32(len(buf))
	if _, err := w.room(buf, 1<<20); err != errOverrun {
		t.Errorf("room after an overrun: %v, want %v", err, errOverrun)
	}
	w.offs[2] = int32(len(buf))
	if arr, err := w.finish(buf, newBitmap(mem, 2)); err != errOverrun {
		t.Errorf("finish after an overrun = %v, %v; want %v", arr, err, errOverrun)
	}
}

func TestBatchEnvReadsColumnsByName(t *testing.T) {
	mem := stagetest.Allocator(t)
	batch := stagetest.Batch(t, mem, []arrow.Field{
		{Name: "n", Type: arrow.PrimitiveTypes.Int64, Nullable: true},
		{Name: "s", Type: arrow.BinaryTypes.String, Nullable: true},
	}, `[{"n": 2, "s": "a"}, {"n": 5, "s": null}]`)
	defer batch.Release()
	prog, err := Compile(&plan.Expr{Kind: plan.ExprBinary, Op: plan.OpMul, Type: plan.TypeInt64, Args: []*plan.Expr{
		{Kind: plan.ExprColumn, Column: "n", Type: plan.TypeInt64},
		{Kind: plan.ExprLiteral, Type: plan.TypeInt64, Value: plan.IntValue(3)},
	}})
	if err != nil {
		t.Fatal(err)
	}
	env := BatchEnv(batch)
	if env.Rows != 2 || env.Columns("missing") != nil {
		t.Fatalf("env rows %d, missing column %v", env.Rows, env.Columns("missing"))
	}
	out, err := prog.Eval(mem, env)
	if err != nil {
		t.Fatal(err)
	}
	defer out.Release()
	if got := out.(*array.Int64).Int64Values(); got[0] != 6 || got[1] != 15 {
		t.Errorf("n * 3 = %v, want [6 15]", got)
	}
}
