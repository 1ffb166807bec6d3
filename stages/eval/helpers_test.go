package eval

import (
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/decimal128"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/google/go-cmp/cmp"

	"runner/stages"
	"runner/stages/plan"
	"runner/stages/stagetest"
)

// Short names for the logical types in test tables.
const (
	tNull = plan.TypeNull
	tStr  = plan.TypeString
	tI32  = plan.TypeInt32
	tI64  = plan.TypeInt64
	tF64  = plan.TypeFloat64
	tDec  = plan.TypeDecimal128
	tBool = plan.TypeBool
	tDate = plan.TypeDate
	tTS   = plan.TypeTimestamp
)

// Expression builders. Each node's type is computed with the typing rules
// of package plan; a combination they reject gets TypeInvalid, which
// Compile reports.

func colE(name string, t plan.Type) *plan.Expr {
	return &plan.Expr{Kind: plan.ExprColumn, Column: name, Type: t}
}

func selfE(t plan.Type) *plan.Expr { return &plan.Expr{Kind: plan.ExprSelf, Type: t} }

func litE(v plan.Value) *plan.Expr { return &plan.Expr{Kind: plan.ExprLiteral, Type: v.Type, Value: v} }

// typedLit is a literal whose node the language has narrowed or widened
// (an integer literal typed int32, float64 or decimal128).
func typedLit(v plan.Value, t plan.Type) *plan.Expr {
	return &plan.Expr{Kind: plan.ExprLiteral, Type: t, Value: v}
}

func strE(s string) *plan.Expr    { return litE(plan.StringValue(s)) }
func intE(i int64) *plan.Expr     { return litE(plan.IntValue(i)) }
func floatE(f float64) *plan.Expr { return litE(plan.FloatValue(f)) }
func boolE(b bool) *plan.Expr     { return litE(plan.BoolValue(b)) }
func nullE() *plan.Expr           { return litE(plan.Null) }
func listE(l ...string) *plan.Expr {
	return litE(plan.ListValue(l))
}

func callE(fn string, args ...*plan.Expr) *plan.Expr {
	e := &plan.Expr{Kind: plan.ExprCall, Func: fn, Args: args, Type: plan.TypeInvalid}
	f, ok := plan.Builtin(fn)
	if !ok {
		return e
	}
	// Fill defaults as the language does, so that the result type sees them.
	types := make([]plan.Type, 0, len(f.Params))
	for _, a := range args {
		types = append(types, a.Type)
	}
	for i := len(args); i < len(f.Params); i++ {
		types = append(types, f.Params[i].Default.Type)
	}
	if t, err := f.Result(types); err == nil {
		e.Type = t
	}
	return e
}

func binE(op plan.Op, a, b *plan.Expr) *plan.Expr {
	t, err := plan.BinaryResult(op, a.Type, b.Type)
	if err != nil {
		t = plan.TypeInvalid
	}
	return &plan.Expr{Kind: plan.ExprBinary, Op: op, Args: []*plan.Expr{a, b}, Type: t}
}

func unE(op plan.Op, a *plan.Expr) *plan.Expr {
	t, err := plan.UnaryResult(op, a.Type)
	if err != nil {
		t = plan.TypeInvalid
	}
	return &plan.Expr{Kind: plan.ExprUnary, Op: op, Args: []*plan.Expr{a}, Type: t}
}

func condE(c, a, b *plan.Expr) *plan.Expr {
	t, ok := plan.CommonType(a.Type, b.Type)
	if !ok {
		t = plan.TypeInvalid
	}
	return &plan.Expr{Kind: plan.ExprCond, Args: []*plan.Expr{c, a, b}, Type: t}
}

// col is an input column: values are Go values (nil for null) — strings,
// ints, float64s, bools, dates as "2006-01-02", timestamps as RFC 3339,
// decimals as their text at the column's scale.
type col struct {
	name  string
	typ   plan.Type
	scale int32
	vals  []any
}

func strCol(name string, vals ...any) col { return col{name: name, typ: tStr, vals: vals} }

func buildArray(t testing.TB, mem memory.Allocator, c col) arrow.Array {
	t.Helper()
	dt, err := stages.ArrowType(c.typ, int(c.scale))
	if err != nil {
		t.Fatalf("column %s: %v", c.name, err)
	}
	b := array.NewBuilder(mem, dt)
	defer b.Release()
	for _, v := range c.vals {
		if v == nil {
			b.AppendNull()
			continue
		}
		switch b := b.(type) {
		case *array.StringBuilder:
			b.Append(v.(string))
		case *array.Int32Builder:
			b.Append(int32(v.(int)))
		case *array.Int64Builder:
			b.Append(int64(v.(int)))
		case *array.Float64Builder:
			b.Append(v.(float64))
		case *array.BooleanBuilder:
			b.Append(v.(bool))
		case *array.Decimal128Builder:
			n, err := decimal128.FromString(v.(string), stages.DecimalPrecision, c.scale)
			if err != nil {
				t.Fatalf("column %s: %v", c.name, err)
			}
			b.Append(n)
		case *array.Date32Builder:
			d, err := time.Parse(time.DateOnly, v.(string))
			if err != nil {
				t.Fatalf("column %s: %v", c.name, err)
			}
			b.Append(arrow.Date32FromTime(d))
		case *array.TimestampBuilder:
			ts, err := time.Parse(time.RFC3339Nano, v.(string))
			if err != nil {
				t.Fatalf("column %s: %v", c.name, err)
			}
			b.Append(arrow.Timestamp(ts.UnixMilli()))
		default:
			t.Fatalf("column %s: no builder for %s", c.name, dt)
		}
	}
	return b.NewArray()
}

// goValues converts an array to Go values in the forms col uses.
func goValues(t testing.TB, arr arrow.Array) []any {
	t.Helper()
	out := make([]any, arr.Len())
	for i := range out {
		if arr.IsNull(i) {
			continue
		}
		switch a := arr.(type) {
		case *array.String:
			out[i] = a.Value(i)
		case *array.Int32:
			out[i] = int(a.Value(i))
		case *array.Int64:
			out[i] = int(a.Value(i))
		case *array.Float64:
			out[i] = a.Value(i)
		case *array.Boolean:
			out[i] = a.Value(i)
		case *array.Decimal128:
			out[i] = a.Value(i).ToString(a.DataType().(*arrow.Decimal128Type).Scale)
		case *array.Date32:
			out[i] = a.Value(i).ToTime().Format(time.DateOnly)
		case *array.Timestamp:
			out[i] = time.UnixMilli(int64(a.Value(i))).UTC().Format("2006-01-02T15:04:05.000Z07:00")
		default:
			t.Fatalf("no Go form for %s", arr.DataType())
		}
	}
	return out
}

// evalRows compiles e and evaluates it over rows rows of the columns (a
// column named "self" is also Env.Self), checking the result's length and
// type and that a string result is well-formed.
func evalRows(t testing.TB, e *plan.Expr, rows int, cols ...col) ([]any, error) {
	t.Helper()
	mem := stagetest.Allocator(t)
	p, err := Compile(e)
	if err != nil {
		return nil, err
	}
	arrays := map[string]arrow.Array{}
	validText := true // invalid UTF-8 in may come out as it went in
	for _, c := range cols {
		a := buildArray(t, mem, c)
		defer a.Release()
		arrays[c.name] = a
		if s, ok := a.(*array.String); ok && s.ValidateFull() != nil {
			validText = false
		}
	}
	out, err := p.Eval(mem, Env{Rows: rows, Self: arrays["self"], Columns: func(name string) arrow.Array { return arrays[name] }})
	if err != nil {
		return nil, err
	}
	defer out.Release()
	if out.Len() != rows {
		t.Fatalf("%s: %d values for %d rows", e, out.Len(), rows)
	}
	if want := wantArrowType(t, p.Type()); out.DataType().ID() != want.ID() {
		t.Fatalf("%s: result is %s, want %s", e, out.DataType(), want)
	}
	if s, ok := out.(*array.String); ok {
		check := s.Validate
		if validText {
			check = s.ValidateFull
		}
		if err := check(); err != nil {
			t.Fatalf("%s: invalid utf8 array: %v", e, err)
		}
	}
	return goValues(t, out), nil
}

func wantArrowType(t testing.TB, pt plan.Type) arrow.DataType {
	t.Helper()
	if pt == plan.TypeNull {
		return arrow.BinaryTypes.String
	}
	dt, err := stages.ArrowType(pt, 0)
	if err != nil {
		t.Fatal(err)
	}
	return dt
}

// evalCols is evalRows over the columns' own length.
func evalCols(t testing.TB, e *plan.Expr, cols ...col) []any {
	t.Helper()
	rows := 1
	if len(cols) > 0 {
		rows = len(cols[0].vals)
	}
	got, err := evalRows(t, e, rows, cols...)
	if err != nil {
		t.Fatalf("%s: %v", e, err)
	}
	return got
}

// checkEval evaluates e over the columns and compares with want.
func checkEval(t *testing.T, e *plan.Expr, want []any, cols ...col) {
	t.Helper()
	got := evalCols(t, e, cols...)
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("%s (-want +got):\n%s", e, diff)
	}
}

// vals is a shorthand for []any.
func vals(v ...any) []any { return v }
