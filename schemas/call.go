package schemas

import (
	"errors"
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"

	"runner/schemas/diag"
	"runner/stages/plan"
)

// call compiles a function call: a builtin, or env() and file(), which are
// folded into a literal because their value is known before any row is read.
func (c *compiler) call(e *hclsyntax.FunctionCallExpr, sc *exprScope) (*plan.Expr, diag.Diagnostics) {
	if e.ExpandFinal {
		return nil, diag.Diagnostics{errorAt(e.Range(), "Unsupported expression",
			"Expanding a list into arguments with ... is not supported in %s; write the arguments out.", sc.where)}
	}
	if slices.Contains(configFunctionNames, e.Name) {
		return c.configCall(e, sc)
	}
	fn, ok := plan.Builtin(e.Name)
	if !ok {
		return nil, diag.Diagnostics{unknownFunction(e.Name, e.NameRange, functionNames())}
	}
	return c.buildCall(fn, nil, e.Args, e, sc)
}

// functionNames lists what an expression may call, for suggestions.
func functionNames() []string {
	var names []string
	for _, f := range plan.Builtins() {
		names = append(names, f.Name)
	}
	names = append(names, configFunctionNames...)
	sort.Strings(names)
	return names
}

func unknownFunction(name string, rng hcl.Range, candidates []string) *diag.Diagnostic {
	return errorAt(rng, "Unknown function", "There is no function named %q.%s The functions are %s.",
		name, didYouMean(name, candidates), joinList(candidates, "and"))
}

// buildCall compiles a call of fn with the written arguments. implicit, when
// not nil, is a first argument supplied by a clean list rather than written.
func (c *compiler) buildCall(fn *plan.Function, implicit *plan.Expr, written []hclsyntax.Expression, call hclsyntax.Expression, sc *exprScope) (*plan.Expr, diag.Diagnostics) {
	var diags diag.Diagnostics
	n := len(written)
	if implicit != nil {
		n++
	}
	if problem := arityProblem(fn, n); problem != "" {
		if implicit != nil {
			problem += fmt.Sprintf(" In a clean list the text is passed implicitly: write %s without it.", fn.Name)
		}
		return nil, diag.Diagnostics{errorAt(call.Range(), "Wrong number of arguments", "%s", problem)}
	}
	var args []*plan.Expr
	if implicit != nil {
		args = append(args, implicit)
	}
	failed := false
	for _, w := range written {
		x, ds := c.arg(fn, paramAt(fn, len(args)), w, sc)
		diags = append(diags, ds...)
		if x == nil {
			failed = true
		}
		args = append(args, x)
	}
	if failed {
		return nil, diags
	}
	// Optional parameters left out take their default, so the engine always
	// sees every argument.
	for i := len(args); i < len(fn.Params) && fn.Params[i].Optional; i++ {
		d := fn.Params[i].Default
		args = append(args, &plan.Expr{Kind: plan.ExprLiteral, Type: d.Type, Value: d, Range: toRange(call.Range())})
	}
	x, ds := c.finishCall(fn, args, call)
	return x, append(diags, ds...)
}

// arg compiles one written argument. A list literal is accepted where the
// parameter takes a list of strings; a constant parameter needs a literal or
// a variable.
func (c *compiler) arg(fn *plan.Function, p plan.Param, e hclsyntax.Expression, sc *exprScope) (*plan.Expr, diag.Diagnostics) {
	var x *plan.Expr
	var diags diag.Diagnostics
	if tuple, ok := e.(*hclsyntax.TupleConsExpr); ok && p.Accepts(plan.TypeStringList) {
		x, diags = c.stringList(tuple, fn, p, sc)
	} else {
		x, diags = c.expr(e, sc)
	}
	if x == nil || !p.Constant {
		return x, diags
	}
	switch {
	case x.Kind != plan.ExprLiteral:
		return nil, append(diags, errorAt(e.Range(), "Constant argument required",
			"The %s argument of %s must be known before any row is read: a literal or var.<name>. %s changes from row to row.", p.Name, fn.Name, x.String()))
	case x.Type == plan.TypeNull:
		return nil, append(diags, errorAt(e.Range(), "Constant argument required", "The %s argument of %s cannot be null.", p.Name, fn.Name))
	}
	return x, diags
}

// stringList compiles a literal list of strings, such as strip_dangling's
// words: every element must be a string known before any row is read.
func (c *compiler) stringList(tuple *hclsyntax.TupleConsExpr, fn *plan.Function, p plan.Param, sc *exprScope) (*plan.Expr, diag.Diagnostics) {
	var diags diag.Diagnostics
	list := []string{}
	for _, el := range tuple.Exprs {
		x, ds := c.expr(el, sc)
		diags = append(diags, ds...)
		switch {
		case x == nil:
		case x.Kind != plan.ExprLiteral || x.Type != plan.TypeString:
			diags = append(diags, errorAt(el.Range(), "Invalid list element",
				"The %s list of %s holds strings known before any row is read; %s.", p.Name, fn.Name, describe(x)))
		default:
			list = append(list, x.Value.Str)
		}
	}
	if diags.HasErrors() {
		return nil, diags
	}
	return lit(plan.ListValue(list), tuple), diags
}

// finishCall type-checks the arguments of a call and gives it its type.
func (c *compiler) finishCall(fn *plan.Function, args []*plan.Expr, call hclsyntax.Expression) (*plan.Expr, diag.Diagnostics) {
	var diags diag.Diagnostics
	types := make([]plan.Type, len(args))
	for i, a := range args {
		types[i] = a.Type
		p := paramAt(fn, i)
		if p.Accepts(a.Type) {
			continue
		}
		need := typesNoun(p.Types)
		if i > 0 {
			need += " as its " + p.Name + " argument"
		}
		diags = append(diags, errorIn(a.Range, "Invalid function argument",
			"%s needs %s, got %s: %s.", fn.Name, need, a.Type, describe(a)))
	}
	if diags.HasErrors() {
		return nil, diags
	}
	t, err := fn.Result(types)
	if err != nil {
		return nil, diag.Diagnostics{errorAt(call.Range(), "Invalid function call", "%s.", capitalize(err.Error()))}
	}
	x := &plan.Expr{Kind: plan.ExprCall, Type: t, Func: fn.Name, Args: args, Range: toRange(call.Range())}
	return x, constantArgProblems(x)
}

// constantArgProblems checks constant arguments that would otherwise only
// fail on the first row: patterns, layouts and zones.
func constantArgProblems(x *plan.Expr) diag.Diagnostics {
	var diags diag.Diagnostics
	a := x.Args
	switch x.Func {
	case "regex_replace":
		if _, err := regexp.Compile(a[1].Value.Str); err != nil {
			diags = append(diags, errorIn(a[1].Range, "Invalid regular expression",
				"%s is not a valid regular expression (RE2 syntax): %s.", a[1].Value, strings.TrimPrefix(err.Error(), "error parsing regexp: ")))
		}
	case "parse_date", "parse_timestamp":
		if problem := layoutProblem(a[1].Value.Str); problem != "" {
			diags = append(diags, errorIn(a[1].Range, "Invalid date format", "%s", problem))
		}
		if x.Func == "parse_timestamp" {
			if problem := zoneProblem(a[2].Value.Str); problem != "" {
				diags = append(diags, errorIn(a[2].Range, "Unknown time zone", "%s", problem))
			}
		}
	case "format":
		if problem := formatProblem(a[0].Value.Str, a[1:]); problem != "" {
			diags = append(diags, errorIn(a[0].Range, "Invalid format layout", "%s", problem))
		}
	}
	return diags
}

// formatProblem checks format's layout against its values: each %s, %d, %f
// or %v takes one value, %d a whole number and %f a number.
func formatProblem(layout string, values []*plan.Expr) string {
	var verbs []byte
	for i := 0; i < len(layout); i++ {
		if layout[i] != '%' {
			continue
		}
		i++
		for i < len(layout) && strings.IndexByte("+-# 0123456789.", layout[i]) >= 0 {
			i++
		}
		switch {
		case i >= len(layout):
			return fmt.Sprintf("%q ends in the middle of a verb; write %%%% for a percent sign.", layout)
		case layout[i] == '%':
		case strings.IndexByte("sdfv", layout[i]) < 0:
			return fmt.Sprintf("%%%c is not a verb format knows; use %%s (text), %%d (whole number), %%f (number), %%v (any) or %%%% (a percent sign).", layout[i])
		default:
			verbs = append(verbs, layout[i])
		}
	}
	if len(verbs) != len(values) {
		return fmt.Sprintf("%q has %s, and %s follow it; give one value per verb.", layout, plural(len(verbs), "verb"), plural(len(values), "value"))
	}
	for i, v := range verbs {
		t := values[i].Type
		switch {
		case t == plan.TypeNull:
		case v == 'd' && !t.IsInteger():
			return fmt.Sprintf("%%d formats a whole number, and %s.", describe(values[i]))
		case v == 'f' && !t.IsNumeric():
			return fmt.Sprintf("%%f formats a number, and %s.", describe(values[i]))
		}
	}
	return ""
}

// paramAt returns the parameter that argument i fills: the last one repeats
// for variadic functions.
func paramAt(fn *plan.Function, i int) plan.Param {
	if i >= len(fn.Params) {
		return fn.Params[len(fn.Params)-1]
	}
	return fn.Params[i]
}

// arityProblem says why n arguments do not fit fn, or "".
func arityProblem(fn *plan.Function, n int) string {
	lo := 0
	for _, p := range fn.Params {
		if !p.Optional {
			lo++
		}
	}
	hi := len(fn.Params)
	var want string
	switch {
	case fn.Variadic:
		if n >= lo {
			return ""
		}
		want = "at least " + plural(lo, "argument")
	case n >= lo && n <= hi:
		return ""
	case lo == hi:
		want = plural(lo, "argument")
	case hi == lo+1:
		want = fmt.Sprintf("%d or %d arguments", lo, hi)
	default:
		want = fmt.Sprintf("%d to %d arguments", lo, hi)
	}
	return fmt.Sprintf("%s takes %s, and %s given. Its signature is %s.", fn.Name, want, wereGiven(n), fn.Signature())
}

func wereGiven(n int) string {
	if n == 1 {
		return "1 was"
	}
	return fmt.Sprintf("%d were", n)
}

// configCall folds env() or file() inside a column expression into a
// string literal.
func (c *compiler) configCall(e *hclsyntax.FunctionCallExpr, sc *exprScope) (*plan.Expr, diag.Diagnostics) {
	var diags diag.Diagnostics
	most, want, sig := 1, "1 argument", "file(path)"
	if e.Name == "env" {
		most, want, sig = 2, "1 or 2 arguments", "env(name, [default])"
	}
	if len(e.Args) < 1 || len(e.Args) > most {
		return nil, diag.Diagnostics{errorAt(e.Range(), "Wrong number of arguments",
			"%s takes %s, and %s given. Its signature is %s.", e.Name, want, wereGiven(len(e.Args)), sig)}
	}
	var strs []string
	for _, a := range e.Args {
		x, ds := c.expr(a, sc)
		diags = append(diags, ds...)
		switch {
		case x == nil:
		case x.Kind != plan.ExprLiteral || x.Type != plan.TypeString:
			diags = append(diags, errorAt(a.Range(), "Constant argument required",
				"The arguments of %s are strings known before any row is read; %s.", e.Name, describe(x)))
		default:
			strs = append(strs, x.Value.Str)
		}
	}
	if diags.HasErrors() {
		return nil, diags
	}
	var text string
	var err error
	if e.Name == "file" {
		text, err = c.ev.funcs.fileText(strs[0])
	} else {
		var def *string
		if len(strs) == 2 {
			def = &strs[1]
		}
		text, err = c.ev.funcs.envValue(strs[0], def)
	}
	var fe *funcError
	if errors.As(err, &fe) {
		return nil, diag.Diagnostics{errorAt(e.Range(), fe.summary, "%s", fe.detail)}
	}
	return lit(plan.StringValue(text), e), nil
}
