package schemas

import (
	"fmt"

	"github.com/hashicorp/hcl/v2/hclsyntax"

	"runner/schemas/diag"
	"runner/stages/plan"
)

// cleanerNames lists the functions that may stand in a clean list.
func cleanerNames() []string {
	var names []string
	for _, f := range plan.Builtins() {
		if f.Cleaner() {
			names = append(names, f.Name)
		}
	}
	return names
}

// clean compiles a column's clean list into one chain of calls over the
// source text: [trim, collapse_spaces, person_name] becomes
// person_name(collapse_spaces(trim(self))), applied before the cast.
func (c *compiler) clean(col *columnBlock) (*plan.Expr, diag.Diagnostics) {
	list, ok := col.CleanSyntax.(*hclsyntax.TupleConsExpr)
	if !ok {
		return nil, diag.Diagnostics{errorAt(col.CleanSyntax.Range(), "Invalid clean list",
			"clean is a list of cleaning steps applied in order to the source text, for example clean = [trim, collapse_spaces].")}
	}
	sc := &exprScope{
		where: fmt.Sprintf("the clean list of column %q", col.Name),
		self:  plan.TypeString,
	}
	var diags diag.Diagnostics
	cur := &plan.Expr{Kind: plan.ExprSelf, Type: plan.TypeString, Range: toRange(list.SrcRange)}
	for _, step := range list.Exprs {
		fn, args, ds := cleanStep(step)
		diags = append(diags, ds...)
		if fn == nil {
			continue
		}
		x, ds := c.buildCall(fn, cur, args, step, sc)
		diags = append(diags, ds...)
		if x != nil {
			cur = x
		}
	}
	if diags.HasErrors() || len(list.Exprs) == 0 {
		return nil, diags
	}
	return cur, diags
}

// cleanStep resolves one entry of a clean list: a bare function name (trim)
// or a call without its first argument (replace("$", "")).
func cleanStep(step hclsyntax.Expression) (*plan.Function, []hclsyntax.Expression, diag.Diagnostics) {
	var name string
	var args []hclsyntax.Expression
	rng := step.Range()
	switch e := step.(type) {
	case *hclsyntax.ScopeTraversalExpr:
		if len(e.Traversal) == 1 {
			name = e.Traversal.RootName()
		}
	case *hclsyntax.FunctionCallExpr:
		name, args, rng = e.Name, e.Args, e.NameRange
	}
	if name == "" {
		detail := "Each clean step is a function name (trim) or a call without its first argument (replace(\"$\", \"\"))."
		if text, ok := stringLiteral(step); ok {
			if _, builtin := plan.Builtin(text); builtin {
				detail += fmt.Sprintf(" Write %s without quotes.", text)
			}
		}
		return nil, nil, diag.Diagnostics{errorAt(step.Range(), "Invalid clean step", "%s", detail)}
	}
	fn, ok := plan.Builtin(name)
	if !ok {
		return nil, nil, diag.Diagnostics{unknownFunction(name, rng, cleanerNames())}
	}
	if !fn.Cleaner() {
		return nil, nil, diag.Diagnostics{errorAt(rng, "Not a cleaning function",
			"%s cannot clean text: a clean step takes the text, returns text, and has no other argument that changes from row to row. The cleaning functions are %s. Use %s in expr instead, where it sees the typed value.",
			name, joinList(cleanerNames(), "and"), name)}
	}
	return fn, args, nil
}
