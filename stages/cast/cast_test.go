package cast

import (
	"errors"
	"math"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/google/go-cmp/cmp"

	"runner/stages"
	"runner/stages/plan"
	"runner/stages/stagetest"
)

// null marks a null input cell in the tables; a nil want is a null output.
const null = "\x00null"

// stringArray builds a utf8 array of values, null where a value is null.
func stringArray(t testing.TB, mem memory.Allocator, values []string) *array.String {
	t.Helper()
	b := array.NewStringBuilder(mem)
	defer b.Release()
	for _, v := range values {
		if v == null {
			b.AppendNull()
		} else {
			b.Append(v)
		}
	}
	return b.NewStringArray()
}

// cells renders an output array for comparison: numbers as themselves,
// decimals as text, dates as 2006-01-02 and timestamps in RFC 3339 UTC,
// nulls as nil.
func cells(arr arrow.Array) []any {
	out := make([]any, arr.Len())
	for i := range out {
		if arr.IsNull(i) {
			continue
		}
		switch a := arr.(type) {
		case *array.Int32:
			out[i] = a.Value(i)
		case *array.Int64:
			out[i] = a.Value(i)
		case *array.Float64:
			out[i] = a.Value(i)
		case *array.Boolean:
			out[i] = a.Value(i)
		case *array.Decimal128:
			out[i] = a.Value(i).ToString(a.DataType().(*arrow.Decimal128Type).Scale)
		case *array.Date32:
			out[i] = time.Unix(int64(a.Value(i))*86400, 0).UTC().Format("2006-01-02")
		case *array.Timestamp:
			out[i] = time.UnixMilli(int64(a.Value(i))).UTC().Format("2006-01-02T15:04:05.000Z")
		case *array.String:
			out[i] = a.Value(i)
		}
	}
	return out
}

type castCase struct {
	name string
	spec Spec
	in   []string
	want []any
	// failures lists the failed rows with their reasons; Value is the
	// input at that row.
	failures map[int]string
}

func runCastCases(t *testing.T, tests []castCase) {
	t.Helper()
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			mem := stagetest.Allocator(t)
			c, err := New(tc.spec)
			if err != nil {
				t.Fatal(err)
			}
			in := stringArray(t, mem, tc.in)
			defer in.Release()
			out, failures := c.Cast(mem, in)
			defer out.Release()
			wantType, err := stages.ArrowType(tc.spec.Type, tc.spec.Scale)
			if err != nil {
				t.Fatal(err)
			}
			if !arrow.TypeEqual(out.DataType(), wantType) {
				t.Errorf("output type %s, want %s", out.DataType(), wantType)
			}
			if diff := cmp.Diff(tc.want, cells(out)); diff != "" {
				t.Errorf("Cast(%q) (-want +got):\n%s", tc.in, diff)
			}
			var wantFailures []Failure
			for i, v := range tc.in {
				if reason, ok := tc.failures[i]; ok {
					wantFailures = append(wantFailures, Failure{Row: i, Value: v, Reason: reason})
				}
			}
			if diff := cmp.Diff(wantFailures, failures); diff != "" {
				t.Errorf("failures (-want +got):\n%s", diff)
			}
			if got, want := out.NullN(), countNulls(tc.want); got != want {
				t.Errorf("NullN() = %d, want %d", got, want)
			}
		})
	}
}

func countNulls(values []any) int {
	n := 0
	for _, v := range values {
		if v == nil {
			n++
		}
	}
	return n
}

const (
	int32Reason = ": expected a whole number from -2147483648 to 2147483647"
	int64Reason = ": expected a whole number from -9223372036854775808 to 9223372036854775807"
)

func TestCastIntegers(t *testing.T) {
	runCastCases(t, []castCase{
		{
			name: "int32",
			spec: Spec{Type: plan.TypeInt32},
			in:   []string{"42", " 7 ", "+5", "-0", "007", "2147483647", "-2147483648", null, "\t-12\n"},
			want: []any{int32(42), int32(7), int32(5), int32(0), int32(7), int32(math.MaxInt32), int32(math.MinInt32), nil, int32(-12)},
		},
		{
			name: "int32 failures",
			spec: Spec{Type: plan.TypeInt32},
			in:   []string{"abc", "2147483648", "-2147483649", "1.0", "1e3", "", " ", "-", "1_000", "١٢", "0x10", "12 3"},
			want: make([]any, 12),
			failures: map[int]string{
				0: `"abc" is not an int32` + int32Reason, 1: `"2147483648" is not an int32` + int32Reason,
				2: `"-2147483649" is not an int32` + int32Reason, 3: `"1.0" is not an int32` + int32Reason,
				4: `"1e3" is not an int32` + int32Reason, 5: `"" is not an int32` + int32Reason,
				6: `" " is not an int32` + int32Reason, 7: `"-" is not an int32` + int32Reason,
				8: `"1_000" is not an int32` + int32Reason, 9: `"١٢" is not an int32` + int32Reason,
				10: `"0x10" is not an int32` + int32Reason, 11: `"12 3" is not an int32` + int32Reason,
			},
		},
		{
			name: "int64",
			spec: Spec{Type: plan.TypeInt64},
			in:   []string{"9223372036854775807", "-9223372036854775808", "00000000000000000000000042", "9223372036854775808", "-9223372036854775809", "99999999999999999999", null},
			want: []any{int64(math.MaxInt64), int64(math.MinInt64), int64(42), nil, nil, nil, nil},
			failures: map[int]string{
				3: `"9223372036854775808" is not an int64` + int64Reason,
				4: `"-9223372036854775809" is not an int64` + int64Reason,
				5: `"99999999999999999999" is not an int64` + int64Reason,
			},
		},
	})
}

func TestCastFloat64(t *testing.T) {
	const like = ": expected a number like 1234.5"
	runCastCases(t, []castCase{{
		name: "float64",
		spec: Spec{Type: plan.TypeFloat64},
		in: []string{"1234.5", " -0.25 ", "1e3", "18856.281305978155", ".5", "5.", "1e-400", "-0", null,
			"12,5", "inf", "NaN", "-Infinity", "1e400", "0x1p3", "", "1_0", "1.2.3"},
		want: []any{1234.5, -0.25, 1000.0, 18856.281305978155, 0.5, 5.0, 0.0, math.Copysign(0, -1), nil,
			nil, nil, nil, nil, nil, nil, nil, nil, nil},
		failures: map[int]string{
			9:  `"12,5" is not a float64` + like,
			10: `"inf" is not a float64: not a finite number`,
			11: `"NaN" is not a float64: not a finite number`,
			12: `"-Infinity" is not a float64: not a finite number`,
			13: `"1e400" is not a float64: not a finite number`,
			14: `"0x1p3" is not a float64` + like,
			15: `"" is not a float64` + like,
			16: `"1_0" is not a float64` + like,
			17: `"1.2.3" is not a float64` + like,
		},
	}})
}

func TestCastDecimal128(t *testing.T) {
	const like = ": expected a number like 1234.56"
	thirtyEightNines := strings.Repeat("9", 38)
	runCastCases(t, []castCase{
		{
			name: "scale 2",
			spec: Spec{Type: plan.TypeDecimal128, Scale: 2},
			in:   []string{"1234.56", "1234.5", "1234", " -0.01 ", "+.5", "00001.5", "-0", null, "18856.281305978155"},
			want: []any{"1234.56", "1234.50", "1234.00", "-0.01", "0.50", "1.50", "0.00", nil, "18856.28"},
		},
		{
			name: "half to even",
			spec: Spec{Type: plan.TypeDecimal128, Scale: 2},
			in:   []string{"1.005", "1.015", "1.025", "1.0250", "1.02500001", "-1.005", "-1.015", "0.995", "9.999"},
			want: []any{"1.00", "1.02", "1.02", "1.02", "1.03", "-1.00", "-1.02", "1.00", "10.00"},
		},
		{
			name: "scale 0",
			spec: Spec{Type: plan.TypeDecimal128},
			in:   []string{"0.5", "1.5", "2.5", "-2.5", "3.49", thirtyEightNines, "1" + thirtyEightNines, thirtyEightNines + ".5", thirtyEightNines + ".4"},
			want: []any{"0", "2", "2", "-2", "3", thirtyEightNines, nil, nil, thirtyEightNines},
			failures: map[int]string{
				6: `"1` + thirtyEightNines + `" does not fit a decimal128 with scale 0: expected at most 38 digits before the point`,
				7: `"` + thirtyEightNines + `.5" does not fit a decimal128 with scale 0: expected at most 38 digits before the point`,
			},
		},
		{
			name: "precision with scale",
			spec: Spec{Type: plan.TypeDecimal128, Scale: 2},
			in:   []string{strings.Repeat("9", 36), strings.Repeat("9", 37), "-" + strings.Repeat("9", 36) + ".99"},
			want: []any{strings.Repeat("9", 36) + ".00", nil, "-" + strings.Repeat("9", 36) + ".99"},
			failures: map[int]string{
				1: `"` + strings.Repeat("9", 37) + `" does not fit a decimal128 with scale 2: expected at most 36 digits before the point`,
			},
		},
		{
			name: "syntax",
			spec: Spec{Type: plan.TypeDecimal128, Scale: 2},
			in:   []string{"", ".", "-", "1e3", "1,5", "1.2.3", "abc", "1 000"},
			want: make([]any, 8),
			failures: map[int]string{
				0: `"" is not a decimal128` + like, 1: `"." is not a decimal128` + like, 2: `"-" is not a decimal128` + like,
				3: `"1e3" is not a decimal128` + like, 4: `"1,5" is not a decimal128` + like, 5: `"1.2.3" is not a decimal128` + like,
				6: `"abc" is not a decimal128` + like, 7: `"1 000" is not a decimal128` + like,
			},
		},
	})
}

func TestCastBool(t *testing.T) {
	const expected = ": expected true/false, yes/no, y/n, t/f or 1/0"
	runCastCases(t, []castCase{{
		name: "bool",
		spec: Spec{Type: plan.TypeBool},
		in:   []string{"true", "FALSE", "Yes", "no", "Y", "n", "T", "f", "1", "0", " TrUe ", null, "maybe", "2", "", "\x11", "yess", "nope"},
		want: []any{true, false, true, false, true, false, true, false, true, false, true, nil, nil, nil, nil, nil, nil, nil},
		failures: map[int]string{
			12: `"maybe" is not a bool` + expected, 13: `"2" is not a bool` + expected, 14: `"" is not a bool` + expected,
			15: `"\x11" is not a bool` + expected, 16: `"yess" is not a bool` + expected, 17: `"nope" is not a bool` + expected,
		},
	}})
}

func TestCastDate(t *testing.T) {
	runCastCases(t, []castCase{
		{
			name: "default layout",
			spec: Spec{Type: plan.TypeDate},
			in:   []string{"2024-01-31", " 2024-02-29 ", "1970-01-01", "1969-12-31", "0001-01-01", "9999-12-31", "2000-02-29", null},
			want: []any{"2024-01-31", "2024-02-29", "1970-01-01", "1969-12-31", "0001-01-01", "9999-12-31", "2000-02-29", nil},
		},
		{
			name: "failures",
			spec: Spec{Type: plan.TypeDate},
			in:   []string{"2024-13-45", "2023-02-29", "1900-02-29", "2024-1-5", "2024-01-31x", "31/01/2024", "", "2024-00-10", "2024-04-31"},
			want: make([]any, 9),
			failures: map[int]string{
				0: `"2024-13-45" is not a date in the layout 2006-01-02 (month out of range)`,
				1: `"2023-02-29" is not a date in the layout 2006-01-02 (day out of range)`,
				2: `"1900-02-29" is not a date in the layout 2006-01-02 (day out of range)`,
				3: `"2024-1-5" is not a date in the layout 2006-01-02 (cannot parse "1-5" as "01")`,
				4: `"2024-01-31x" is not a date in the layout 2006-01-02 (extra text: "x")`,
				5: `"31/01/2024" is not a date in the layout 2006-01-02 (cannot parse "31/01/2024" as "2006")`,
				6: `"" is not a date in the layout 2006-01-02 (cannot parse "" as "2006")`,
				7: `"2024-00-10" is not a date in the layout 2006-01-02 (month out of range)`,
				8: `"2024-04-31" is not a date in the layout 2006-01-02 (day out of range)`,
			},
		},
		{
			name: "us layout",
			spec: Spec{Type: plan.TypeDate, Format: "01/02/2006"},
			in:   []string{"12/31/2024", "02/29/2024", "31/12/2024"},
			want: []any{"2024-12-31", "2024-02-29", nil},
			failures: map[int]string{
				2: `"31/12/2024" is not a date in the layout 01/02/2006 (month out of range)`,
			},
		},
		{
			name: "compact layout",
			spec: Spec{Type: plan.TypeDate, Format: "20060102"},
			in:   []string{"20240131", "2024013"},
			want: []any{"2024-01-31", nil},
			failures: map[int]string{
				1: `"2024013" is not a date in the layout 20060102 (cannot parse "3" as "02")`,
			},
		},
		{
			name: "layout needing time.Parse",
			spec: Spec{Type: plan.TypeDate, Format: "Jan 2, 2006"},
			in:   []string{"Mar 5, 2024", "Feb 29, 2023"},
			want: []any{"2024-03-05", nil},
			failures: map[int]string{
				1: `"Feb 29, 2023" is not a date in the layout Jan 2, 2006 (day out of range)`,
			},
		},
		{
			name: "date written with a time and zone keeps its own day",
			spec: Spec{Type: plan.TypeDate, Format: time.RFC3339},
			in:   []string{"2024-01-31T23:30:00-05:00", "2024-01-31T00:30:00+09:00"},
			want: []any{"2024-01-31", "2024-01-31"},
		},
	})
}

func TestCastTimestamp(t *testing.T) {
	runCastCases(t, []castCase{
		{
			name: "rfc3339",
			spec: Spec{Type: plan.TypeTimestamp},
			in: []string{"2024-01-31T10:20:30Z", "2024-01-31T10:20:30+02:00", "2024-01-31T10:20:30.123456789Z",
				"2024-01-31T10:20:30,5-01:30", "1969-12-31T23:59:59.999Z", "1969-12-31T23:59:59.9999Z", " 2024-01-31T10:20:30Z ", null},
			want: []any{"2024-01-31T10:20:30.000Z", "2024-01-31T08:20:30.000Z", "2024-01-31T10:20:30.123Z",
				"2024-01-31T11:50:30.500Z", "1969-12-31T23:59:59.999Z", "1969-12-31T23:59:59.999Z", "2024-01-31T10:20:30.000Z", nil},
		},
		{
			name: "rfc3339 failures",
			spec: Spec{Type: plan.TypeTimestamp},
			in:   []string{"2024-01-31 10:20:30", "2024-01-31T24:00:00Z", "2024-01-31T10:20:30"},
			want: make([]any, 3),
			failures: map[int]string{
				0: `"2024-01-31 10:20:30" is not a timestamp in the layout 2006-01-02T15:04:05Z07:00 (cannot parse " 10:20:30" as "T")`,
				1: `"2024-01-31T24:00:00Z" is not a timestamp in the layout 2006-01-02T15:04:05Z07:00 (hour out of range)`,
				2: `"2024-01-31T10:20:30" is not a timestamp in the layout 2006-01-02T15:04:05Z07:00 (cannot parse "" as "Z07:00")`,
			},
		},
		{
			name: "zone for a zoneless layout, across DST",
			spec: Spec{Type: plan.TypeTimestamp, Format: "2006-01-02 15:04:05", Zone: "America/New_York"},
			in: []string{"2024-01-15 12:00:00", "2024-07-01 12:00:00",
				// 02:30 does not exist on 10 March 2024 in New York: Go reads it
				// with the offset before the change (EST). 01:30 happens twice
				// on 3 November 2024: Go takes the first (EDT).
				"2024-03-10 02:30:00", "2024-11-03 01:30:00"},
			want: []any{"2024-01-15T17:00:00.000Z", "2024-07-01T16:00:00.000Z", "2024-03-10T06:30:00.000Z", "2024-11-03T05:30:00.000Z"},
		},
		{
			name: "zone does not override an offset in the value",
			spec: Spec{Type: plan.TypeTimestamp, Zone: "Europe/Paris"},
			in:   []string{"2024-07-01T12:00:00Z", "2024-07-01T12:00:00+05:30"},
			want: []any{"2024-07-01T12:00:00.000Z", "2024-07-01T06:30:00.000Z"},
		},
		{
			name: "milliseconds layout",
			spec: Spec{Type: plan.TypeTimestamp, Format: "2006-01-02 15:04:05.000"},
			in:   []string{"2024-01-31 10:20:30.123", "2024-01-31 10:20:30.12", "2024-01-31 10:20:30"},
			want: []any{"2024-01-31T10:20:30.123Z", nil, nil},
			failures: map[int]string{
				1: `"2024-01-31 10:20:30.12" is not a timestamp in the layout 2006-01-02 15:04:05.000 (cannot parse ".12" as ".000")`,
				2: `"2024-01-31 10:20:30" is not a timestamp in the layout 2006-01-02 15:04:05.000 (cannot parse "" as ".000")`,
			},
		},
		{
			name: "one-digit hour falls back to time.Parse",
			spec: Spec{Type: plan.TypeTimestamp, Format: "2006-01-02 15:04"},
			in:   []string{"2024-01-31 9:05", "2024-01-31 09:05"},
			want: []any{"2024-01-31T09:05:00.000Z", "2024-01-31T09:05:00.000Z"},
		},
		{
			name: "layout needing time.Parse",
			spec: Spec{Type: plan.TypeTimestamp, Format: time.RFC1123Z},
			in:   []string{"Wed, 31 Jan 2024 10:20:30 +0100"},
			want: []any{"2024-01-31T09:20:30.000Z"},
		},
	})
}

func TestCastString(t *testing.T) {
	mem := stagetest.Allocator(t)
	in := stringArray(t, mem, []string{"a", null, " b "})
	defer in.Release()
	c, err := New(Spec{Type: plan.TypeString})
	if err != nil {
		t.Fatal(err)
	}
	out, failures := c.Cast(mem, in)
	defer out.Release()
	if out != arrow.Array(in) || failures != nil {
		t.Errorf("string cast returned %v, %v; want the input itself", out, failures)
	}
}

// TestCastSlice casts a slice of an array, whose validity bitmap starts
// mid-byte: the nulls must stay on their rows.
func TestCastSlice(t *testing.T) {
	mem := stagetest.Allocator(t)
	full := stringArray(t, mem, []string{"1", null, "3", "x", null, "6", "7", "8", null, "10", "11"})
	defer full.Release()
	in := array.NewSlice(full, 3, 11).(*array.String)
	defer in.Release()
	c, err := New(Spec{Type: plan.TypeInt32})
	if err != nil {
		t.Fatal(err)
	}
	out, failures := c.Cast(mem, in)
	defer out.Release()
	want := []any{nil, nil, int32(6), int32(7), int32(8), nil, int32(10), int32(11)}
	if diff := cmp.Diff(want, cells(out)); diff != "" {
		t.Errorf("cast of a slice (-want +got):\n%s", diff)
	}
	if len(failures) != 1 || failures[0].Row != 0 || failures[0].Value != "x" {
		t.Errorf("failures = %+v, want row 0 \"x\"", failures)
	}
}

func TestNewErrors(t *testing.T) {
	tests := []struct {
		name    string
		spec    Spec
		wantErr string
	}{
		{name: "no type", spec: Spec{}, wantErr: "cast: stages: no Arrow type for invalid"},
		{name: "decimal scale", spec: Spec{Type: plan.TypeDecimal128, Scale: 39}, wantErr: "cast: decimal128 scale 39 is out of range: it must be from 0 to 38"},
		{name: "negative scale", spec: Spec{Type: plan.TypeDecimal128, Scale: -1}, wantErr: "cast: decimal128 scale -1 is out of range: it must be from 0 to 38"},
		{name: "unknown zone", spec: Spec{Type: plan.TypeTimestamp, Zone: "Europe/Pariss"}, wantErr: `cast: zone "Europe/Pariss": unknown time zone Europe/Pariss`},
		{name: "local zone", spec: Spec{Type: plan.TypeTimestamp, Zone: "Local"}, wantErr: `cast: zone "Local" depends on the machine the pipeline runs on; name an IANA zone such as "Europe/Paris"`},
		{name: "not a Go layout", spec: Spec{Type: plan.TypeDate, Format: "YYYY-MM-DD"}, wantErr: `cast: format "YYYY-MM-DD" does not hold a full date: Go layouts write the reference time Mon Jan 2 15:04:05 MST 2006, as in "2006-01-02"`},
		{name: "no day", spec: Spec{Type: plan.TypeTimestamp, Format: "15:04:05"}, wantErr: `cast: format "15:04:05" does not hold a full date: Go layouts write the reference time Mon Jan 2 15:04:05 MST 2006, as in "2006-01-02T15:04:05Z07:00"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := New(tc.spec)
			if err == nil || err.Error() != tc.wantErr {
				t.Errorf("New(%+v) error = %v, want %q", tc.spec, err, tc.wantErr)
			}
		})
	}
}

func TestParseDetailWithoutError(t *testing.T) {
	if got := parseDetail(nil); got == "" {
		t.Error("parseDetail(nil) is empty")
	}
	if got := parseDetail(errors.New("boom")); got != "boom" {
		t.Errorf("parseDetail of a plain error = %q", got)
	}
}

// TestDaysFromCivil compares the calendar arithmetic with package time on
// every day of years 0 to 9999.
func TestDaysFromCivil(t *testing.T) {
	for day := time.Date(0, 1, 1, 0, 0, 0, 0, time.UTC); day.Year() < 10000; day = day.AddDate(0, 0, 1) {
		want := day.Unix() / 86400
		if got := daysFromCivil(day.Year(), int(day.Month()), day.Day()); got != want {
			t.Fatalf("daysFromCivil(%s) = %d, want %d", day.Format("2006-01-02"), got, want)
		}
	}
}

// TestFloatFastPath checks that typical numbers take the fast path, and
// agree with strconv there: falling back would still be right, only slow.
func TestFloatFastPath(t *testing.T) {
	for _, s := range []string{"18856.281305978155", "33643.327286577885", "-0.5", "1e10", "123456789012345678", "0.1", "2.5E-3", "-4.9e-60"} {
		got, ok := parseDecimalFloat(s)
		want, err := strconv.ParseFloat(s, 64)
		if !ok || err != nil || got != want {
			t.Errorf("parseDecimalFloat(%q) = %v, %v; want the fast path to give %v", s, got, ok, want)
		}
	}
}
