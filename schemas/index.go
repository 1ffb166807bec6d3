package schemas

import (
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"

	"runner/schemas/diag"
	"runner/stages/plan"
)

var indexBlockSchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{
		{Name: "keys", Required: true},
		{Name: "unique"},
	},
}

// indexBlock is a decoded index block, with the range of each key so that a
// key naming no document field can be pointed at.
type indexBlock struct {
	plan.Index
	NameRange hcl.Range
	KeyRanges []hcl.Range
}

func decodeIndexBlock(block *hclsyntax.Block, ev *evaluator) (*indexBlock, diag.Diagnostics) {
	ix := &indexBlock{
		Index:     plan.Index{Name: block.Labels[0], Range: toRange(block.DefRange())},
		NameRange: block.LabelRanges[0],
	}
	c, diags := content(block.Body, indexBlockSchema, "an index block", block.DefRange())
	if ix.Name == "" {
		diags = append(diags, errorAt(ix.NameRange, "Invalid index name", "An index needs a name, such as index \"patient_name\"."))
	}
	s := newSettings(ev, "index."+ix.Name, c)
	ix.Unique = s.boolean("unique", false)
	if attr, ok := c.Attributes["keys"]; ok {
		diags = append(diags, decodeIndexKeys(ix, attr.Expr, ev)...)
	}
	return ix, append(diags, s.diags...)
}

// decodeIndexKeys reads keys = { "patient.name" = 1, ... } in the order
// written: the order of an index's keys decides which queries it serves.
func decodeIndexKeys(ix *indexBlock, e hclsyntax.Expression, ev *evaluator) diag.Diagnostics {
	obj, ok := e.(*hclsyntax.ObjectConsExpr)
	if !ok || len(obj.Items) == 0 {
		return diag.Diagnostics{errorAt(e.Range(), "Invalid index keys",
			"keys lists the indexed fields in order with their direction, for example keys = { \"patient.name\" = 1, \"admission.admitted_on\" = -1 }.")}
	}
	var diags diag.Diagnostics
	seen := map[string]bool{}
	for _, item := range obj.Items {
		rng := item.KeyExpr.Range()
		field := hcl.ExprAsKeyword(item.KeyExpr)
		if key, ok := item.KeyExpr.(*hclsyntax.ObjectConsKeyExpr); ok && field == "" {
			field, _ = stringLiteral(key.Wrapped)
		}
		switch {
		case field == "":
			diags = append(diags, errorAt(rng, "Invalid index field",
				"An index field is a document path, quoted when it has dots: \"patient.name\" = 1."))
			continue
		case indexPathProblem(field):
			diags = append(diags, errorAt(rng, "Invalid index field",
				"%q is not a document path: a path is field names joined by dots, none empty or starting with $.", field))
			continue
		case seen[field]:
			diags = append(diags, errorAt(rng, "Duplicate index field", "Index %q lists %q twice.", ix.Name, field))
			continue
		}
		seen[field] = true
		dir, ds := indexDirection(item.ValueExpr, ev)
		diags = append(diags, ds...)
		ix.Keys = append(ix.Keys, plan.IndexKey{Field: field, Direction: dir})
		ix.KeyRanges = append(ix.KeyRanges, rng)
	}
	return diags
}

func indexPathProblem(path string) bool {
	for _, part := range strings.Split(path, ".") {
		if part == "" || strings.HasPrefix(part, "$") {
			return true
		}
	}
	return false
}

// indexDirection reads 1 (ascending) or -1 (descending).
func indexDirection(e hclsyntax.Expression, ev *evaluator) (int, diag.Diagnostics) {
	v, diags := ev.eval(e, "an index direction")
	if diags.HasErrors() || !v.IsWhollyKnown() {
		return 1, diags
	}
	if !v.IsNull() && v.Type() == cty.Number {
		if n, ok := wholeNumber(v.AsBigFloat()); ok && (n == 1 || n == -1) {
			return int(n), diags
		}
	}
	return 1, append(diags, errorAt(e.Range(), "Invalid index direction",
		"An index direction is 1 (ascending) or -1 (descending)."))
}
