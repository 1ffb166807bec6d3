package schemas

import (
	"fmt"
	"strings"

	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"

	"runner/schemas/diag"
	"runner/stages/plan"
)

// exprScope says what an expression may read and names it in messages.
type exprScope struct {
	// where names the expression: `the expr of column "age"`.
	where string
	// self is the type of `self`; TypeInvalid where there is no self, and
	// then noSelf says why.
	self   plan.Type
	noSelf string
	// selfUnknown is set when there is a self whose type could not be
	// resolved (already reported): uses of self stay silent.
	selfUnknown bool
}

// exprSyntax is what a columnar expression may be built from, for messages.
const exprSyntax = "Expressions are built from col.<name>, self (in a column's expr), var.<name>, literals, function calls, operators (+ - * / % == != < <= > >= && || !) and conditionals (c ? a : b)."

// expr compiles an expression over rows into a typed plan.Expr. It returns
// nil when the expression is invalid; the reason is in the diagnostics, or
// was reported earlier (a column whose type could not be resolved), so that
// one mistake is reported once.
func (c *compiler) expr(e hclsyntax.Expression, sc *exprScope) (*plan.Expr, diag.Diagnostics) {
	switch e := e.(type) {
	case *hclsyntax.LiteralValueExpr:
		return c.literal(e)
	case *hclsyntax.TemplateExpr:
		return c.template(e, sc)
	case *hclsyntax.TemplateWrapExpr:
		return c.expr(e.Wrapped, sc)
	case *hclsyntax.ParenthesesExpr:
		return c.expr(e.Expression, sc)
	case *hclsyntax.ScopeTraversalExpr:
		return c.traversal(e, sc)
	case *hclsyntax.FunctionCallExpr:
		return c.call(e, sc)
	case *hclsyntax.BinaryOpExpr:
		return c.binary(e, sc)
	case *hclsyntax.UnaryOpExpr:
		return c.unary(e, sc)
	case *hclsyntax.ConditionalExpr:
		return c.conditional(e, sc)
	}
	return nil, diag.Diagnostics{unsupported(e, sc)}
}

// unsupported reports a construct that has no columnar meaning.
func unsupported(e hclsyntax.Expression, sc *exprScope) *diag.Diagnostic {
	what, why := "This kind of expression", exprSyntax
	switch e.(type) {
	case *hclsyntax.ForExpr:
		what = "A for expression"
	case *hclsyntax.SplatExpr, *hclsyntax.AnonSymbolExpr:
		what = "A splat expression"
	case *hclsyntax.IndexExpr, *hclsyntax.RelativeTraversalExpr:
		what = "An index or attribute access"
	case *hclsyntax.TemplateJoinExpr:
		what = "A template for directive"
	case *hclsyntax.TupleConsExpr:
		what = "A list"
		why = "A list may only be the argument of a function that takes a list of strings, such as strip_dangling's words or contains' haystack."
	case *hclsyntax.ObjectConsExpr:
		what = "An object"
		why = "Objects belong in the document block, where they build nested fields."
	}
	return errorAt(e.Range(), "Unsupported expression", "%s is not supported in %s. %s", what, sc.where, why)
}

func lit(v plan.Value, e hclsyntax.Expression) *plan.Expr {
	return &plan.Expr{Kind: plan.ExprLiteral, Type: v.Type, Value: v, Range: toRange(e.Range())}
}

func (c *compiler) literal(e *hclsyntax.LiteralValueExpr) (*plan.Expr, diag.Diagnostics) {
	v, ok := literalValue(e.Val)
	if !ok {
		return nil, diag.Diagnostics{errorAt(e.SrcRange, "Unsupported literal", "Literals are strings, numbers, true, false and null.")}
	}
	return lit(v, e), nil
}

// literalValue converts a value known at compile time into a plan literal:
// a whole number is an int64, any other number a float64, and a list of
// strings a string list.
func literalValue(v cty.Value) (plan.Value, bool) {
	if v.IsNull() {
		return plan.Null, true
	}
	ty := v.Type()
	switch {
	case ty == cty.String:
		return plan.StringValue(v.AsString()), true
	case ty == cty.Bool:
		return plan.BoolValue(v.True()), true
	case ty == cty.Number:
		bf := v.AsBigFloat()
		if n, ok := wholeNumber(bf); ok {
			return plan.IntValue(n), true
		}
		f, _ := bf.Float64()
		return plan.FloatValue(f), true
	case ty.IsListType(), ty.IsTupleType(), ty.IsSetType():
		list := []string{}
		for _, e := range v.AsValueSlice() {
			if e.IsNull() || e.Type() != cty.String {
				return plan.Value{}, false
			}
			list = append(list, e.AsString())
		}
		return plan.ListValue(list), true
	}
	return plan.Value{}, false
}

// stringLiteral returns the text of a plain quoted string.
func stringLiteral(e hclsyntax.Expression) (string, bool) {
	t, ok := e.(*hclsyntax.TemplateExpr)
	if !ok || len(t.Parts) != 1 {
		return "", false
	}
	l, ok := t.Parts[0].(*hclsyntax.LiteralValueExpr)
	if !ok || l.Val.Type() != cty.String || l.Val.IsNull() {
		return "", false
	}
	return l.Val.AsString(), true
}

// template compiles a quoted string: plain text is a literal, and text with
// interpolations ("${col.a}-${col.b}") is a concat call.
func (c *compiler) template(e *hclsyntax.TemplateExpr, sc *exprScope) (*plan.Expr, diag.Diagnostics) {
	var diags diag.Diagnostics
	var parts []*plan.Expr
	failed, constant := false, true
	var text strings.Builder
	for _, part := range e.Parts {
		x, ds := c.expr(part, sc)
		diags = append(diags, ds...)
		if x == nil {
			failed = true
			continue
		}
		if x.Kind == plan.ExprLiteral && x.Type == plan.TypeString {
			text.WriteString(x.Value.Str)
			if x.Value.Str == "" {
				continue
			}
		} else {
			constant = false
		}
		parts = append(parts, x)
	}
	switch {
	case failed:
		return nil, diags
	case constant:
		return lit(plan.StringValue(text.String()), e), diags
	}
	concat, _ := plan.Builtin("concat")
	x, ds := c.finishCall(concat, parts, e)
	return x, append(diags, ds...)
}

// traversal compiles col.<name>, self and var.<name>.
func (c *compiler) traversal(e *hclsyntax.ScopeTraversalExpr, sc *exprScope) (*plan.Expr, diag.Diagnostics) {
	t := e.Traversal
	rng := e.SrcRange
	switch root := t.RootName(); root {
	case "col":
		name, ok := traversalAttr(t, 1)
		if !ok || len(t) > 2 {
			return nil, diag.Diagnostics{errorAt(rng, "Invalid column reference", "A column is read as col.<name>, with nothing after the name.")}
		}
		typ, exists := c.colType[name]
		switch {
		case !exists:
			return nil, diag.Diagnostics{errorAt(rng, "Unknown column", "%s", c.unknownColumnDetail(name))}
		case typ == plan.TypeInvalid:
			return nil, nil
		}
		return &plan.Expr{Kind: plan.ExprColumn, Type: typ, Column: name, Range: toRange(rng)}, nil
	case "self":
		switch {
		case len(t) > 1:
			return nil, diag.Diagnostics{errorAt(rng, "Invalid reference to self", "self is the column's own value; it has no attributes.")}
		case sc.selfUnknown:
			return nil, nil
		case sc.self == plan.TypeInvalid:
			return nil, diag.Diagnostics{errorAt(rng, "Invalid use of self", "%s", sc.noSelf)}
		}
		return &plan.Expr{Kind: plan.ExprSelf, Type: sc.self, Range: toRange(rng)}, nil
	case "var":
		if d := c.ev.checkVariable(t); d != nil {
			return nil, diag.Diagnostics{d}
		}
		name, _ := traversalAttr(t, 1)
		v := c.ev.vars[name]
		if !v.IsWhollyKnown() {
			return nil, nil
		}
		pv, ok := literalValue(v)
		if !ok {
			return nil, diag.Diagnostics{errorAt(rng, "Unsupported variable type",
				"var.%s is %s; expressions can use strings, numbers, booleans and lists of strings.", name, friendlyType(v.Type()))}
		}
		return lit(pv, e), nil
	default:
		detail := fmt.Sprintf("%s cannot read %q.", capitalize(sc.where), root)
		if _, isColumn := c.colType[root]; isColumn {
			detail += fmt.Sprintf(" Did you mean col.%s?", root)
		} else if _, isVar := c.ev.vars[root]; isVar {
			detail += fmt.Sprintf(" Did you mean var.%s?", root)
		}
		detail += " It can read columns as col.<name>"
		if sc.self != plan.TypeInvalid || sc.selfUnknown {
			detail += ", this column's own value as self,"
		}
		detail += " and variables as var.<name>."
		return nil, diag.Diagnostics{errorAt(rng, "Unknown name", "%s", detail)}
	}
}

// unknownColumnDetail says that name is not a column, suggesting the closest.
func (c *compiler) unknownColumnDetail(name string) string {
	detail := fmt.Sprintf("The pipeline has no column named %q.%s", name, didYouMean(name, c.colNames))
	if len(c.colNames) == 0 {
		return detail + " It declares no columns; add a column block."
	}
	return detail + " The columns are " + joinList(c.colNames, "and") + "."
}
