package eval

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/apache/arrow-go/v18/arrow"

	"runner/stages"
	"runner/stages/plan"
)

// timeLayout is a Go time layout analysed once. Layouts made only of the
// fixed-width numbers 2006 01 02 15 04 05 and separators (" -/:.,T") are
// parsed by a direct scan; anything the scan does not accept (another
// layout, or text of another shape) goes to time.ParseInLocation, so the
// results are always exactly those of package time.
type timeLayout struct {
	text string
	loc  *time.Location
	// fast lists the fields of a layout the scan handles; nil otherwise.
	fast []layoutField
	// size is the length of every text the scan accepts.
	size int
}

type layoutField struct {
	// kind is one of 'Y' 'M' 'D' 'h' 'm' 's', or 0 for a literal byte.
	kind byte
	pos  int
	lit  byte
}

// fastFields are the layout elements the scan understands: their text in a
// layout, their kind and their width in a value.
var fastFields = [...]struct {
	text string
	kind byte
}{{"2006", 'Y'}, {"01", 'M'}, {"02", 'D'}, {"15", 'h'}, {"04", 'm'}, {"05", 's'}}

// fastSeparators are the bytes that package time reads as literal text in
// the positions the scan allows them (before or after a fast field).
const fastSeparators = " -/:.,T"

func newTimeLayout(layout, zone string) (*timeLayout, error) {
	if layout == "" {
		return nil, errors.New("the layout is empty")
	}
	l := &timeLayout{text: layout, loc: time.UTC}
	switch zone {
	case "UTC":
	case "", "Local":
		return nil, fmt.Errorf("zone %q: name an IANA zone such as Europe/Paris, or UTC", zone)
	default:
		loc, err := time.LoadLocation(zone)
		if err != nil {
			return nil, fmt.Errorf("zone %q: %w", zone, err)
		}
		l.loc = loc
	}
	l.fast, l.size = analyseLayout(layout)
	return l, nil
}

// analyseLayout returns the fields of a layout the scan can parse, or nil.
func analyseLayout(layout string) ([]layoutField, int) {
	var fields []layoutField
	var seen [128]bool
	pos := 0
next:
	for i := 0; i < len(layout); {
		for _, f := range fastFields {
			if strings.HasPrefix(layout[i:], f.text) {
				fields = append(fields, layoutField{kind: f.kind, pos: pos})
				seen[f.kind] = true
				pos += len(f.text)
				i += len(f.text)
				continue next
			}
		}
		if strings.IndexByte(fastSeparators, layout[i]) < 0 {
			return nil, 0
		}
		fields = append(fields, layoutField{pos: pos, lit: layout[i]})
		pos++
		i++
	}
	if !seen['Y'] || !seen['M'] || !seen['D'] {
		return nil, 0
	}
	return fields, pos
}

// civilTime is a parsed local date and time.
type civilTime struct{ year, month, day, hour, min, sec int }

// scan parses s with the fast fields; ok is false when s does not have the
// layout's exact shape or a field is out of range.
func (l *timeLayout) scan(s string) (t civilTime, ok bool) {
	if l.fast == nil || len(s) != l.size {
		return t, false
	}
	for _, f := range l.fast {
		if f.kind == 0 {
			if s[f.pos] != f.lit {
				return t, false
			}
			continue
		}
		width := 2
		if f.kind == 'Y' {
			width = 4
		}
		v := 0
		for _, c := range []byte(s[f.pos : f.pos+width]) {
			if c < '0' || c > '9' {
				return t, false
			}
			v = v*10 + int(c-'0')
		}
		switch f.kind {
		case 'Y':
			t.year = v
		case 'M':
			t.month = v
		case 'D':
			t.day = v
		case 'h':
			t.hour = v
		case 'm':
			t.min = v
		case 's':
			t.sec = v
		}
	}
	ok = t.month >= 1 && t.month <= 12 && t.day >= 1 && t.day <= daysIn(t.month, t.year) &&
		t.hour < 24 && t.min < 60 && t.sec < 60
	return t, ok
}

func daysIn(month, year int) int {
	switch month {
	case 2:
		if year%4 == 0 && (year%100 != 0 || year%400 == 0) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}

// date parses s as a calendar day (as written, whatever zone the text
// names), in days since 1970-01-01.
func (l *timeLayout) date(s string) (int32, bool) {
	if t, ok := l.scan(s); ok {
		return int32(daysFromCivil(int64(t.year), t.month, t.day)), true
	}
	t, err := time.ParseInLocation(l.text, s, l.loc)
	if err != nil {
		return 0, false
	}
	y, m, d := t.Date()
	days := daysFromCivil(int64(y), int(m), d)
	return int32(days), days == int64(int32(days))
}

// timestamp parses s as an instant, in milliseconds since the epoch.
func (l *timeLayout) timestamp(s string) (int64, bool) {
	if t, ok := l.scan(s); ok {
		if l.loc == time.UTC {
			secs := daysFromCivil(int64(t.year), t.month, t.day)*86400 + int64(t.hour*3600+t.min*60+t.sec)
			return secs * 1000, true
		}
		return time.Date(t.year, time.Month(t.month), t.day, t.hour, t.min, t.sec, 0, l.loc).UnixMilli(), true
	}
	t, err := time.ParseInLocation(l.text, s, l.loc)
	if err != nil {
		return 0, false
	}
	return t.UnixMilli(), true
}

func parseDateFactory(c *call) (kernel, error) {
	l, err := newTimeLayout(c.consts[1].str, "UTC")
	if err != nil {
		return nil, err
	}
	return parseKernel(plan.TypeDate, func(s string) (int64, bool) {
		d, ok := l.date(s)
		return int64(d), ok
	}), nil
}

func parseTimestampFactory(c *call) (kernel, error) {
	l, err := newTimeLayout(c.consts[1].str, c.consts[2].str)
	if err != nil {
		return nil, err
	}
	return parseKernel(plan.TypeTimestamp, l.timestamp), nil
}

// parseKernel parses every string with parse; text that does not parse is
// null.
func parseKernel(t plan.Type, parse func(string) (int64, bool)) kernel {
	return func(ec *evalCtx, args []value) (arrow.Array, error) {
		in, err := stringArray(args[0])
		if err != nil {
			return nil, err
		}
		n := in.Len()
		dt, err := stages.ArrowType(t, 0)
		if err != nil {
			return nil, err
		}
		ns := nullSetter{mem: ec.mem, n: n, bits: andValidity(ec.mem, n, in)}
		bits, off := bitsOf(in)
		if t == plan.TypeDate {
			buf, out := newValues[int32](ec.mem, n)
			for i := range out {
				out[i] = 0
				if validAt(bits, off, i) {
					v, ok := parse(in.Value(i))
					if !ok {
						ns.setNull(i)
					}
					out[i] = int32(v)
				}
			}
			return makeArray(dt, n, ns.bits, buf), nil
		}
		buf, out := newValues[int64](ec.mem, n)
		for i := range out {
			out[i] = 0
			if validAt(bits, off, i) {
				v, ok := parse(in.Value(i))
				if !ok {
					ns.setNull(i)
				}
				out[i] = v
			}
		}
		return makeArray(dt, n, ns.bits, buf), nil
	}
}

// daysBetweenFactory: whole days from the first argument to the second.
// Two dates give the difference of their days; with a timestamp involved
// (a date being midnight UTC), the difference in milliseconds truncated
// toward zero to whole days. A difference beyond int32 is null.
func daysBetweenFactory(c *call) (kernel, error) {
	ta, tb := c.types[0], c.types[1]
	dates := ta == plan.TypeDate && tb == plan.TypeDate
	return func(ec *evalCtx, args []value) (arrow.Array, error) {
		a, err := viewNumbers(ec.mem, args[0], ta, !dates)
		if err != nil {
			return nil, err
		}
		defer a.release()
		b, err := viewNumbers(ec.mem, args[1], tb, !dates)
		if err != nil {
			return nil, err
		}
		defer b.release()
		n := ec.rows
		ns := nullSetter{mem: ec.mem, n: n, bits: andValidity(ec.mem, n, a.arr, b.arr)}
		buf, out := newValues[int32](ec.mem, n)
		switch {
		case a.kind == kindI32 && b.kind == kindI32:
			daysLoop(a.i32, a.mask, b.i32, b.mask, dates, out, &ns)
		case a.kind == kindI32:
			daysLoop(a.i32, a.mask, b.i64, b.mask, dates, out, &ns)
		case b.kind == kindI32:
			daysLoop(a.i64, a.mask, b.i32, b.mask, dates, out, &ns)
		default:
			daysLoop(a.i64, a.mask, b.i64, b.mask, dates, out, &ns)
		}
		return makeArray(arrow.PrimitiveTypes.Int32, n, ns.bits, buf), nil
	}, nil
}

// daysLoop computes b - a in days (dates) or in milliseconds truncated to
// days; the two loops keep the division out of the dates' path.
func daysLoop[A, B int32 | int64](a []A, am int, b []B, bm int, dates bool, out []int32, ns *nullSetter) {
	if dates {
		for i := range out {
			d := int64(b[i&bm]) - int64(a[i&am])
			if d != int64(int32(d)) {
				ns.setNull(i)
			}
			out[i] = int32(d)
		}
		return
	}
	for i := range out {
		x, y := int64(a[i&am]), int64(b[i&bm])
		d := y - x
		if (y^x)&(y^d) < 0 {
			ns.setNull(i)
			out[i] = 0
			continue
		}
		d /= msPerDay
		if d != int64(int32(d)) {
			ns.setNull(i)
		}
		out[i] = int32(d)
	}
}
