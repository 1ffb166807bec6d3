package plan

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestAssignableTo(t *testing.T) {
	tests := []struct {
		from, to Type
		want     bool
	}{
		{TypeInt32, TypeInt64, true},
		{TypeInt32, TypeFloat64, true},
		{TypeInt64, TypeFloat64, true},
		{TypeFloat64, TypeDecimal128, true},
		{TypeNull, TypeDate, true},
		{TypeString, TypeString, true},
		{TypeInt64, TypeInt32, false},
		{TypeFloat64, TypeInt64, false},
		{TypeString, TypeInt32, false},
		{TypeDate, TypeTimestamp, false},
	}
	for _, tc := range tests {
		if got := tc.from.AssignableTo(tc.to); got != tc.want {
			t.Errorf("%s.AssignableTo(%s) = %v, want %v", tc.from, tc.to, got, tc.want)
		}
	}
}

func TestBinaryResult(t *testing.T) {
	tests := []struct {
		op      Op
		a, b    Type
		want    Type
		wantErr string
	}{
		{op: OpAdd, a: TypeInt32, b: TypeInt32, want: TypeInt64},
		{op: OpAdd, a: TypeInt32, b: TypeFloat64, want: TypeFloat64},
		{op: OpMul, a: TypeDecimal128, b: TypeInt64, want: TypeFloat64},
		{op: OpDiv, a: TypeInt64, b: TypeInt64, want: TypeFloat64},
		{op: OpMod, a: TypeInt64, b: TypeInt32, want: TypeInt64},
		{op: OpAdd, a: TypeString, b: TypeInt32, wantErr: "needs two numbers"},
		{op: OpEq, a: TypeString, b: TypeNull, want: TypeBool},
		{op: OpEq, a: TypeString, b: TypeInt32, wantErr: "cannot compare string with int32"},
		{op: OpLt, a: TypeDate, b: TypeDate, want: TypeBool},
		{op: OpLt, a: TypeDate, b: TypeTimestamp, want: TypeBool},
		{op: OpLt, a: TypeBool, b: TypeBool, wantErr: "operator <"},
		{op: OpAnd, a: TypeBool, b: TypeNull, want: TypeBool},
		{op: OpOr, a: TypeBool, b: TypeInt32, wantErr: "needs two booleans"},
	}
	for _, tc := range tests {
		got, err := BinaryResult(tc.op, tc.a, tc.b)
		if tc.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("%s %s %s: error %v, want one containing %q", tc.a, tc.op, tc.b, err, tc.wantErr)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("%s %s %s = %s, %v; want %s", tc.a, tc.op, tc.b, got, err, tc.want)
		}
	}
}

func TestUnaryResult(t *testing.T) {
	if got, err := UnaryResult(OpNeg, TypeDecimal128); err != nil || got != TypeFloat64 {
		t.Errorf("-decimal = %s, %v", got, err)
	}
	if got, err := UnaryResult(OpNot, TypeNull); err != nil || got != TypeBool {
		t.Errorf("!null = %s, %v", got, err)
	}
	if _, err := UnaryResult(OpNot, TypeString); err == nil {
		t.Error("!string was accepted")
	}
}

func TestLimit(t *testing.T) {
	tests := []struct {
		limit    Limit
		n, total int64
		exceeded bool
		text     string
	}{
		{limit: Limit{}, n: 0, total: 10, exceeded: false, text: "0"},
		{limit: Limit{}, n: 1, total: 10, exceeded: true, text: "0"},
		{limit: Limit{Count: 5}, n: 5, total: 10, exceeded: false, text: "5"},
		{limit: Limit{Count: 5}, n: 6, total: 10, exceeded: true, text: "5"},
		{limit: Limit{Share: 0.01}, n: 555, total: 55500, exceeded: false, text: "0.01"},
		{limit: Limit{Share: 0.01}, n: 556, total: 55500, exceeded: true, text: "0.01"},
		{limit: Limit{Unlimited: true}, n: 1e9, total: 1, exceeded: false, text: "unlimited"},
	}
	for _, tc := range tests {
		if got := tc.limit.Exceeded(tc.n, tc.total); got != tc.exceeded {
			t.Errorf("%+v.Exceeded(%d, %d) = %v, want %v", tc.limit, tc.n, tc.total, got, tc.exceeded)
		}
		if got := tc.limit.String(); got != tc.text {
			t.Errorf("%+v.String() = %q, want %q", tc.limit, got, tc.text)
		}
	}
}

func TestCleaners(t *testing.T) {
	var got []string
	for _, f := range Builtins() {
		if f.Cleaner() {
			got = append(got, f.Name)
		}
	}
	// sha256 cleans too: it is how a sensitive column is pseudonymised.
	want := "collapse_spaces lower person_name regex_replace replace sha256 strip_dangling substr title trim upper"
	if strings.Join(got, " ") != want {
		t.Errorf("cleaners = %v, want %s", got, want)
	}
}

func TestSignatureAndLookup(t *testing.T) {
	f, ok := Builtin("strip_dangling")
	if !ok {
		t.Fatal("strip_dangling is not a builtin")
	}
	if got, want := f.Signature(), "strip_dangling(text string, [words list(string)])"; got != want {
		t.Errorf("Signature = %q, want %q", got, want)
	}
	if _, ok := Builtin("nope"); ok {
		t.Error("Builtin found a function that does not exist")
	}
	coalesce, _ := Builtin("coalesce")
	if got, err := coalesce.Result([]Type{TypeNull, TypeInt32, TypeFloat64}); err != nil || got != TypeFloat64 {
		t.Errorf("coalesce(null, int32, float64) = %s, %v", got, err)
	}
	if _, err := coalesce.Result([]Type{TypeString, TypeInt32}); err == nil {
		t.Error("coalesce(string, int32) was accepted")
	}
}

func TestKeywords(t *testing.T) {
	if m, ok := ParseKeyword("upsert", Modes); !ok || m != ModeUpsert {
		t.Errorf("ParseKeyword(upsert) = %v, %v", m, ok)
	}
	if _, ok := ParseKeyword("replase", Modes); ok {
		t.Error("ParseKeyword accepted replase")
	}
	if got := strings.Join(Spellings(CheckKinds), ","); got != "assert,unique,not_null,accepted_values,row_count,similar_except,in_database" {
		t.Errorf("Spellings(CheckKinds) = %s", got)
	}
	if typ, ok := ParseType("decimal128"); !ok || typ != TypeDecimal128 {
		t.Errorf("ParseType(decimal128) = %v, %v", typ, ok)
	}
}

func TestExprHelpers(t *testing.T) {
	// days_between(col.a, col.b) > 0 && !is_null(self)
	e := &Expr{Kind: ExprBinary, Op: OpAnd, Type: TypeBool, Args: []*Expr{
		{Kind: ExprBinary, Op: OpGt, Type: TypeBool, Args: []*Expr{
			{Kind: ExprCall, Func: "days_between", Type: TypeInt32, Args: []*Expr{
				{Kind: ExprColumn, Column: "a", Type: TypeDate}, {Kind: ExprColumn, Column: "b", Type: TypeDate}}},
			{Kind: ExprLiteral, Type: TypeInt64, Value: IntValue(0)}}},
		{Kind: ExprUnary, Op: OpNot, Type: TypeBool, Args: []*Expr{
			{Kind: ExprCall, Func: "is_null", Type: TypeBool, Args: []*Expr{{Kind: ExprSelf, Type: TypeString}}}}},
	}}
	if got, want := e.String(), "(days_between(col.a, col.b) > 0) && !is_null(self)"; got != want {
		t.Errorf("String = %q, want %q", got, want)
	}
	if got := strings.Join(e.Columns(), ","); got != "a,b" {
		t.Errorf("Columns = %s", got)
	}
	if !e.UsesSelf() {
		t.Error("UsesSelf = false")
	}
}

func TestValueString(t *testing.T) {
	tests := []struct {
		v    Value
		want string
	}{
		{Null, "null"},
		{StringValue(`a"b`), `"a\"b"`},
		{IntValue(-3), "-3"},
		{FloatValue(0.25), "0.25"},
		{BoolValue(true), "true"},
		{DateValue(19753), "2024-01-31"},
		{TimestampValue(1706659200123), "2024-01-31T00:00:00.123Z"},
		{ListValue([]string{",", "and"}), `[",", "and"]`},
	}
	for _, tc := range tests {
		if got := tc.v.String(); got != tc.want {
			t.Errorf("%+v.String() = %q, want %q", tc.v, got, tc.want)
		}
	}
}

func TestEnumsMarshalAsWords(t *testing.T) {
	got, err := json.Marshal(struct {
		T Type
		M Mode
		S Severity
		K CheckKind
		O Op
	}{TypeDate, ModeAppend, SeverityWarn, CheckSimilarExcept, OpGe})
	if err != nil {
		t.Fatal(err)
	}
	if want := `{"T":"date","M":"append","S":"warn","K":"similar_except","O":"\u003e="}`; string(got) != want {
		t.Errorf("JSON = %s, want %s", got, want)
	}
}
