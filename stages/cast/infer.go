package cast

import (
	"time"

	"runner/stages/plan"
)

// inferLayouts are the date and timestamp layouts Infer tries, in order:
// the ISO form first, then the US month-first form before the day-first
// one, so that a column where every day is 12 or less reads as US dates.
var (
	inferDateLayouts      = []string{"2006-01-02", "01/02/2006", "02/01/2006", "2006/01/02"}
	inferTimestampLayouts = []string{time.RFC3339, "2006-01-02 15:04:05"}
)

// Infer picks the narrowest type every non-empty value casts to, trying
// int32, int64, float64, bool, date (in each of inferDateLayouts),
// timestamp (in each of inferTimestampLayouts) and else string. For a date
// or timestamp it also returns the layout. A column of empty values is a
// string column.
//
// Numbers written with a leading zero ("02134", "007") stay strings: they
// are codes, and a numeric column would lose the zeros.
func Infer(values []string) (plan.Type, string) {
	type candidate struct {
		typ    plan.Type
		layout string
		fits   func(string) bool
	}
	var candidates []candidate
	add := func(typ plan.Type, layout string, fits func(string) bool) {
		candidates = append(candidates, candidate{typ: typ, layout: layout, fits: fits})
	}
	numeric := func(parse func(string) bool) func(string) bool {
		return func(s string) bool { return !leadingZero(s) && parse(s) }
	}
	add(plan.TypeInt32, "", numeric(func(s string) bool { _, ok := parseInt(s, -1<<31, 1<<31-1); return ok }))
	add(plan.TypeInt64, "", numeric(func(s string) bool { _, ok := parseInt(s, -1<<63, 1<<63-1); return ok }))
	add(plan.TypeFloat64, "", numeric(func(s string) bool { _, ok := parseFloat(s); return ok }))
	add(plan.TypeBool, "", func(s string) bool { _, ok := parseBool(s); return ok })
	for _, l := range inferDateLayouts {
		c := &Caster{spec: Spec{Type: plan.TypeDate, Format: l}, fast: compileLayout(l, false)}
		add(plan.TypeDate, l, func(s string) bool { _, ok := c.dateValue(s); return ok })
	}
	for _, l := range inferTimestampLayouts {
		c := &Caster{spec: Spec{Type: plan.TypeTimestamp, Format: l}, loc: time.UTC, fast: compileLayout(l, true)}
		add(plan.TypeTimestamp, l, func(s string) bool { _, ok := c.timestampValue(s); return ok })
	}

	alive := make([]bool, len(candidates))
	for i := range alive {
		alive[i] = true
	}
	seen := false
	for _, v := range values {
		if v == "" {
			continue
		}
		seen = true
		for i, c := range candidates {
			if alive[i] && !c.fits(v) {
				alive[i] = false
			}
		}
	}
	if seen {
		for i, c := range candidates {
			if alive[i] {
				return c.typ, c.layout
			}
		}
	}
	return plan.TypeString, ""
}

// leadingZero reports a number written with a zero before another digit,
// sign and surrounding spaces aside: "007", "-01.5".
func leadingZero(s string) bool {
	s = trimSpace(s)
	if len(s) > 0 && (s[0] == '-' || s[0] == '+') {
		s = s[1:]
	}
	return len(s) > 1 && s[0] == '0' && isDigit(s[1])
}
