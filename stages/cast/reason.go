package cast

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"runner/stages/plan"
)

// reason explains why s did not cast, and what would have. It runs only
// for failed cells, so it may take its time.
func (c *Caster) reason(s string) string {
	switch c.spec.Type {
	case plan.TypeInt32:
		return fmt.Sprintf("%q is not an int32: expected a whole number from %d to %d", s, math.MinInt32, math.MaxInt32)
	case plan.TypeInt64:
		return fmt.Sprintf("%q is not an int64: expected a whole number from %d to %d", s, math.MinInt64, math.MaxInt64)
	case plan.TypeFloat64:
		if f, err := strconv.ParseFloat(trimSpace(s), 64); (err == nil || errors.Is(err, strconv.ErrRange)) && (math.IsInf(f, 0) || math.IsNaN(f)) {
			return fmt.Sprintf("%q is not a float64: not a finite number", s)
		}
		return fmt.Sprintf("%q is not a float64: expected a number like 1234.5", s)
	case plan.TypeDecimal128:
		if _, fault := parseDecimal(s, c.spec.Scale, c.intDigits); fault == decimalPrecision {
			return fmt.Sprintf("%q does not fit a decimal128 with scale %d: expected at most %d digits before the point", s, c.spec.Scale, c.intDigits)
		}
		return fmt.Sprintf("%q is not a decimal128: expected a number like 1234.56", s)
	case plan.TypeBool:
		return fmt.Sprintf("%q is not a bool: expected true/false, yes/no, y/n, t/f or 1/0", s)
	case plan.TypeDate:
		_, err := time.ParseInLocation(c.spec.Format, trimSpace(s), time.UTC)
		return fmt.Sprintf("%q is not a date in the layout %s (%s)", s, c.spec.Format, parseDetail(err))
	case plan.TypeTimestamp:
		_, err := time.ParseInLocation(c.spec.Format, trimSpace(s), c.loc)
		return fmt.Sprintf("%q is not a timestamp in the layout %s (%s)", s, c.spec.Format, parseDetail(err))
	}
	return fmt.Sprintf("%q is not a %s", s, c.spec.Type)
}

// parseDetail is the part of a time.Parse error that says what is wrong,
// without the value and layout the reason already names.
func parseDetail(err error) string {
	var pe *time.ParseError
	switch {
	case err == nil:
		// Cast falls back to the same time.Parse, so a failed cell always
		// has an error here; this keeps a bug from crashing a run.
		return "rejected by the fast path only"
	case errors.As(err, &pe) && pe.Message != "":
		return strings.TrimPrefix(pe.Message, ": ")
	case errors.As(err, &pe):
		return fmt.Sprintf("cannot parse %q as %q", pe.ValueElem, pe.LayoutElem)
	}
	return err.Error()
}
