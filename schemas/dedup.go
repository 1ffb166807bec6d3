package schemas

import (
	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"

	"runner/schemas/diag"
	"runner/stages/plan"
)

var dedupBlockSchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{
		{Name: "keys"},
		{Name: "keep"},
	},
}

// allColumnsKeyword is the dedup key that means every column: exact
// duplicates.
const allColumnsKeyword = "all_columns"

// dedupBlock is a decoded dedup block.
type dedupBlock struct {
	// Keys is the list of key columns, or nil for all_columns (also the
	// default).
	Keys      hclsyntax.Expression
	Keep      plan.Keep
	DeclRange hcl.Range
}

func decodeDedupBlock(block *hclsyntax.Block, ev *evaluator) (*dedupBlock, diag.Diagnostics) {
	d := &dedupBlock{DeclRange: block.DefRange()}
	c, diags := content(block.Body, dedupBlockSchema, "a dedup block", d.DeclRange)
	if attr, ok := c.Attributes["keys"]; ok {
		switch kw := hcl.ExprAsKeyword(attr.Expr); kw {
		case allColumnsKeyword:
		case "":
			d.Keys = attr.Expr
		default:
			diags = append(diags, errorAt(attr.Expr.Range(), "Invalid keys",
				"keys is all_columns (rows equal in every column) or a list of columns such as [col.name, col.age]; %s is neither.%s",
				kw, didYouMean(kw, []string{allColumnsKeyword})))
		}
	}
	s := newSettings(ev, "dedup", c)
	d.Keep = keywordSetting(s, "keep", "keep policy", plan.Keeps, plan.KeepFirst)
	return d, append(diags, s.diags...)
}

// dedup compiles the dedup block; nil when there is none.
func (c *compiler) dedup() *plan.Dedup {
	b := c.spec.Dedup
	if b == nil {
		return nil
	}
	d := &plan.Dedup{Keep: b.Keep, Range: toRange(b.DeclRange)}
	if b.Keys == nil {
		d.AllColumns = true
		d.Keys = append([]string(nil), c.colNames...)
		return d
	}
	keys, diags := c.columnList(b.Keys, "dedup.keys")
	c.diags = append(c.diags, diags...)
	d.Keys = keys
	return d
}
