package eval

import (
	"fmt"
	"slices"

	"runner/stages/plan"
)

// The language's compiler has already type-checked every expression; the
// checks here repeat the typing rules so that a plan built any other way (a
// test, a future front end) fails at Compile with a message instead of
// reading memory as the wrong type.

func compileUnary(e *plan.Expr) (node, error) {
	what := describe(e)
	t, err := plan.UnaryResult(e.Op, e.Args[0].Type)
	if err != nil {
		return nil, fmt.Errorf("%s%w", where(e), err)
	}
	if err := sameType(e, what, t); err != nil {
		return nil, err
	}
	arg, err := compileNode(e.Args[0])
	if err != nil {
		return nil, err
	}
	nullType, err := arrowTypeOf(t)
	if err != nil {
		return nil, err
	}
	n := &opNode{what: what, args: []node{arg}, nullType: nullType}
	switch e.Op {
	case plan.OpNot:
		n.run = notKernel
	case plan.OpNeg:
		n.run = negKernel(e.Args[0].Type)
	default:
		return nil, fmt.Errorf("%s%s is not a unary operator", where(e), what)
	}
	return finish(n, t)
}

func compileBinary(e *plan.Expr) (node, error) {
	what := describe(e)
	ta, tb := e.Args[0].Type, e.Args[1].Type
	t, err := plan.BinaryResult(e.Op, ta, tb)
	if err != nil && isOrdering(e.Op) && ta.IsTemporal() && tb.IsTemporal() {
		// A date against a timestamp compares as midnight UTC; the kernel
		// supports it even where the language does not offer it yet.
		t, err = plan.TypeBool, nil
	}
	if err != nil {
		return nil, fmt.Errorf("%s%w", where(e), err)
	}
	if err := sameType(e, what, t); err != nil {
		return nil, err
	}
	if ta == plan.TypeStringList || tb == plan.TypeStringList {
		return nil, fmt.Errorf("%s%s: a list can only be a function's argument", where(e), what)
	}
	left, err := compileNode(e.Args[0])
	if err != nil {
		return nil, err
	}
	right, err := compileNode(e.Args[1])
	if err != nil {
		return nil, err
	}
	n := &opNode{what: what, args: []node{left, right}}
	switch e.Op {
	case plan.OpAnd, plan.OpOr:
		n.run = logicKernel(e.Op)
	case plan.OpAdd, plan.OpSub, plan.OpMul, plan.OpDiv, plan.OpMod:
		n.run = arithKernel(e.Op, ta, tb, t)
		n.nullType, err = arrowTypeOf(t)
	default:
		n.run = compareKernel(e.Op, ta, tb)
		n.nullType, err = arrowTypeOf(t)
	}
	if err != nil {
		return nil, err
	}
	return finish(n, t)
}

func isOrdering(op plan.Op) bool {
	switch op {
	case plan.OpEq, plan.OpNe, plan.OpLt, plan.OpLe, plan.OpGt, plan.OpGe:
		return true
	}
	return false
}

func compileCond(e *plan.Expr) (node, error) {
	what := describe(e)
	if c := e.Args[0].Type; c != plan.TypeBool && c != plan.TypeNull {
		return nil, fmt.Errorf("%s%s: the condition is a %s, not a bool", where(e), what, c)
	}
	t, ok := plan.CommonType(e.Args[1].Type, e.Args[2].Type)
	if !ok || t == plan.TypeStringList {
		return nil, fmt.Errorf("%s%s: the branches are %s and %s, which have no common type", where(e), what, e.Args[1].Type, e.Args[2].Type)
	}
	if err := sameType(e, what, t); err != nil {
		return nil, err
	}
	n := &opNode{what: what}
	types := make([]plan.Type, 3)
	for i, a := range e.Args {
		arg, err := compileNode(a)
		if err != nil {
			return nil, err
		}
		n.args = append(n.args, arg)
		types[i] = a.Type
	}
	n.run = condKernel(t, types)
	return finish(n, t)
}

// call is what a kernel factory knows of one call.
type call struct {
	fn *plan.Function
	// types are the arguments' types, defaults filled in.
	types []plan.Type
	// consts holds the value of each constant argument (a constant
	// parameter, or a list); nil for arguments evaluated per batch.
	consts []*scalar
	result plan.Type
}

// factory prepares a function's kernel for one call.
type factory func(c *call) (kernel, error)

func compileCall(e *plan.Expr) (node, error) {
	what := describe(e)
	fn, ok := plan.Builtin(e.Func)
	if !ok {
		return nil, fmt.Errorf("%sunknown function %q", where(e), e.Func)
	}
	im, ok := impls[e.Func]
	if !ok {
		return nil, fmt.Errorf("%s%s has no kernel", where(e), what)
	}
	args, err := callArgs(e, fn)
	if err != nil {
		return nil, fmt.Errorf("%s%s: %w", where(e), what, err)
	}
	c := &call{fn: fn, types: make([]plan.Type, len(args)), consts: make([]*scalar, len(args))}
	for i, a := range args {
		c.types[i] = a.Type
	}
	c.result, err = fn.Result(c.types)
	if err != nil {
		return nil, fmt.Errorf("%s%s: %w", where(e), what, err)
	}
	if err := sameType(e, what, c.result); err != nil {
		return nil, err
	}
	n := &opNode{what: what}
	nullIn := false
	for i, a := range args {
		p := fn.Params[min(i, len(fn.Params)-1)]
		if !p.Constant && a.Type != plan.TypeStringList {
			arg, err := compileNode(a)
			if err != nil {
				return nil, err
			}
			n.args = append(n.args, arg)
			continue
		}
		sc, err := constArg(a)
		if err != nil {
			return nil, fmt.Errorf("%s%s: argument %s: %w", where(e), what, p.Name, err)
		}
		c.consts[i] = sc
		nullIn = nullIn || sc.null
		n.args = append(n.args, &constNode{sc: sc})
	}
	if !im.seesNulls {
		if nullIn {
			// A null constant makes every row null: nothing to prepare.
			return &litNode{sc: nullScalar(c.result)}, nil
		}
		if n.nullType, err = arrowTypeOf(c.result); err != nil {
			return nil, err
		}
	}
	if im.step == nil {
		if n.run, err = im.kernel(c); err != nil {
			return nil, fmt.Errorf("%s%s: %w", where(e), what, err)
		}
		return finish(n, c.result)
	}
	step, err := im.step(c)
	if err != nil {
		return nil, fmt.Errorf("%s%s: %w", where(e), what, err)
	}
	n.steps = []textStep{step}
	// A text step over another one joins its chain: one pass, one array.
	if inner, ok := n.args[0].(*opNode); ok && inner.steps != nil && chainGrowth(inner.steps)*step.growth <= maxChainGrowth {
		n.steps = append(slices.Clip(inner.steps), step)
		n.args[0] = inner.args[0]
	}
	n.run = textChainKernel(n.steps)
	return finish(n, c.result)
}

// callArgs checks a call's arguments against the function's parameters and
// fills in the defaults of left-out optional ones.
func callArgs(e *plan.Expr, fn *plan.Function) ([]*plan.Expr, error) {
	required := 0
	for _, p := range fn.Params {
		if !p.Optional {
			required++
		}
	}
	args := e.Args
	switch {
	case len(args) < required:
		return nil, fmt.Errorf("needs at least %d arguments, got %d", required, len(args))
	case !fn.Variadic && len(args) > len(fn.Params):
		return nil, fmt.Errorf("takes at most %d arguments, got %d", len(fn.Params), len(args))
	}
	for i := len(args); i < len(fn.Params); i++ {
		d := fn.Params[i].Default
		args = append(args[:len(args):len(args)], &plan.Expr{Kind: plan.ExprLiteral, Type: d.Type, Value: d, Range: e.Range})
	}
	for i, a := range args {
		p := fn.Params[min(i, len(fn.Params)-1)]
		if !p.Accepts(a.Type) {
			return nil, fmt.Errorf("argument %s is a %s, which it does not accept", p.Name, a.Type)
		}
	}
	return args, nil
}

// constArg compiles an argument that must be known at compile time: a
// literal, or a subtree that folds into one.
func constArg(a *plan.Expr) (*scalar, error) {
	if a.Kind == plan.ExprLiteral && a.Type == plan.TypeStringList {
		return newScalar(a.Value, a.Type)
	}
	if a.Type == plan.TypeStringList {
		return nil, fmt.Errorf("must be a list literal, not %s", a)
	}
	n, err := compileNode(a)
	if err != nil {
		return nil, err
	}
	lit, ok := n.(*litNode)
	if !ok {
		return nil, fmt.Errorf("must be a constant, not %s", a)
	}
	return lit.sc, nil
}

// sameType verifies that the node's declared type is the one the typing
// rules give.
func sameType(e *plan.Expr, what string, t plan.Type) error {
	if e.Type != t {
		return fmt.Errorf("%s%s yields %s, but the node is typed %s", where(e), what, t, e.Type)
	}
	return nil
}
