package schemas

import (
	"fmt"
	"slices"
	"strings"

	"runner/schemas/diag"
	"runner/stages/plan"
)

// CheckHeaders reports every column whose from names no field of the CSV
// header, at the column's from, with the closest field and the whole header:
// the check `runner plan` and `runner apply` make once the header is read.
func CheckHeaders(p *plan.Plan, headers []string) diag.Diagnostics {
	return checkFields(p, headers, "The CSV header", "The header")
}

// checkFields reports the columns whose from is not one of fields; what and
// short name the list in messages.
func checkFields(p *plan.Plan, fields []string, what, short string) diag.Diagnostics {
	var diags diag.Diagnostics
	for _, col := range p.Columns {
		if col.From == "" || slices.Contains(fields, col.From) {
			continue
		}
		diags = append(diags, errorIn(col.FromRange, "Unknown CSV field", "%s has no field %q.%s %s has: %s.",
			what, col.From, didYouMean(col.From, fields), short, strings.Join(quoteIfSpaced(fields), ", ")))
	}
	return diags
}

// quoteIfSpaced quotes the fields whose edges are blank, which would
// otherwise be invisible in a message.
func quoteIfSpaced(fields []string) []string {
	out := make([]string, len(fields))
	for i, f := range fields {
		if f == "" || strings.TrimSpace(f) != f {
			out[i] = fmt.Sprintf("%q", f)
		} else {
			out[i] = f
		}
	}
	return out
}
