package schemas

import (
	"fmt"

	"github.com/hashicorp/hcl/v2/hclsyntax"

	"runner/schemas/diag"
)

// columnRef resolves an expression that must be exactly one column
// reference, such as a check's column; what names it in messages.
func (c *compiler) columnRef(e hclsyntax.Expression, what string) (string, diag.Diagnostics) {
	t, ok := e.(*hclsyntax.ScopeTraversalExpr)
	if !ok || t.Traversal.RootName() != "col" {
		detail := fmt.Sprintf("%s is a column reference, written col.<name>.", capitalize(what))
		if text, isString := stringLiteral(e); isString {
			detail += fmt.Sprintf(" Write col.%s instead of %q.", text, text)
		}
		return "", diag.Diagnostics{errorAt(e.Range(), "Column reference expected", "%s", detail)}
	}
	name, ok := traversalAttr(t.Traversal, 1)
	if !ok || len(t.Traversal) > 2 {
		return "", diag.Diagnostics{errorAt(e.Range(), "Invalid column reference", "A column is read as col.<name>, with nothing after the name.")}
	}
	if _, known := c.colType[name]; !known {
		return "", diag.Diagnostics{errorAt(e.Range(), "Unknown column", "%s", c.unknownColumnDetail(name))}
	}
	return name, nil
}

// columnList resolves a non-empty list of distinct column references, such
// as dedup keys: [col.name, col.age].
func (c *compiler) columnList(e hclsyntax.Expression, what string) ([]string, diag.Diagnostics) {
	list, ok := e.(*hclsyntax.TupleConsExpr)
	if !ok {
		return nil, diag.Diagnostics{errorAt(e.Range(), "Column list expected",
			"%s is a list of column references, such as [col.name, col.age]; a single column is written [col.name].", capitalize(what))}
	}
	if len(list.Exprs) == 0 {
		return nil, diag.Diagnostics{errorAt(e.Range(), "Empty column list", "%s needs at least one column, such as [col.name].", capitalize(what))}
	}
	var diags diag.Diagnostics
	var names []string
	seen := map[string]bool{}
	for _, el := range list.Exprs {
		name, ds := c.columnRef(el, "each entry of "+what)
		diags = append(diags, ds...)
		switch {
		case name == "":
		case seen[name]:
			diags = append(diags, errorAt(el.Range(), "Duplicate column", "%s names col.%s more than once.", capitalize(what), name))
		default:
			seen[name] = true
			names = append(names, name)
		}
	}
	if diags.HasErrors() {
		return nil, diags
	}
	return names, diags
}
