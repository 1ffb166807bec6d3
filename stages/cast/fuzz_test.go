package cast

import (
	"math"
	"math/big"
	"strconv"
	"strings"
	"testing"
	"time"

	"runner/stages/plan"
)

// FuzzParseInt checks parseInt against strconv.ParseInt, and that a
// successful parse round-trips: formatting the value gives the text back,
// without its spaces, plus sign and leading zeros.
func FuzzParseInt(f *testing.F) {
	for _, s := range []string{"0", "-0", "+12", " 42 ", "007", "2147483648", "-9223372036854775808", "9223372036854775808", "1e3", "", "-", "٣"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, bits := range []int{32, 64} {
			lo, hi := int64(math.MinInt32), int64(math.MaxInt32)
			if bits == 64 {
				lo, hi = math.MinInt64, math.MaxInt64
			}
			got, ok := parseInt(s, lo, hi)
			want, err := strconv.ParseInt(trimSpace(s), 10, bits)
			if ok != (err == nil) || ok && got != want {
				t.Fatalf("parseInt(%q) as int%d = %d, %v; strconv says %d, %v", s, bits, got, ok, want, err)
			}
			if ok {
				if back := strconv.FormatInt(got, 10); back != normalizeInt(s) {
					t.Fatalf("parseInt(%q) = %d, which formats as %q, want %q", s, got, back, normalizeInt(s))
				}
			}
		}
	})
}

// normalizeInt is how an integer's text reads once parsed and formatted.
func normalizeInt(s string) string {
	s = trimSpace(s)
	sign := ""
	if s[0] == '-' || s[0] == '+' {
		if s[0] == '-' {
			sign = "-"
		}
		s = s[1:]
	}
	s = strings.TrimLeft(s, "0")
	if s == "" {
		return "0"
	}
	return sign + s
}

// FuzzParseFloat checks parseFloat against strconv.ParseFloat bit for bit:
// it must accept exactly the finite decimal numbers strconv accepts.
func FuzzParseFloat(f *testing.F) {
	for _, s := range []string{"1.5", "-0", "1e400", "1e-400", "inf", "NaN", "0x1p3", "1_0", " 2 ", ".5", "5.", "18856.281305978155",
		"9007199254740993", "1e23", "0.000000000000000000000000000001", "12345678901234567890", "-1.7976931348623157e308", "4e-324", "1e", "+.e1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, ok := parseFloat(s)
		want, err := strconv.ParseFloat(trimSpace(s), 64)
		wantOK := err == nil && !math.IsInf(want, 0) && !math.IsNaN(want) && !strings.ContainsAny(s, "xX_")
		if ok != wantOK || ok && math.Float64bits(got) != math.Float64bits(want) {
			t.Fatalf("parseFloat(%q) = %v, %v; strconv says %v, %v", s, got, ok, want, err)
		}
	})
}

// FuzzParseDecimal checks parseDecimal against exact rational arithmetic
// rounded half to even.
func FuzzParseDecimal(f *testing.F) {
	for _, s := range []string{"1.005", "-2.5", "+.5", "99999999999999999999999999999999999999.5", "0.000", "12", "", ".", "1e3"} {
		f.Add(s, uint8(2))
	}
	f.Fuzz(func(t *testing.T, s string, scaleByte uint8) {
		scale := int(scaleByte) % 39
		got, fault := parseDecimal(s, scale, 38-scale)
		if fault == decimalSyntax {
			return
		}
		r, ok := new(big.Rat).SetString(trimSpace(s))
		if !ok {
			t.Fatalf("parseDecimal(%q) accepted what big.Rat does not", s)
		}
		scaled := new(big.Rat).Mul(r, new(big.Rat).SetInt(new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(scale)), nil)))
		want := roundHalfEven(scaled)
		limit := new(big.Int).Exp(big.NewInt(10), big.NewInt(38), nil)
		fits := new(big.Int).Abs(want).Cmp(limit) < 0
		switch {
		case fault == decimalPrecision && fits:
			t.Fatalf("parseDecimal(%q, scale %d) says it does not fit, but it is %s", s, scale, want)
		case fault == decimalOK && got.BigInt().Cmp(want) != 0:
			t.Fatalf("parseDecimal(%q, scale %d) = %s, want %s", s, scale, got.BigInt(), want)
		}
	})
}

func roundHalfEven(r *big.Rat) *big.Int {
	q, m := new(big.Int).QuoRem(r.Num(), r.Denom(), new(big.Int))
	twice := new(big.Int).Abs(new(big.Int).Mul(m, big.NewInt(2)))
	switch c := twice.Cmp(r.Denom()); {
	case c > 0, c == 0 && q.Bit(0) == 1:
		if r.Sign() < 0 {
			q.Sub(q, big.NewInt(1))
		} else {
			q.Add(q, big.NewInt(1))
		}
	}
	return q
}

func FuzzParseBool(f *testing.F) {
	for _, s := range []string{"true", "N", " yes ", "0", "2", "", "\x11"} {
		f.Add(s)
	}
	words := map[string]bool{"true": true, "yes": true, "y": true, "t": true, "1": true, "false": false, "no": false, "n": false, "f": false, "0": false}
	f.Fuzz(func(t *testing.T, s string) {
		got, ok := parseBool(s)
		want, known := words[strings.ToLower(trimSpace(s))]
		if strings.ToLower(trimSpace(s)) != asciiLower(trimSpace(s)) {
			known = false // only ASCII letters fold
		}
		if ok != known || ok && got != want {
			t.Fatalf("parseBool(%q) = %v, %v; want %v, %v", s, got, ok, want, known)
		}
	})
}

func asciiLower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}

var fuzzDateLayouts = []string{"2006-01-02", "01/02/2006", "02/01/2006", "2006/01/02", "20060102", "Jan 2, 2006", time.RFC3339}

// FuzzDate checks the date cast against time.Parse, which is the
// reference, in several layouts; and that a date in a fixed-width layout
// round-trips: formatting the day gives the text back.
func FuzzDate(f *testing.F) {
	for _, s := range []string{"2024-01-31", "2024-02-30", "12/31/2024", "20240131", "Mar 5, 2024", "2024-01-31T23:00:00-05:00", " 0000-01-01 "} {
		f.Add(s, uint8(0))
	}
	f.Fuzz(func(t *testing.T, s string, which uint8) {
		l := fuzzDateLayouts[int(which)%len(fuzzDateLayouts)]
		c, err := New(Spec{Type: plan.TypeDate, Format: l})
		if err != nil {
			t.Fatal(err)
		}
		got, ok := c.dateValue(s)
		ref, err := time.ParseInLocation(l, trimSpace(s), time.UTC)
		if ok != (err == nil) {
			t.Fatalf("date %q in %s: ok %v, time.Parse error %v", s, l, ok, err)
		}
		if !ok {
			return
		}
		y, m, d := ref.Date()
		if want := int32(daysFromCivil(y, int(m), d)); got != want {
			t.Fatalf("date %q in %s = day %d, time.Parse says %d", s, l, got, want)
		}
		if c.fast != nil {
			if back := time.Unix(int64(got)*86400, 0).UTC().Format(l); back != trimSpace(s) {
				t.Fatalf("date %q in %s formats back as %q", s, l, back)
			}
		}
	})
}

var (
	fuzzTimestampLayouts = []string{time.RFC3339, time.RFC3339Nano, "2006-01-02 15:04:05", "2006-01-02T15:04:05.000Z0700",
		"2006-01-02 15:04:05.999 -07:00", "2006-01-02 15:04", "20060102T150405", time.RFC1123Z}
	fuzzZones = []string{"UTC", "America/New_York", "Asia/Kolkata", "Australia/Lord_Howe"}
)

// FuzzTimestamp checks the timestamp cast, fast path included, against
// time.ParseInLocation in several layouts and zones.
func FuzzTimestamp(f *testing.F) {
	for _, s := range []string{"2024-01-31T10:20:30Z", "2024-01-31T10:20:30.5+05:30", "2024-03-10 02:30:00", "2024-01-31 9:05",
		"2024-01-31T10:20:30.123+0100", "2024-01-31 10:20:30.1 -07:00", "20240131T102030", "1969-12-31T23:59:59.9999Z"} {
		f.Add(s, uint8(0), uint8(1))
	}
	f.Fuzz(func(t *testing.T, s string, which, zone uint8) {
		l := fuzzTimestampLayouts[int(which)%len(fuzzTimestampLayouts)]
		z := fuzzZones[int(zone)%len(fuzzZones)]
		c, err := New(Spec{Type: plan.TypeTimestamp, Format: l, Zone: z})
		if err != nil {
			t.Fatal(err)
		}
		got, ok := c.timestampValue(s)
		ref, err := time.ParseInLocation(l, trimSpace(s), c.loc)
		if ok != (err == nil) || ok && got != ref.UnixMilli() {
			t.Fatalf("timestamp %q in %s (%s) = %d, %v; time.Parse says %d, %v", s, l, z, got, ok, ref.UnixMilli(), err)
		}
	})
}

// FuzzLayout builds layouts from Go's layout elements, formats a time in
// each (with a fuzzed suffix), and checks the date and timestamp casts, fast
// path included, against time.ParseInLocation.
func FuzzLayout(f *testing.F) {
	f.Add([]byte{0, 6, 1, 6, 2}, int64(1700000000), uint8(0), "")
	f.Add([]byte{0, 6, 1, 6, 2, 9, 3, 7, 4, 7, 5, 10, 12}, int64(-1), uint8(1), "")
	f.Add([]byte{2, 8, 1, 8, 0, 11, 3, 4, 5, 13}, int64(86399), uint8(2), ".5")
	tokens := []string{"2006", "01", "02", "15", "04", "05", "-", "/", " ", "T", ":", ".000", ".999", "Z07:00", "-0700",
		"Jan", "_2", "1", "2", "06", "Z", ",000", "PM", "MST"}
	zones := []string{"UTC", "America/New_York", "Asia/Kolkata"}
	f.Fuzz(func(t *testing.T, picks []byte, unix int64, zone uint8, suffix string) {
		var b strings.Builder
		for _, p := range picks[:min(len(picks), 14)] {
			b.WriteString(tokens[int(p)%len(tokens)])
		}
		l := b.String()
		const first, last = -62135596800, 253402300799 // years 1 to 9999
		unix = first + (unix%(last-first)+(last-first))%(last-first)
		z := zones[int(zone)%len(zones)]
		for _, typ := range []plan.Type{plan.TypeDate, plan.TypeTimestamp} {
			c, err := New(Spec{Type: typ, Format: l, Zone: z})
			if err != nil {
				continue
			}
			l := c.spec.Format // an empty layout is the default one
			value := time.Unix(unix, 0).In(c.loc).Format(l) + suffix
			ref, refErr := time.ParseInLocation(l, trimSpace(value), c.loc)
			if typ == plan.TypeDate {
				got, ok := c.dateValue(value)
				ref, refErr = time.ParseInLocation(l, trimSpace(value), time.UTC)
				y, m, d := ref.Date()
				if ok != (refErr == nil) || ok && got != int32(daysFromCivil(y, int(m), d)) {
					t.Fatalf("date %q in %q: %d, %v; time.Parse says %s, %v", value, l, got, ok, ref, refErr)
				}
				continue
			}
			got, ok := c.timestampValue(value)
			if ok != (refErr == nil) || ok && got != ref.UnixMilli() {
				t.Fatalf("timestamp %q in %q (%s): %d, %v; time.Parse says %d, %v", value, l, z, got, ok, ref.UnixMilli(), refErr)
			}
		}
	})
}
