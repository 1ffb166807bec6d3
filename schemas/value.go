package schemas

import (
	"fmt"
	"math"
	"math/big"
	"strings"
	"time"

	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"

	"runner/schemas/diag"
	"runner/stages/plan"
)

// columnValue evaluates a constant that a column holds (its default, a
// check's accepted value) and converts it to exactly the column's type, so
// the engine never converts it per row. what names the constant in messages
// (`the default of column "age"`). A null value is returned as plan.Null
// for the caller to judge.
func (c *compiler) columnValue(e hclsyntax.Expression, col *plan.Column, what, summary string) (plan.Value, bool, diag.Diagnostics) {
	v, diags := c.ev.eval(e, what)
	if diags.HasErrors() || !v.IsWhollyKnown() {
		return plan.Value{}, false, diags
	}
	if v.IsNull() {
		return plan.Null, true, diags
	}
	pv, problem := convertValue(v, col)
	if problem != "" {
		return plan.Value{}, false, append(diags, errorAt(e.Range(), summary, "%s %s.", capitalize(what), problem))
	}
	return pv, true, diags
}

// convertValue converts v to col's type, or says why it cannot.
func convertValue(v cty.Value, col *plan.Column) (plan.Value, string) {
	ty := v.Type()
	mismatch := func(noun string) (plan.Value, string) {
		return plan.Value{}, fmt.Sprintf("must be %s, because col.%s is %s column; this is %s", noun, col.Name, typeNoun(col.Type), friendlyType(ty))
	}
	switch col.Type {
	case plan.TypeString:
		if ty != cty.String {
			return mismatch("a string")
		}
		return plan.StringValue(v.AsString()), ""
	case plan.TypeInt32, plan.TypeInt64:
		if ty != cty.Number {
			return mismatch("a whole number")
		}
		n, ok := wholeNumber(v.AsBigFloat())
		lo, hi := int64(math.MinInt64), int64(math.MaxInt64)
		if col.Type == plan.TypeInt32 {
			lo, hi = math.MinInt32, math.MaxInt32
		}
		if !ok || n < lo || n > hi {
			return plan.Value{}, fmt.Sprintf("must be a whole number from %d to %d, because col.%s is %s column; %s is not", lo, hi, col.Name, typeNoun(col.Type), v.AsBigFloat().Text('f', -1))
		}
		return plan.Value{Type: col.Type, Int: n}, ""
	case plan.TypeFloat64:
		if ty != cty.Number {
			return mismatch("a number")
		}
		f, _ := v.AsBigFloat().Float64()
		return plan.FloatValue(f), ""
	case plan.TypeDecimal128:
		if ty != cty.Number {
			return mismatch("a number")
		}
		text, problem := decimalText(v.AsBigFloat(), col.Scale)
		if problem != "" {
			return plan.Value{}, problem
		}
		return plan.Value{Type: plan.TypeDecimal128, Str: text}, ""
	case plan.TypeBool:
		if ty != cty.Bool {
			return mismatch("true or false")
		}
		return plan.BoolValue(v.True()), ""
	case plan.TypeDate, plan.TypeTimestamp:
		if ty != cty.String {
			return mismatch(fmt.Sprintf("%s written as text in the column's format %q", typeNoun(col.Type), col.Format))
		}
		return temporalValue(v.AsString(), col)
	}
	return plan.Value{}, fmt.Sprintf("cannot be given, because column %q has no valid type", col.Name)
}

// temporalValue parses text with the column's format (and zone).
func temporalValue(text string, col *plan.Column) (plan.Value, string) {
	loc := time.UTC
	if col.Zone != "" {
		if l, err := time.LoadLocation(col.Zone); err == nil {
			loc = l
		}
	}
	t, err := time.ParseInLocation(col.Format, text, loc)
	if err != nil {
		return plan.Value{}, fmt.Sprintf("must be written in the column's format %q; %q is not", col.Format, text)
	}
	if col.Type == plan.TypeDate {
		return plan.DateValue(floorDiv(t.Unix(), 86400)), ""
	}
	return plan.TimestampValue(t.UnixMilli()), ""
}

// decimalText renders f with exactly scale decimal places, refusing values
// that would lose digits or exceed the 38 digits of a decimal128.
func decimalText(f *big.Float, scale int) (string, string) {
	text := f.Text('f', -1)
	whole, frac, _ := strings.Cut(text, ".")
	if len(frac) > scale {
		return "", fmt.Sprintf("has %d decimal places, more than the column's scale (%d); round it or raise scale", len(frac), scale)
	}
	if digits := len(strings.TrimLeft(whole, "-")) + scale; digits > maxScale {
		return "", fmt.Sprintf("needs %d digits, more than the 38 a decimal128 holds", digits)
	}
	frac += strings.Repeat("0", scale-len(frac))
	if scale == 0 {
		return whole, ""
	}
	return whole + "." + frac, ""
}
