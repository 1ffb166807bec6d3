package schemas

import (
	"fmt"
	"slices"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"

	"runner/schemas/diag"
	"runner/stages/plan"
)

// evaluator evaluates what is known before any row is read: literals,
// var.<name>, env() and file(). Settings go through it, and so do the
// constant parts of column expressions.
type evaluator struct {
	ctx *hcl.EvalContext
	// vars holds every declared variable's value; cty.DynamicVal marks one
	// whose value could not be resolved (already reported), so that uses of
	// it stay silent instead of repeating the problem.
	vars     map[string]cty.Value
	varNames []string
	funcs    configFuncs
}

func newEvaluator(vars map[string]cty.Value, varNames []string, funcs configFuncs) *evaluator {
	return &evaluator{
		ctx: &hcl.EvalContext{
			Variables: map[string]cty.Value{"var": cty.ObjectVal(vars)},
			Functions: funcs.functions(),
		},
		vars:     vars,
		varNames: varNames,
		funcs:    funcs,
	}
}

// eval evaluates a setting; what names it in messages ("source.path"). The
// value may be unknown when it uses an unresolved variable.
func (ev *evaluator) eval(expr hclsyntax.Expression, what string) (cty.Value, diag.Diagnostics) {
	var diags diag.Diagnostics
	for _, t := range expr.Variables() {
		if d := ev.checkReference(t, what); d != nil {
			diags = append(diags, d)
		}
	}
	// Walking the syntax tree cannot fail: the callback never returns
	// diagnostics.
	_ = hclsyntax.VisitAll(expr, func(n hclsyntax.Node) hcl.Diagnostics {
		if call, ok := n.(*hclsyntax.FunctionCallExpr); ok && !slices.Contains(configFunctionNames, call.Name) {
			detail := fmt.Sprintf("%s is evaluated before any row is read, so it can only call env(name, default) and file(path).", what)
			if _, builtin := plan.Builtin(call.Name); builtin {
				detail += fmt.Sprintf(" %s is a column function: it belongs in a column's expr, a check or the document.", call.Name)
			}
			diags = append(diags, errorAt(call.NameRange, "Function not available in a setting", "%s", detail))
		}
		return nil
	})
	if diags.HasErrors() {
		return cty.DynamicVal, diags
	}
	v, hd := expr.Value(ev.ctx)
	return v, append(diags, fromHCL(hd)...)
}

// checkReference reports a name a setting cannot read.
func (ev *evaluator) checkReference(t hcl.Traversal, what string) *diag.Diagnostic {
	rng := t.SourceRange()
	switch root := t.RootName(); root {
	case "var":
		return ev.checkVariable(t)
	case "col":
		return errorAt(rng, "Column reference in a setting",
			"%s is read before any row, so it cannot read a column; use a literal or var.<name>.", what)
	case "self":
		return errorAt(rng, "Reference to self in a setting",
			"%s is read before any row, so there is no self; use a literal or var.<name>.", what)
	default:
		detail := fmt.Sprintf("%s can read variables only, written var.<name>; %q is not one.", what, root)
		if slices.Contains(ev.varNames, root) {
			detail += fmt.Sprintf(" Did you mean var.%s?", root)
		}
		return errorAt(rng, "Unknown name", "%s", detail)
	}
}

// checkVariable reports a var.<name> that names no declared variable.
func (ev *evaluator) checkVariable(t hcl.Traversal) *diag.Diagnostic {
	rng := t.SourceRange()
	attr, ok := traversalAttr(t, 1)
	if !ok || len(t) > 2 {
		return errorAt(rng, "Invalid variable reference", "A variable is read as var.<name>, with nothing after the name.")
	}
	if _, declared := ev.vars[attr]; declared {
		return nil
	}
	return errorAt(rng, "Unknown variable", "%s", unknownVariableDetail(attr, ev.varNames))
}

func unknownVariableDetail(name string, declared []string) string {
	return fmt.Sprintf("The pipeline declares no variable named %q.%s%s", name, didYouMean(name, declared), declaredVariables(declared))
}

// declaredVariables lists the declared variables for a message.
func declaredVariables(declared []string) string {
	if len(declared) == 0 {
		return " It declares no variables; add a variable block to declare one."
	}
	return " The variables are " + joinList(declared, "and") + "."
}

// traversalAttr returns the name of the attribute step at index i.
func traversalAttr(t hcl.Traversal, i int) (string, bool) {
	if len(t) <= i {
		return "", false
	}
	a, ok := t[i].(hcl.TraverseAttr)
	return a.Name, ok
}
