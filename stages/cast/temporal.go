package cast

import (
	"strings"
	"time"
)

// elemKind is one element of a fixed-width layout.
type elemKind uint8

const (
	elemLiteral   elemKind = iota
	elemYear               // 2006
	elemMonth              // 01
	elemDay                // 02
	elemHour               // 15
	elemMinute             // 04
	elemSecond             // 05
	elemFixedFrac          // .000: exactly as many digits
	elemAnyFrac            // .999: optional, any number of digits
	elemZoneZ              // Z07:00 or Z0700: "Z" or an offset
	elemZone               // -07:00 or -0700: an offset
	elemCount
)

type elem struct {
	kind elemKind
	// lit is the byte of a literal; digits the width of a fixed fraction;
	// colon whether an offset has a colon.
	lit    byte
	digits int
	colon  bool
}

// layout is a Go time layout made only of zero-padded numbers, fractions,
// numeric zones and literal punctuation: "2006-01-02", "02/01/2006",
// time.RFC3339, "2006-01-02 15:04:05.000". Values in such a layout parse
// with a few comparisons instead of time.Parse. It mirrors time.Parse's
// rules for these elements; where the two could differ (a one-digit hour, a
// +24:00 offset), it declines and time.Parse decides.
type layout struct {
	elems []elem
	// The layout's leading run of fixed-width elements (all of
	// "2006-01-02T15:04:05" in RFC 3339) is checked by position: prefix is
	// its width, lits its literal bytes, and the *At fields are where each
	// number starts (-1 when it is not in the prefix). rest indexes the
	// first element after the prefix.
	prefix                                       int
	lits                                         []literalAt
	yearAt, monthAt, dayAt, hourAt, minAt, secAt int
	rest                                         int
}

type literalAt struct {
	pos int
	c   byte
}

// compileLayout returns the fast form of a Go layout, or nil when the
// layout has an element the fast path does not handle (month names,
// weekdays, 12-hour clocks, zone names, two-digit years, ...).
func compileLayout(l string, timestamp bool) *layout {
	var seen [elemCount]bool
	out := &layout{}
	add := func(e elem) bool {
		if e.kind != elemLiteral {
			if seen[e.kind] {
				return false
			}
			seen[e.kind] = true
		}
		out.elems = append(out.elems, e)
		return true
	}
	numbers := []struct {
		text string
		kind elemKind
	}{
		{"2006", elemYear}, {"01", elemMonth}, {"02", elemDay},
		{"15", elemHour}, {"04", elemMinute}, {"05", elemSecond},
	}
	zones := []struct {
		text string
		e    elem
	}{
		{"Z07:00", elem{kind: elemZoneZ, colon: true}}, {"Z0700", elem{kind: elemZoneZ}},
		{"-07:00", elem{kind: elemZone, colon: true}}, {"-0700", elem{kind: elemZone}},
	}
next:
	for i := 0; i < len(l); {
		rest := l[i:]
		for _, n := range numbers {
			if strings.HasPrefix(rest, n.text) {
				if !add(elem{kind: n.kind}) {
					return nil
				}
				i += len(n.text)
				continue next
			}
		}
		for _, z := range zones {
			if strings.HasPrefix(rest, z.text) {
				if !add(z.e) {
					return nil
				}
				i += len(z.text)
				continue next
			}
		}
		c := rest[0]
		if (c == '.' || c == ',') && len(rest) > 1 && (rest[1] == '0' || rest[1] == '9') {
			j := 1
			for j < len(rest) && rest[j] == rest[1] {
				j++
			}
			last := len(out.elems) - 1
			if j < len(rest) && isDigit(rest[j]) || last < 0 || out.elems[last].kind != elemSecond {
				return nil
			}
			e := elem{kind: elemAnyFrac}
			if rest[1] == '0' {
				e = elem{kind: elemFixedFrac, digits: j - 1}
			}
			if !add(e) {
				return nil
			}
			i += j
			continue
		}
		if c >= 0x80 || isDigit(c) || isLetter(c) && c != 'T' {
			return nil
		}
		add(elem{kind: elemLiteral, lit: c})
		i++
	}
	if !seen[elemYear] || !seen[elemMonth] || !seen[elemDay] {
		return nil
	}
	if !timestamp && (seen[elemHour] || seen[elemMinute] || seen[elemSecond] || seen[elemZone] || seen[elemZoneZ]) {
		// A date read from a date-time keeps the date as written; leave
		// that to time.Parse.
		return nil
	}
	out.fixPrefix()
	return out
}

// fixPrefix finds the layout's leading run of fixed-width elements and
// where each of its parts sits.
func (l *layout) fixPrefix() {
	l.yearAt, l.monthAt, l.dayAt, l.hourAt, l.minAt, l.secAt = -1, -1, -1, -1, -1, -1
	pos := 0
	for k, e := range l.elems {
		var at *int
		switch e.kind {
		case elemLiteral:
			l.lits = append(l.lits, literalAt{pos: pos, c: e.lit})
			pos++
			continue
		case elemYear:
			l.yearAt = pos
			pos += 4
			continue
		case elemMonth:
			at = &l.monthAt
		case elemDay:
			at = &l.dayAt
		case elemHour:
			at = &l.hourAt
		case elemMinute:
			at = &l.minAt
		case elemSecond:
			// A fraction may follow the seconds even when the layout
			// names none: the elements after them take their turn.
			l.secAt = pos
			l.prefix, l.rest = pos+2, k+1
			return
		default:
			l.prefix, l.rest = pos, k
			return
		}
		*at = pos
		pos += 2
	}
	l.prefix, l.rest = pos, len(l.elems)
}

func isDigit(c byte) bool  { return '0' <= c && c <= '9' }
func isLetter(c byte) bool { return 'a' <= c|0x20 && c|0x20 <= 'z' }

// moment is what a value in a fast layout says.
type moment struct {
	year, month, day, hour, min, sec, nsec int
	// zone: 0 none in the value, 1 "Z", 2 the offset in seconds east.
	zone   uint8
	offset int
}

const (
	zoneNone uint8 = iota
	zoneUTC
	zoneOffset
)

// parse reads s in the layout, or reports false when s does not match or
// is out of range.
func (l *layout) parse(s string) (m moment, ok bool) {
	if len(s) < l.prefix {
		return m, false
	}
	for _, lit := range l.lits {
		if s[lit.pos] != lit.c {
			return m, false
		}
	}
	m.year, m.month, m.day = 1, 1, 1
	if !digits4(s, l.yearAt, &m.year) || !digits2(s, l.monthAt, &m.month) || !digits2(s, l.dayAt, &m.day) ||
		!digits2(s, l.hourAt, &m.hour) || !digits2(s, l.minAt, &m.min) || !digits2(s, l.secAt, &m.sec) ||
		m.month < 1 || m.month > 12 || m.hour > 23 || m.min > 59 || m.sec > 59 {
		return m, false
	}
	i := l.prefix
	if l.rest > 0 && l.elems[l.rest-1].kind == elemSecond {
		// Like time.Parse, take a fraction the layout does not name.
		nextFrac := l.rest < len(l.elems) && (l.elems[l.rest].kind == elemFixedFrac || l.elems[l.rest].kind == elemAnyFrac)
		if !nextFrac && i+1 < len(s) && (s[i] == '.' || s[i] == ',') && isDigit(s[i+1]) {
			m.nsec, i = fraction(s, i)
		}
	}
	for k := l.rest; k < len(l.elems); k++ {
		switch e := l.elems[k]; e.kind {
		case elemLiteral:
			if i >= len(s) || s[i] != e.lit {
				return m, false
			}
			i++
		case elemYear:
			if m.year, ok = number(s, i, 4); !ok {
				return m, false
			}
			i += 4
		case elemMonth:
			if m.month, ok = number(s, i, 2); !ok || m.month < 1 || m.month > 12 {
				return m, false
			}
			i += 2
		case elemDay:
			if m.day, ok = number(s, i, 2); !ok {
				return m, false
			}
			i += 2
		case elemHour:
			if m.hour, ok = number(s, i, 2); !ok || m.hour > 23 {
				return m, false
			}
			i += 2
		case elemMinute:
			if m.min, ok = number(s, i, 2); !ok || m.min > 59 {
				return m, false
			}
			i += 2
		case elemSecond:
			if m.sec, ok = number(s, i, 2); !ok || m.sec > 59 {
				return m, false
			}
			i += 2
			// Like time.Parse, take a fraction the layout does not name.
			nextFrac := k+1 < len(l.elems) && (l.elems[k+1].kind == elemFixedFrac || l.elems[k+1].kind == elemAnyFrac)
			if !nextFrac && i+1 < len(s) && (s[i] == '.' || s[i] == ',') && isDigit(s[i+1]) {
				m.nsec, i = fraction(s, i)
			}
		case elemFixedFrac:
			end := i + 1 + e.digits
			if end > len(s) || (s[i] != '.' && s[i] != ',') || !allDigits(s[i+1:end]) {
				return m, false
			}
			m.nsec, i = fraction(s[:end], i)
		case elemAnyFrac:
			if i+1 < len(s) && (s[i] == '.' || s[i] == ',') && isDigit(s[i+1]) {
				m.nsec, i = fraction(s, i)
			}
		case elemZoneZ, elemZone:
			if e.kind == elemZoneZ && i < len(s) && s[i] == 'Z' {
				m.zone = zoneUTC
				i++
				continue
			}
			width := 5
			if e.colon {
				width = 6
			}
			if i+width > len(s) || (s[i] != '+' && s[i] != '-') || e.colon && s[i+3] != ':' {
				return m, false
			}
			hh, ok1 := number(s, i+1, 2)
			mm, ok2 := number(s, i+width-2, 2)
			if !ok1 || !ok2 || hh > 23 || mm > 59 {
				return m, false
			}
			m.zone, m.offset = zoneOffset, (hh*60+mm)*60
			if s[i] == '-' {
				m.offset = -m.offset
			}
			i += width
		}
	}
	if i != len(s) || m.day < 1 || m.day > daysIn(m.month, m.year) {
		return m, false
	}
	return m, true
}

// number reads the width digits at s[i:].
func number(s string, i, width int) (int, bool) {
	if i+width > len(s) {
		return 0, false
	}
	v := 0
	for _, c := range []byte(s[i : i+width]) {
		if !isDigit(c) {
			return 0, false
		}
		v = v*10 + int(c-'0')
	}
	return v, true
}

// digits2 reads the two digits at s[at:] into v; at < 0 means the layout
// has no such number, and v keeps its value. The caller has checked that
// s is long enough.
func digits2(s string, at int, v *int) bool {
	if at < 0 {
		return true
	}
	hi, lo := s[at]-'0', s[at+1]-'0'
	*v = int(hi)*10 + int(lo)
	return hi <= 9 && lo <= 9
}

// digits4 is digits2 for a four-digit year.
func digits4(s string, at int, v *int) bool {
	var hi, lo int
	ok := digits2(s, at, &hi) && digits2(s, at+2, &lo)
	*v = hi*100 + lo
	return ok
}

// fraction reads the separator and digits at s[i:] as nanoseconds,
// keeping nine digits and ignoring the rest as time.Parse does, and
// returns where the digits end.
func fraction(s string, i int) (nsec, end int) {
	end = i + 1
	scale := 100_000_000
	for end < len(s) && isDigit(s[end]) {
		nsec += int(s[end]-'0') * scale
		scale /= 10
		end++
	}
	return nsec, end
}

func isLeap(year int) bool { return year%4 == 0 && (year%100 != 0 || year%400 == 0) }

func daysIn(month, year int) int {
	switch month {
	case 2:
		if isLeap(year) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}

// daysBeforeMonth[m] is the number of days in a common year before month
// m (1-based).
var daysBeforeMonth = [13]int64{0, 0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334}

// daysFromCivil returns the days from 1970-01-01 to the given day of the
// proleptic Gregorian calendar, for years 0 to 9999: the years every
// layout's four-digit year can write.
func daysFromCivil(year, month, day int) int64 {
	// Leap years in [0, year): those in [1, year-1], counted 400 years
	// later so that every division is of a positive number (any 400 years
	// hold 97 leap years), plus year 0.
	p := uint64(year + 399)
	leaps := int64(p/4-p/100+p/400) - 97 + 1
	days := int64(year)*365 + leaps + daysBeforeMonth[month] + int64(day) - 1
	if month > 2 && isLeap(year) {
		days++
	}
	return days - 719528 // days from 0000-01-01 to 1970-01-01
}

func (c *Caster) dateValue(s string) (int32, bool) {
	s = trimSpace(s)
	if c.fast != nil {
		if m, ok := c.fast.parse(s); ok {
			return int32(daysFromCivil(m.year, m.month, m.day)), true
		}
	}
	t, err := time.ParseInLocation(c.spec.Format, s, time.UTC)
	if err != nil {
		return 0, false
	}
	y, m, d := t.Date()
	return int32(daysFromCivil(y, int(m), d)), true
}

func (c *Caster) timestampValue(s string) (int64, bool) {
	s = trimSpace(s)
	if c.fast != nil {
		if m, ok := c.fast.parse(s); ok {
			if m.zone == zoneNone && c.loc != time.UTC {
				return time.Date(m.year, time.Month(m.month), m.day, m.hour, m.min, m.sec, m.nsec, c.loc).UnixMilli(), true
			}
			secs := daysFromCivil(m.year, m.month, m.day)*86400 + int64(m.hour*3600+m.min*60+m.sec) - int64(m.offset)
			return secs*1000 + int64(m.nsec/1_000_000), true
		}
	}
	t, err := time.ParseInLocation(c.spec.Format, s, c.loc)
	if err != nil {
		return 0, false
	}
	return t.UnixMilli(), true
}
