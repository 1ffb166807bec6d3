package eval

import (
	"crypto/sha256"
	"encoding/hex"
	"math"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow/decimal128"

	"runner/stages/plan"
	"runner/stages/stagetest"
)

func sha(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

func TestConcat(t *testing.T) {
	tests := []struct {
		name string
		expr *plan.Expr
		cols []col
		want []any
	}{
		{name: "strings", expr: callE("concat", colE("a", tStr), strE(" "), colE("b", tStr)),
			cols: []col{strCol("a", "Ann", "Zoë", nil), strCol("b", "Lee", "", "x")}, want: vals("Ann Lee", "Zoë ", nil)},
		{name: "integers", expr: callE("concat", colE("a", tI32), strE("/"), colE("b", tI64)),
			cols: []col{i32Col("a", -7, math.MaxInt32), i64Col("b", math.MinInt64, 0)}, want: vals("-7/-9223372036854775808", "2147483647/0")},
		{name: "floats, shortest and never an exponent", expr: callE("concat", colE("a", tF64)),
			cols: []col{f64Col("a", 18856.281305978155, 0.1, 1e21, 5e-7, math.Copysign(0, -1), 3.0, math.Inf(-1), math.NaN())},
			want: vals("18856.281305978155", "0.1", "1000000000000000000000", "0.0000005", "-0", "3", "-Inf", "NaN")},
		{name: "decimals, exact", expr: callE("concat", colE("a", tDec)),
			cols: []col{decCol("a", 2, "12.50", "-0.05", "0.00", "-123456789012345678901234567890123456.78", nil)},
			want: vals("12.50", "-0.05", "0.00", "-123456789012345678901234567890123456.78", nil)},
		{name: "decimals, scale 0", expr: callE("concat", colE("a", tDec)),
			cols: []col{decCol("a", 0, "0", "-42", "99999999999999999999999999999999999999")},
			want: vals("0", "-42", "99999999999999999999999999999999999999")},
		{name: "bools", expr: callE("concat", colE("a", tBool), strE("!")),
			cols: []col{boolCol("a", true, false, nil)}, want: vals("true!", "false!", nil)},
		{name: "dates", expr: callE("concat", colE("a", tDate)),
			cols: []col{dateCol("a", "2024-01-31", "1969-12-31", "0001-01-01", "9999-12-31")},
			want: vals("2024-01-31", "1969-12-31", "0001-01-01", "9999-12-31")},
		{name: "timestamps", expr: callE("concat", colE("a", tTS)),
			cols: []col{tsCol("a", "2024-01-31T10:20:30.456Z", "1969-12-31T23:59:59.999Z", "2024-01-31T10:20:30+02:00")},
			want: vals("2024-01-31T10:20:30.456Z", "1969-12-31T23:59:59.999Z", "2024-01-31T08:20:30.000Z")},
		{name: "literals of every type", expr: callE("concat", intE(1), floatE(2.5), boolE(false), litE(plan.DateValue(0)), litE(plan.TimestampValue(-1)), typedLit(plan.Value{Type: tDec, Str: "-0.50"}, tDec), colE("a", tStr)),
			cols: []col{strCol("a", "|")}, want: vals("12.5false1970-01-011969-12-31T23:59:59.999Z-0.50|")},
		{name: "a null literal", expr: callE("concat", colE("a", tStr), nullE()),
			cols: []col{strCol("a", "x")}, want: vals(nil)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { checkEval(t, tt.expr, tt.want, tt.cols...) })
	}
}

// TestDecimalText checks the decimal writer against arrow's own over the
// edges of the 128-bit range and of the scale.
func TestDecimalText(t *testing.T) {
	stagetest.Allocator(t) // no Arrow memory here; the check costs nothing
	nums := []decimal128.Num{
		decimal128.FromI64(0), decimal128.FromI64(1), decimal128.FromI64(-1),
		decimal128.FromI64(math.MaxInt64), decimal128.FromI64(math.MinInt64),
		decimal128.New(1, 0), decimal128.New(-1, 1), decimal128.GetMaxValue(38), decimal128.GetMaxValue(38).Negate(),
		decimal128.New(0, 1e19), decimal128.New(0, 1e19-1), decimal128.New(5421010862427522170, 687399551400673279),
	}
	for _, n := range nums {
		for _, scale := range []int32{0, 1, 2, 19, 20, 37, 38} {
			if got, want := string(appendDecimal(nil, n, scale)), n.ToString(scale); got != want {
				t.Errorf("appendDecimal(%v, %d) = %s, want %s", n, scale, got, want)
			}
		}
		if got, want := string(appendDecimal(nil, n, -2)), n.ToString(0)+"00"; n.Sign() != 0 && got != want {
			t.Errorf("appendDecimal(%v, -2) = %s, want %s", n, got, want)
		}
	}
}

// TestDateText checks the date and timestamp writers against package time
// across four centuries and the years package time writes differently.
func TestDateText(t *testing.T) {
	stagetest.Allocator(t) // no Arrow memory here; the check costs nothing
	for days := int64(-200_000); days <= 200_000; days += 37 {
		want := time.Unix(days*86400, 0).UTC().Format(time.DateOnly)
		if got := string(appendDate(nil, days)); got != want {
			t.Fatalf("appendDate(%d) = %s, want %s", days, got, want)
		}
		wy, wm, wd := time.Unix(days*86400, 0).UTC().Date()
		if y, m, d := civilFromDays(days); y != int64(wy) || m != int(wm) || d != wd {
			t.Fatalf("civilFromDays(%d) = %d-%d-%d, want %d-%d-%d", days, y, m, d, wy, wm, wd)
		}
		ms := days*msPerDay + (days*7919)%msPerDay
		wantTS := time.UnixMilli(ms).UTC().Format("2006-01-02T15:04:05.000Z07:00")
		if got := string(appendTimestamp(nil, ms)); got != wantTS {
			t.Fatalf("appendTimestamp(%d) = %s, want %s", ms, got, wantTS)
		}
	}
	for _, days := range []int64{math.MinInt32, -719529, 2932897, math.MaxInt32} {
		want := time.Unix(days*86400, 0).UTC().Format(time.DateOnly)
		if got := string(appendDate(nil, days)); got != want {
			t.Errorf("appendDate(%d) = %s, want %s", days, got, want)
		}
	}
}

func TestFormat(t *testing.T) {
	tests := []struct {
		name string
		expr *plan.Expr
		cols []col
		want []any
	}{
		{name: "zero-padded integer", expr: callE("format", strE("%s-%04d"), colE("w", tStr), colE("n", tI32)),
			cols: []col{strCol("w", "B", "C", nil), i32Col("n", 7, -7, 1)}, want: vals("B-0007", "C--007", nil)},
		{name: "floats", expr: callE("format", strE("%f|%.2f|%8.1f|%-6.0f|"), colE("f", tF64), colE("f", tF64), colE("f", tF64), colE("f", tF64)),
			cols: []col{f64Col("f", 3.14159, -2.5)}, want: vals("3.141590|3.14|     3.1|3     |", "-2.500000|-2.50|    -2.5|-2    |")},
		{name: "integer with %f", expr: callE("format", strE("%.1f"), colE("n", tI64)),
			cols: []col{i64Col("n", 3)}, want: vals("3.0")},
		{name: "decimal with %f", expr: callE("format", strE("%.3f"), colE("d", tDec)),
			cols: []col{decCol("d", 2, "12.50")}, want: vals("12.500")},
		{name: "any value with %v", expr: callE("format", strE("%v %v %v %v"), colE("b", tBool), colE("d", tDate), colE("f", tF64), colE("d2", tDec)),
			cols: []col{boolCol("b", true), dateCol("d", "2024-01-31"), f64Col("f", 0.5), decCol("d2", 1, "1.0")}, want: vals("true 2024-01-31 0.5 1.0")},
		{name: "string widths in characters", expr: callE("format", strE("[%5s][%-5s][%05s]"), colE("s", tStr), colE("s", tStr), colE("s", tStr)),
			cols: []col{strCol("s", "Zoë", "toolong")}, want: vals("[  Zoë][Zoë  ][00Zoë]", "[toolong][toolong][toolong]")},
		{name: "percent and no directive text", expr: callE("format", strE("100%% of %s"), colE("s", tStr)),
			cols: []col{strCol("s", "x")}, want: vals("100% of x")},
		{name: "literal value", expr: callE("format", strE("%s=%d"), colE("s", tStr), intE(5)),
			cols: []col{strCol("s", "k")}, want: vals("k=5")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { checkEval(t, tt.expr, tt.want, tt.cols...) })
	}
}

func TestSHA256(t *testing.T) {
	tests := []struct {
		name string
		expr *plan.Expr
		cols []col
		want []any
	}{
		{name: "string", expr: callE("sha256", colE("s", tStr)),
			cols: []col{strCol("s", "Ann", "", nil)}, want: vals(sha("Ann"), sha(""), nil)},
		{name: "text form of a number", expr: callE("sha256", colE("n", tI32)),
			cols: []col{i32Col("n", 42, nil)}, want: vals(sha("42"), nil)},
		{name: "text form of a date", expr: callE("sha256", colE("d", tDate)),
			cols: []col{dateCol("d", "2024-01-31")}, want: vals(sha("2024-01-31"))},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { checkEval(t, tt.expr, tt.want, tt.cols...) })
	}
}

func TestCoalesce(t *testing.T) {
	tests := []struct {
		name string
		expr *plan.Expr
		cols []col
		want []any
	}{
		{name: "strings", expr: callE("coalesce", colE("a", tStr), colE("b", tStr), strE("unknown")),
			cols: []col{strCol("a", "x", nil, nil), strCol("b", "y", "z", nil)}, want: vals("x", "z", "unknown")},
		{name: "all null", expr: callE("coalesce", colE("a", tStr), nullE()),
			cols: []col{strCol("a", "x", nil)}, want: vals("x", nil)},
		{name: "int32 and int64 widen", expr: callE("coalesce", colE("a", tI32), colE("b", tI64)),
			cols: []col{i32Col("a", 1, nil, nil), i64Col("b", 2, math.MaxInt64, nil)}, want: vals(1, math.MaxInt64, nil)},
		{name: "int32 alone stays int32", expr: callE("coalesce", colE("a", tI32), typedLit(plan.IntValue(0), tI32)),
			cols: []col{i32Col("a", 5, nil)}, want: vals(5, 0)},
		{name: "number and float", expr: callE("coalesce", colE("a", tI64), floatE(-1)),
			cols: []col{i64Col("a", 5, nil)}, want: vals(5.0, -1.0)},
		{name: "decimal and float read as float", expr: callE("coalesce", colE("a", tDec), floatE(0.5)),
			cols: []col{decCol("a", 2, "1.25", nil)}, want: vals(1.25, 0.5)},
		{name: "decimals of two scales", expr: callE("coalesce", colE("a", tDec), colE("b", tDec)),
			cols: []col{decCol("a", 0, "3", nil), decCol("b", 2, "0.10", "0.20")}, want: vals("3.00", "0.20")},
		{name: "decimal literal", expr: callE("coalesce", colE("a", tDec), typedLit(plan.Value{Type: tDec, Str: "0.5"}, tDec)),
			cols: []col{decCol("a", 2, "1.25", nil)}, want: vals("1.25", "0.50")},
		{name: "bools", expr: callE("coalesce", colE("a", tBool), boolE(true)),
			cols: []col{boolCol("a", false, nil)}, want: vals(false, true)},
		{name: "dates", expr: callE("coalesce", colE("a", tDate), colE("b", tDate)),
			cols: []col{dateCol("a", nil, "2024-01-01"), dateCol("b", "2024-02-02", nil)}, want: vals("2024-02-02", "2024-01-01")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { checkEval(t, tt.expr, tt.want, tt.cols...) })
	}
}

func TestDecimalRescaleOverflow(t *testing.T) {
	e := callE("coalesce", colE("a", tDec), colE("b", tDec))
	_, err := evalRows(t, e, 1, decCol("a", 0, "99999999999999999999999999999999999999"), decCol("b", 2, "0.10"))
	if err == nil {
		t.Fatalf("%s: want an error for a value that does not fit the larger scale", e)
	}
}

func TestRound(t *testing.T) {
	tests := []struct {
		name   string
		digits int64
		in     []any
		want   []any
	}{
		{name: "cents", digits: 2, in: vals(18856.2813, 2.675, 1.005, -2.675, 0.125, 1e300, nil), want: vals(18856.28, 2.68, 1.01, -2.68, 0.13, 1e300, nil)},
		{name: "units, half away from zero", digits: 0, in: vals(0.5, 1.5, 2.5, -0.5, -2.5, 0.49999999999999994, -0.4), want: vals(1.0, 2.0, 3.0, -1.0, -3.0, 0.0, 0.0)},
		{name: "tens", digits: -1, in: vals(1234.5, 15.0, -25.0, 4.9), want: vals(1230.0, 20.0, -30.0, 0.0)},
		{name: "hundreds", digits: -2, in: vals(1250.0, -1250.0, 49.99), want: vals(1300.0, -1300.0, 0.0)},
		{name: "many digits", digits: 30, in: vals(0.1, 1.23456789e-25), want: vals(0.1, 1.23457e-25)},
		{name: "beyond the range", digits: -400, in: vals(1e300), want: vals(0.0)},
		{name: "special values", digits: 1, in: vals(math.Inf(1), 0.0), want: vals(math.Inf(1), 0.0)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkEval(t, callE("round", colE("f", tF64), intE(tt.digits)), tt.want, f64Col("f", tt.in...))
		})
	}
	t.Run("integers unchanged", func(t *testing.T) {
		checkEval(t, callE("round", colE("n", tI32), intE(-1)), vals(15, nil), i32Col("n", 15, nil))
		checkEval(t, callE("round", colE("n", tI64)), vals(15, nil), i64Col("n", 15, nil))
	})
	t.Run("decimals", func(t *testing.T) {
		checkEval(t, callE("round", colE("d", tDec), intE(1)), vals(2.5, -0.1), decCol("d", 2, "2.45", "-0.05"))
	})
	t.Run("NaN", func(t *testing.T) {
		got := evalCols(t, callE("round", colE("f", tF64)), f64Col("f", math.NaN()))
		if f, ok := got[0].(float64); !ok || !math.IsNaN(f) {
			t.Errorf("round(NaN) = %v, want NaN", got[0])
		}
	})
}

// TestRoundAgainstDecimalText checks the fast path of round against the
// decimal rounding of the shortest text, over many values.
func TestRoundAgainstDecimalText(t *testing.T) {
	stagetest.Allocator(t) // no Arrow memory here; the check costs nothing
	for i := 0; i < 20000; i++ {
		x := float64(i*7919%1000003) / 1000 * float64(1-2*(i%2))
		for digits := -3; digits <= 4; digits++ {
			if got, want := roundHalfAway(x, digits), roundDecimal(x, digits); got != want && !(got == 0 && want == 0) {
				t.Fatalf("round(%v, %d) = %v, the decimal rounding gives %v", x, digits, got, want)
			}
		}
	}
}

func TestAbs(t *testing.T) {
	checkEval(t, callE("abs", colE("n", tI32)), vals(5, 5, nil, nil), i32Col("n", -5, 5, math.MinInt32, nil))
	checkEval(t, callE("abs", colE("n", tI64)), vals(5, nil), i64Col("n", -5, math.MinInt64))
	checkEval(t, callE("abs", colE("f", tF64)), vals(3.5, 0.0, math.Inf(1)), f64Col("f", -3.5, math.Copysign(0, -1), math.Inf(-1)))
	checkEval(t, callE("abs", colE("d", tDec)), vals(1.25), decCol("d", 2, "-1.25"))
}

func TestParseDate(t *testing.T) {
	tests := []struct {
		name   string
		layout string
		cases  []textCase
	}{
		{name: "ISO, scanned", layout: "2006-01-02", cases: []textCase{
			{in: "2024-01-31", want: "2024-01-31"}, {in: "2024-02-29", want: "2024-02-29"}, {in: "2023-02-29", want: nil},
			{in: "2024-13-01", want: nil}, {in: "2024-1-31", want: nil}, {in: " 2024-01-31 ", want: "2024-01-31"}, {in: "", want: nil},
			{in: "0000-01-01", want: "0000-01-01"}, {in: "1900-02-29", want: nil}, {in: "2000-02-29", want: "2000-02-29"}, {in: nil, want: nil},
		}},
		{name: "day first", layout: "02/01/2006", cases: []textCase{
			{in: "31/01/2024", want: "2024-01-31"}, {in: "01/31/2024", want: nil},
		}},
		{name: "date of a timestamp text", layout: "2006-01-02T15:04:05", cases: []textCase{
			{in: "2024-01-31T23:59:59", want: "2024-01-31"}, {in: "2024-01-31T24:00:00", want: nil},
			{in: "2024-01-31T10:00:00.5", want: "2024-01-31"}, // a fraction package time accepts
		}},
		{name: "named month, through package time", layout: "Jan 2, 2006", cases: []textCase{
			{in: "Jan 31, 2024", want: "2024-01-31"}, {in: "Feb 30, 2024", want: nil},
		}},
		{name: "offset written in the text", layout: time.RFC3339, cases: []textCase{
			{in: "2024-01-31T23:30:00-05:00", want: "2024-01-31"},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { checkText(t, "parse_date", tt.cases, strE(tt.layout)) })
	}
}

func TestParseTimestamp(t *testing.T) {
	tests := []struct {
		name         string
		layout, zone string
		cases        []textCase
	}{
		{name: "UTC, scanned", layout: "2006-01-02 15:04:05", zone: "UTC", cases: []textCase{
			{in: "2024-01-31 10:20:30", want: "2024-01-31T10:20:30.000Z"}, {in: "1969-12-31 23:59:59", want: "1969-12-31T23:59:59.000Z"},
			{in: "2024-01-31 10:60:00", want: nil}, {in: "bad", want: nil}, {in: nil, want: nil},
		}},
		{name: "zone, scanned", layout: "2006-01-02 15:04", zone: "Europe/Paris", cases: []textCase{
			{in: "2024-01-31 10:00", want: "2024-01-31T09:00:00.000Z"}, {in: "2024-07-01 10:00", want: "2024-07-01T08:00:00.000Z"},
		}},
		{name: "offset in the text wins", layout: time.RFC3339, zone: "Europe/Paris", cases: []textCase{
			{in: "2024-01-31T10:00:00+05:00", want: "2024-01-31T05:00:00.000Z"},
		}},
		{name: "milliseconds", layout: "2006-01-02T15:04:05.000Z07:00", zone: "UTC", cases: []textCase{
			{in: "2024-01-31T10:00:00.123Z", want: "2024-01-31T10:00:00.123Z"},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { checkText(t, "parse_timestamp", tt.cases, strE(tt.layout), strE(tt.zone)) })
	}
	t.Run("default zone is UTC", func(t *testing.T) {
		checkText(t, "parse_timestamp", []textCase{{in: "2024-01-31", want: "2024-01-31T00:00:00.000Z"}}, strE("2006-01-02"))
	})
}

func TestDaysBetween(t *testing.T) {
	tests := []struct {
		name string
		expr *plan.Expr
		cols []col
		want []any
	}{
		{name: "dates", expr: callE("days_between", colE("a", tDate), colE("b", tDate)),
			cols: []col{dateCol("a", "2024-01-31", "2024-02-02", nil, "1969-12-31"), dateCol("b", "2024-02-02", "2024-01-31", "2024-01-01", "1970-01-01")},
			want: vals(2, -2, nil, 1)},
		{name: "timestamps truncate toward zero", expr: callE("days_between", colE("a", tTS), colE("b", tTS)),
			cols: []col{tsCol("a", "2024-01-01T12:00:00Z", "2024-01-03T12:00:00Z", "2024-01-01T00:00:00Z"), tsCol("b", "2024-01-03T11:59:59.999Z", "2024-01-01T12:00:00.001Z", "2024-01-01T23:59:59Z")},
			want: vals(1, -1, 0)},
		{name: "date and timestamp", expr: callE("days_between", colE("a", tDate), colE("b", tTS)),
			cols: []col{dateCol("a", "2024-01-01", "2024-01-02"), tsCol("b", "2024-01-02T06:00:00Z", "2024-01-01T18:00:00Z")},
			want: vals(1, 0)},
		{name: "date literal", expr: callE("days_between", litE(plan.DateValue(0)), colE("b", tDate)),
			cols: []col{dateCol("b", "1970-01-11")}, want: vals(10)},
		{name: "timestamps too far apart", expr: callE("days_between", colE("a", tTS), litE(plan.TimestampValue(math.MaxInt64))),
			cols: []col{tsCol("a", "1970-01-01T00:00:00Z")}, want: vals(nil)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { checkEval(t, tt.expr, tt.want, tt.cols...) })
	}
}

func TestIsNull(t *testing.T) {
	checkEval(t, callE("is_null", colE("s", tStr)), vals(false, true, false), strCol("s", "x", nil, ""))
	checkEval(t, callE("is_null", colE("n", tI32)), vals(false, false), i32Col("n", 1, 2))
	checkEval(t, callE("is_null", callE("trim", colE("s", tStr))), vals(false, true), strCol("s", " x ", nil))
	checkEval(t, callE("is_null", nullE()), vals(true, true), strCol("s", "x", nil))
	checkEval(t, callE("is_null", strE("x")), vals(false, false), strCol("s", "x", nil))
}
