package schemas

import (
	"fmt"
	"strings"
	"time"
	// Time zones are checked when the pipeline is compiled; embedding the
	// zone database makes that check give the same answer on every machine,
	// including containers that ship without one.
	_ "time/tzdata"
)

// referenceTime is the instant Go layouts are written with.
var referenceTime = time.Date(2006, time.January, 2, 15, 4, 5, 0, time.UTC)

// foreignLayoutTokens translates the date patterns people bring from other
// tools (strftime, ISO, Java) into Go's reference date, to suggest a fix.
var foreignLayoutTokens = strings.NewReplacer(
	"YYYY", "2006", "yyyy", "2006", "YY", "06", "yy", "06",
	"MM", "01", "DD", "02", "dd", "02", "HH", "15", "hh", "03", "mm", "04", "ss", "05",
	"%Y", "2006", "%y", "06", "%m", "01", "%d", "02", "%H", "15", "%I", "03", "%M", "04", "%S", "05",
)

// layoutProblem says why layout cannot parse a full date (every date and
// timestamp layout needs a year, a month and a day), or "".
func layoutProblem(layout string) string {
	if fullDateLayout(layout) {
		return ""
	}
	detail := fmt.Sprintf("%q does not describe a full date. Formats are Go layouts, written with the reference time 2006-01-02 15:04:05: 2006 is the year, 01 the month, 02 the day, 15 the hour, 04 the minute, 05 the second.", layout)
	if fixed := foreignLayoutTokens.Replace(layout); fixed != layout && fullDateLayout(fixed) {
		detail += fmt.Sprintf(" Did you mean %q?", fixed)
	}
	return detail
}

// fullDateLayout reports whether layout reads a year, a month and a day.
func fullDateLayout(layout string) bool {
	t, err := time.Parse(layout, referenceTime.Format(layout))
	return err == nil && t.Year() == 2006 && t.YearDay() == 2
}

// zoneProblem says why zone is not an IANA time zone name, or "".
func zoneProblem(zone string) string {
	if _, err := time.LoadLocation(zone); err != nil || zone == "" || zone == "Local" {
		return fmt.Sprintf("%q is not an IANA time zone name such as \"UTC\", \"Europe/Paris\" or \"America/New_York\".", zone)
	}
	return ""
}

// parseISODate reads a date literal in ISO 8601 form (2024-01-31) as days
// since 1970-01-01.
func parseISODate(s string) (int64, bool) {
	t, err := time.Parse("2006-01-02", s)
	if err != nil {
		return 0, false
	}
	return floorDiv(t.Unix(), 86400), true
}

// isoTimestampLayouts are the forms a timestamp literal may take; without an
// offset it is UTC.
var isoTimestampLayouts = []string{time.RFC3339Nano, "2006-01-02T15:04:05", "2006-01-02 15:04:05", "2006-01-02"}

// parseISOTimestamp reads a timestamp literal in ISO 8601 form as
// milliseconds since the Unix epoch.
func parseISOTimestamp(s string) (int64, bool) {
	for _, layout := range isoTimestampLayouts {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UnixMilli(), true
		}
	}
	return 0, false
}

// floorDiv divides rounding towards negative infinity, so that instants
// before 1970 fall on the right day.
func floorDiv(a, b int64) int64 {
	q := a / b
	if (a%b != 0) && ((a < 0) != (b < 0)) {
		q--
	}
	return q
}
