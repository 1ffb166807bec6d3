package schemas

import (
	"github.com/hashicorp/hcl/v2/hclsyntax"

	"runner/schemas/diag"
	"runner/stages/plan"
)

// binaryOp maps HCL's binary operators onto the plan's.
func binaryOp(op *hclsyntax.Operation) plan.Op {
	switch op {
	case hclsyntax.OpAdd:
		return plan.OpAdd
	case hclsyntax.OpSubtract:
		return plan.OpSub
	case hclsyntax.OpMultiply:
		return plan.OpMul
	case hclsyntax.OpDivide:
		return plan.OpDiv
	case hclsyntax.OpModulo:
		return plan.OpMod
	case hclsyntax.OpEqual:
		return plan.OpEq
	case hclsyntax.OpNotEqual:
		return plan.OpNe
	case hclsyntax.OpLessThan:
		return plan.OpLt
	case hclsyntax.OpLessThanOrEqual:
		return plan.OpLe
	case hclsyntax.OpGreaterThan:
		return plan.OpGt
	case hclsyntax.OpGreaterThanOrEqual:
		return plan.OpGe
	case hclsyntax.OpLogicalAnd:
		return plan.OpAnd
	case hclsyntax.OpLogicalOr:
		return plan.OpOr
	}
	return plan.OpInvalid
}

func (c *compiler) binary(e *hclsyntax.BinaryOpExpr, sc *exprScope) (*plan.Expr, diag.Diagnostics) {
	op := binaryOp(e.Op)
	if op == plan.OpEq || op == plan.OpNe {
		if x, ok, diags := c.nullComparison(e, op, sc); ok {
			return x, diags
		}
	}
	l, diags := c.expr(e.LHS, sc)
	r, ds := c.expr(e.RHS, sc)
	diags = append(diags, ds...)
	if l == nil || r == nil {
		return nil, diags
	}
	if isComparison(op) {
		var d *diag.Diagnostic
		if l, d = temporalLiteral(l, r.Type); d != nil {
			return nil, append(diags, d)
		}
		if r, d = temporalLiteral(r, l.Type); d != nil {
			return nil, append(diags, d)
		}
	}
	t, err := plan.BinaryResult(op, l.Type, r.Type)
	if err != nil {
		return nil, append(diags, errorAt(e.SrcRange, "Incompatible operand types", "%s: %s and %s.",
			capitalize(err.Error()), describe(l), describe(r)))
	}
	return &plan.Expr{Kind: plan.ExprBinary, Op: op, Type: t, Args: []*plan.Expr{l, r}, Range: toRange(e.SrcRange)}, diags
}

// nullComparison rewrites `x == null` as is_null(x) and `x != null` as
// !is_null(x): under SQL's null semantics a comparison with null is null,
// which is never what such a test means.
func (c *compiler) nullComparison(e *hclsyntax.BinaryOpExpr, op plan.Op, sc *exprScope) (*plan.Expr, bool, diag.Diagnostics) {
	operand := e.LHS
	switch {
	case isNullLiteral(e.RHS):
	case isNullLiteral(e.LHS):
		operand = e.RHS
	default:
		return nil, false, nil
	}
	x, diags := c.expr(operand, sc)
	if x == nil {
		return nil, true, diags
	}
	rng := toRange(e.SrcRange)
	isNull := &plan.Expr{Kind: plan.ExprCall, Type: plan.TypeBool, Func: "is_null", Args: []*plan.Expr{x}, Range: rng}
	if op == plan.OpEq {
		return isNull, true, diags
	}
	return &plan.Expr{Kind: plan.ExprUnary, Op: plan.OpNot, Type: plan.TypeBool, Args: []*plan.Expr{isNull}, Range: rng}, true, diags
}

func isNullLiteral(e hclsyntax.Expression) bool {
	l, ok := e.(*hclsyntax.LiteralValueExpr)
	return ok && l.Val.IsNull()
}

func isComparison(op plan.Op) bool {
	switch op {
	case plan.OpEq, plan.OpNe, plan.OpLt, plan.OpLe, plan.OpGt, plan.OpGe:
		return true
	}
	return false
}

// temporalLiteral turns a string literal compared with a date or timestamp
// into a date or timestamp literal, parsed once here in ISO 8601 form:
// col.admitted_on >= "2024-01-01".
func temporalLiteral(x *plan.Expr, other plan.Type) (*plan.Expr, *diag.Diagnostic) {
	if x.Kind != plan.ExprLiteral || x.Type != plan.TypeString || !other.IsTemporal() {
		return x, nil
	}
	out := *x
	if other == plan.TypeDate {
		days, ok := parseISODate(x.Value.Str)
		if !ok {
			return nil, errorIn(x.Range, "Invalid date literal",
				"%s is compared with a date, so it must be a date in ISO 8601 form, such as \"2024-01-31\".", x.Value)
		}
		out.Type, out.Value = plan.TypeDate, plan.DateValue(days)
		return &out, nil
	}
	ms, ok := parseISOTimestamp(x.Value.Str)
	if !ok {
		return nil, errorIn(x.Range, "Invalid timestamp literal",
			"%s is compared with a timestamp, so it must be an instant in ISO 8601 form, such as \"2024-01-31T08:30:00Z\" (UTC when no offset is given).", x.Value)
	}
	out.Type, out.Value = plan.TypeTimestamp, plan.TimestampValue(ms)
	return &out, nil
}

func (c *compiler) unary(e *hclsyntax.UnaryOpExpr, sc *exprScope) (*plan.Expr, diag.Diagnostics) {
	x, diags := c.expr(e.Val, sc)
	if x == nil {
		return nil, diags
	}
	op := plan.OpNot
	if e.Op == hclsyntax.OpNegate {
		op = plan.OpNeg
	}
	t, err := plan.UnaryResult(op, x.Type)
	if err != nil {
		return nil, append(diags, errorAt(e.SrcRange, "Incompatible operand type", "%s: %s.", capitalize(err.Error()), describe(x)))
	}
	// A negative number literal is a literal, so that it can stand where a
	// constant is required: substr(col.code, -3).
	if op == plan.OpNeg && x.Kind == plan.ExprLiteral {
		switch x.Type {
		case plan.TypeInt64:
			return lit(plan.IntValue(-x.Value.Int), e), diags
		case plan.TypeFloat64:
			return lit(plan.FloatValue(-x.Value.Float), e), diags
		}
	}
	return &plan.Expr{Kind: plan.ExprUnary, Op: op, Type: t, Args: []*plan.Expr{x}, Range: toRange(e.SrcRange)}, diags
}

func (c *compiler) conditional(e *hclsyntax.ConditionalExpr, sc *exprScope) (*plan.Expr, diag.Diagnostics) {
	cond, diags := c.expr(e.Condition, sc)
	a, ds := c.expr(e.TrueResult, sc)
	diags = append(diags, ds...)
	b, ds := c.expr(e.FalseResult, sc)
	diags = append(diags, ds...)
	if cond == nil || a == nil || b == nil {
		return nil, diags
	}
	if cond.Type != plan.TypeBool && cond.Type != plan.TypeNull {
		return nil, append(diags, errorIn(cond.Range, "Invalid condition",
			"The condition of c ? a : b must be true or false; %s.", describe(cond)))
	}
	t, ok := plan.CommonType(a.Type, b.Type)
	if !ok || t == plan.TypeStringList {
		return nil, append(diags, errorAt(e.SrcRange, "Mismatched conditional results",
			"Both results of c ? a : b must have one type (numbers of different kinds are fine); %s and %s.", describe(a), describe(b)))
	}
	return &plan.Expr{Kind: plan.ExprCond, Type: t, Args: []*plan.Expr{cond, a, b}, Range: toRange(e.SrcRange)}, diags
}
