package schemas

import (
	"sort"
	"strconv"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/ext/typeexpr"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/hashicorp/hcl/v2/hclwrite"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"

	"runner/schemas/diag"
	"runner/stages/plan"
)

// envVarPrefix prefixes the environment variables that set pipeline
// variables: RUNNER_VAR_csv_path sets var.csv_path.
const envVarPrefix = "RUNNER_VAR_"

// sensitiveVarsEnv names the environment variable that marks pipeline
// variables sensitive from outside the file: RUNNER_SENSITIVE_VARS=a,b.
const sensitiveVarsEnv = "RUNNER_SENSITIVE_VARS"

// sensitiveValue replaces a sensitive variable's value wherever the plan
// would show it.
const sensitiveValue = "(sensitive)"

// assigned is a variable's value and where it came from.
type assigned struct {
	value  cty.Value
	origin string
}

// resolvedVariables is the outcome of resolving every declared variable.
type resolvedVariables struct {
	// values holds every declared variable; cty.DynamicVal when it has no
	// valid value (already reported).
	values  map[string]cty.Value
	names   []string
	plan    []plan.Variable
	secrets []string
}

// resolveVariables gives each variable its value, from lowest to highest
// precedence: the default, the environment (RUNNER_VAR_<name>), the -var-file
// files in order, then -var flags.
func (l *Loader) resolveVariables(blocks []*variableBlock) (resolvedVariables, diag.Diagnostics) {
	var diags diag.Diagnostics
	byName := map[string]*variableBlock{}
	got := map[string]assigned{}
	// failed holds the variables given a value that was reported as invalid:
	// they have no value either, but saying so again would be false.
	failed := map[string]bool{}
	r := resolvedVariables{values: map[string]cty.Value{}}
	for _, b := range blocks {
		byName[b.Name] = b
		r.names = append(r.names, b.Name)
		if b.Default != cty.NilVal {
			got[b.Name] = assigned{value: b.Default, origin: "default"}
		}
	}

	for _, b := range blocks {
		name := envVarPrefix + b.Name
		if raw, ok := l.opts.Env(name); ok {
			if v, d := parseRawValue(raw, b, "The environment variable "+name); d != nil {
				diags = append(diags, d)
				failed[b.Name] = true
			} else {
				got[b.Name] = assigned{value: v, origin: "env " + name}
			}
		}
	}

	for _, path := range l.opts.VarFiles {
		diags = append(diags, l.readVarFile(path, byName, r.names, got, failed)...)
	}

	flagNames := make([]string, 0, len(l.opts.Vars))
	for name := range l.opts.Vars {
		flagNames = append(flagNames, name)
	}
	sort.Strings(flagNames)
	for _, name := range flagNames {
		b, ok := byName[name]
		if !ok {
			diags = append(diags, sourceless("Undeclared variable", "-var sets %q, but the pipeline declares no variable of that name.%s%s",
				name, didYouMean(name, r.names), declaredVariables(r.names)))
			continue
		}
		if v, d := parseRawValue(l.opts.Vars[name], b, "-var "+name); d != nil {
			diags = append(diags, d)
			failed[name] = true
		} else {
			got[name] = assigned{value: v, origin: "-var"}
		}
	}

	sensitive, sd := l.sensitiveVars(byName, r.names)
	diags = append(diags, sd...)
	for _, b := range blocks {
		a, ok := got[b.Name]
		if !ok && failed[b.Name] {
			r.values[b.Name] = cty.DynamicVal
			continue
		}
		if !ok {
			diags = append(diags, errorAt(b.NameRange, "No value for variable",
				"Variable %q has no default and no value was given. Set it with -var %s=..., in a -var-file, or with the environment variable %s%s.",
				b.Name, b.Name, envVarPrefix, b.Name))
			r.values[b.Name] = cty.DynamicVal
			continue
		}
		r.values[b.Name] = a.value
		pv := plan.Variable{Name: b.Name, Type: typeexpr.TypeString(b.Type), Description: b.Description,
			Value: plan.RedactURIs(valueText(a.value)), Sensitive: b.Sensitive || sensitive[b.Name], Origin: a.origin, Range: toRange(b.DeclRange)}
		if pv.Sensitive {
			pv.Value = sensitiveValue
			r.secrets = append(r.secrets, secretStrings(a.value)...)
		}
		r.plan = append(r.plan, pv)
	}
	return r, diags
}

// sensitiveVars returns the variables marked sensitive from outside the
// pipeline file: -sensitive-var names and RUNNER_SENSITIVE_VARS. A name the
// pipeline does not declare is an error: a misspelt name would otherwise
// leave the value it was meant to hide in plain sight.
func (l *Loader) sensitiveVars(byName map[string]*variableBlock, names []string) (map[string]bool, diag.Diagnostics) {
	type mark struct{ name, origin string }
	var marks []mark
	for _, name := range l.opts.SensitiveVars {
		marks = append(marks, mark{name, "-sensitive-var"})
	}
	if list, ok := l.opts.Env(sensitiveVarsEnv); ok {
		for name := range strings.SplitSeq(list, ",") {
			if name = strings.TrimSpace(name); name != "" {
				marks = append(marks, mark{name, sensitiveVarsEnv})
			}
		}
	}
	var diags diag.Diagnostics
	sensitive := map[string]bool{}
	for _, m := range marks {
		if _, ok := byName[m.name]; !ok {
			diags = append(diags, sourceless("Undeclared variable", "%s marks %q sensitive, but the pipeline declares no variable of that name.%s%s",
				m.origin, m.name, didYouMean(m.name, names), declaredVariables(names)))
			continue
		}
		sensitive[m.name] = true
	}
	return sensitive, diags
}

// readVarFile reads a -var-file: name = value lines, later files winning.
// A name the pipeline does not declare is a warning, as in Terraform, so one
// file can serve several pipelines. A value that is not valid is reported and
// marked in failed.
func (l *Loader) readVarFile(path string, byName map[string]*variableBlock, names []string, got map[string]assigned, failed map[string]bool) diag.Diagnostics {
	src, err := l.opts.ReadFile(path)
	if err != nil {
		return diag.Diagnostics{readDiagnostic(err, "Cannot read variable file", "-var-file %s cannot be read", path)}
	}
	l.sources[path] = src
	if ds := sourceProblems(path, src, "a variable file"); ds.HasErrors() {
		return ds
	}
	file, hd := hclsyntax.ParseConfig(src, path, hcl.InitialPos)
	diags := fromHCL(hd)
	if hd.HasErrors() {
		return diags
	}
	body := file.Body.(*hclsyntax.Body)
	if ds := numberProblems(body); ds.HasErrors() {
		return append(diags, ds...)
	}
	for _, block := range body.Blocks {
		diags = append(diags, errorAt(block.TypeRange, "Unexpected block in variable file",
			"A variable file holds name = value lines only."))
	}
	for _, attr := range sortedAttributes(body) {
		b, ok := byName[attr.Name]
		if !ok {
			diags = append(diags, warningAt(attr.NameRange, "Undeclared variable",
				"%s The value is ignored.", unknownVariableDetail(attr.Name, names)))
			continue
		}
		val, hd := attr.Expr.Value(nil)
		diags = append(diags, fromHCL(hd)...)
		if hd.HasErrors() {
			failed[b.Name] = true
			continue
		}
		cv, err := convert.Convert(val, b.Type)
		if err != nil {
			diags = append(diags, errorAt(attr.Expr.Range(), "Invalid value for variable",
				"Variable %q is %s: %s.", b.Name, typeexpr.TypeString(b.Type), err))
			failed[b.Name] = true
			continue
		}
		got[b.Name] = assigned{value: cv, origin: "-var-file " + path}
	}
	return diags
}

// parseRawValue reads a value given on the command line or in the
// environment; given names where it came from ("-var batch"). As in
// Terraform, a string (or untyped) variable takes the text as it is, and other
// types parse it as an expression ("[\"a\", \"b\"]", "42"). A message shows
// the text with connection strings redacted, or (sensitive) for a sensitive
// variable.
func parseRawValue(raw string, b *variableBlock, given string) (cty.Value, *diag.Diagnostic) {
	if b.Type == cty.String || b.Type == cty.DynamicPseudoType {
		return cty.StringVal(raw), nil
	}
	if ds := sourceProblems(given, []byte(raw), ""); ds.HasErrors() {
		// The value may be a secret: say what is wrong, not where in it.
		return cty.NilVal, sourceless("Invalid value for variable", "%s gives variable %q a value that is too large or nested too deep (at most %d bytes and %d levels).",
			given, b.Name, MaxFileSize, MaxNesting)
	}
	v, problem := typedRawValue(raw, b.Type)
	if problem == "" {
		return v, nil
	}
	return cty.NilVal, sourceless("Invalid value for variable",
		"%s: variable %q is %s; %s %s. Write it as in a pipeline file, for example %s.",
		given, b.Name, variableTypeNoun(b.Type), shownRawValue(raw, b.Sensitive), problem, typeExample(b.Type))
}

// typedRawValue parses raw as a literal of type ty; problem says what is
// wrong with it ("is not a number"), or is empty.
func typedRawValue(raw string, ty cty.Type) (cty.Value, string) {
	notTy := "is not " + variableTypeNoun(ty)
	expr, hd := hclsyntax.ParseExpression([]byte(raw), "", hcl.InitialPos)
	if hd.HasErrors() {
		return cty.NilVal, notTy
	}
	if ds := numberProblems(expr); ds.HasErrors() {
		return cty.NilVal, "is beyond the range of a float64"
	}
	// A bare word such as abc parses as a variable reference; it is not a
	// literal of any type.
	val, hd := expr.Value(nil)
	if hd.HasErrors() {
		return cty.NilVal, notTy
	}
	cv, err := convert.Convert(val, ty)
	if err != nil {
		return cty.NilVal, notTy
	}
	return cv, ""
}

// maxShownValue caps how much of a value given on the command line a message
// repeats.
const maxShownValue = 40

// shownRawValue renders a value given on the command line for a message:
// quoted with non-printable characters escaped, connection strings redacted,
// cut to maxShownValue characters, or (sensitive).
func shownRawValue(raw string, sensitive bool) string {
	if sensitive {
		return sensitiveValue
	}
	text := []rune(plan.RedactURIs(raw))
	if len(text) > maxShownValue {
		return strconv.Quote(string(text[:maxShownValue])) + "..."
	}
	return strconv.Quote(string(text))
}

// variableTypeNoun names a variable type in messages: "a number", "of type
// list(string)".
func variableTypeNoun(ty cty.Type) string {
	if ty.IsPrimitiveType() {
		return friendlyType(ty)
	}
	return "of type " + typeexpr.TypeString(ty)
}

// typeExample shows how to write a value of ty on the command line.
func typeExample(ty cty.Type) string {
	switch {
	case ty == cty.Number:
		return "42 or 0.5"
	case ty == cty.Bool:
		return "true"
	case ty.IsListType() || ty.IsSetType() || ty.IsTupleType():
		return `["a", "b"]`
	case ty.IsMapType() || ty.IsObjectType():
		return `{ key = "value" }`
	}
	return `"text"`
}

// valueText renders a value in pipeline-file syntax for the plan.
func valueText(v cty.Value) string {
	return strings.TrimSpace(string(hclwrite.TokensForValue(v).Bytes()))
}

// secretStrings lists the non-empty strings inside a sensitive value: those
// are what the runner must mask in its output.
func secretStrings(v cty.Value) []string {
	if v.IsNull() || !v.IsKnown() {
		return nil
	}
	ty := v.Type()
	switch {
	case ty == cty.String:
		if s := v.AsString(); s != "" {
			return []string{s}
		}
	case ty.IsListType(), ty.IsSetType(), ty.IsTupleType(), ty.IsMapType(), ty.IsObjectType():
		var out []string
		for it := v.ElementIterator(); it.Next(); {
			_, e := it.Element()
			out = append(out, secretStrings(e)...)
		}
		return out
	}
	return nil
}
