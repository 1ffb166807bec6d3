package schemas

import (
	"fmt"
	"math"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"

	"runner/schemas/diag"
	"runner/stages/plan"
)

var checkBlockSchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{
		{Name: "assert"},
		{Name: "unique"},
		{Name: "not_null"},
		{Name: "column"},
		{Name: "accepted_values"},
		{Name: "min_rows"},
		{Name: "max_rows"},
		{Name: "similar_except"},
		{Name: "in_database"},
		{Name: "sample"},
		{Name: "severity"},
		{Name: "max_failures"},
		{Name: "message"},
	},
}

// checkKindAttrs maps each attribute that chooses a check's kind to it.
var checkKindAttrs = []struct {
	attr string
	kind plan.CheckKind
}{
	{"assert", plan.CheckAssert},
	{"unique", plan.CheckUnique},
	{"not_null", plan.CheckNotNull},
	{"column", plan.CheckAcceptedValues},
	{"accepted_values", plan.CheckAcceptedValues},
	{"min_rows", plan.CheckRowCount},
	{"max_rows", plan.CheckRowCount},
	{"similar_except", plan.CheckSimilarExcept},
	{"in_database", plan.CheckInDatabase},
}

// checkKindList says what a check can be, for messages.
const checkKindList = "assert, unique, not_null, column with accepted_values, min_rows and/or max_rows, similar_except, or in_database"

// defaultSample is how many documents an in_database check compares field
// by field.
const defaultSample = 100

// checkBlock is a decoded check block. Expressions that read columns are
// kept for the compiler.
type checkBlock struct {
	plan.Check
	NameRange hcl.Range
	// ExprSyntax is the assert condition, or the column list of unique,
	// not_null and similar_except.
	ExprSyntax hclsyntax.Expression
	// ColumnSyntax and ValuesSyntax are the column and the accepted_values
	// list of an accepted_values check.
	ColumnSyntax hclsyntax.Expression
	ValuesSyntax hclsyntax.Expression
}

func decodeCheckBlock(block *hclsyntax.Block, ev *evaluator) (*checkBlock, diag.Diagnostics) {
	ch := &checkBlock{Check: plan.Check{Name: block.Labels[0], Range: toRange(block.DefRange())}, NameRange: block.LabelRanges[0]}
	c, diags := content(block.Body, checkBlockSchema, "a check block", block.DefRange())
	if !validIdentifier(ch.Name) {
		diags = append(diags, errorAt(ch.NameRange, "Invalid check name",
			"Check names start with a letter and hold only letters, digits and underscores, so reports can name them; %q does not.", ch.Name))
	}
	kind, ok, ds := checkKind(c.Attributes, block.DefRange())
	diags = append(diags, ds...)
	ch.Kind = kind
	s := newSettings(ev, "check."+ch.Name, c)
	if ok {
		diags = append(diags, decodeCheckKind(ch, c.Attributes, s)...)
	}
	if s.has("sample") && kind != plan.CheckInDatabase {
		s.invalid("sample", "sample is how many documents an in_database check compares field by field; this check is not one.")
	}
	ch.Severity = keywordSetting(s, "severity", "severity", plan.Severities, plan.SeverityError)
	ch.MaxFailures = s.limit("max_failures", plan.Limit{})
	ch.Message = s.str("message", "")
	return ch, append(diags, s.diags...)
}

// checkKind finds the one kind the check's attributes choose.
func checkKind(attrs map[string]*hclsyntax.Attribute, declRange hcl.Range) (plan.CheckKind, bool, diag.Diagnostics) {
	var found []string
	var kinds []plan.CheckKind
	for _, ka := range checkKindAttrs {
		if _, ok := attrs[ka.attr]; !ok {
			continue
		}
		if len(kinds) > 0 && kinds[len(kinds)-1] == ka.kind {
			continue
		}
		found = append(found, ka.attr)
		kinds = append(kinds, ka.kind)
	}
	switch len(kinds) {
	case 0:
		return 0, false, diag.Diagnostics{errorAt(declRange, "Missing check kind",
			"A check needs exactly one of %s.", checkKindList)}
	case 1:
		return kinds[0], true, nil
	}
	second := attrs[found[1]]
	return 0, false, diag.Diagnostics{errorAt(second.NameRange, "Conflicting check kinds",
		"This check sets both %s and %s, and a check has exactly one kind (%s). Split it into two checks.", found[0], found[1], checkKindList)}
}

// decodeCheckKind reads the attributes of the check's kind that are known
// before any row is read.
func decodeCheckKind(ch *checkBlock, attrs map[string]*hclsyntax.Attribute, s *settings) diag.Diagnostics {
	var diags diag.Diagnostics
	switch ch.Kind {
	case plan.CheckAssert:
		ch.ExprSyntax = attrs["assert"].Expr
	case plan.CheckUnique:
		ch.ExprSyntax = attrs["unique"].Expr
	case plan.CheckNotNull:
		ch.ExprSyntax = attrs["not_null"].Expr
	case plan.CheckSimilarExcept:
		ch.ExprSyntax = attrs["similar_except"].Expr
	case plan.CheckAcceptedValues:
		col, hasCol := attrs["column"]
		values, hasValues := attrs["accepted_values"]
		switch {
		case !hasCol:
			diags = append(diags, errorAt(values.NameRange, "Missing column for accepted_values",
				"accepted_values lists the values one column may hold; say which with column = col.<name>."))
		case !hasValues:
			diags = append(diags, errorAt(col.NameRange, "Missing accepted_values",
				"column names the column an accepted_values check reads; list its values with accepted_values = [...]."))
		default:
			ch.ColumnSyntax, ch.ValuesSyntax = col.Expr, values.Expr
		}
	case plan.CheckRowCount:
		ch.MinRows = rowBound(s, "min_rows")
		ch.MaxRows = rowBound(s, "max_rows")
		if ch.MinRows != nil && ch.MaxRows != nil && *ch.MinRows > *ch.MaxRows {
			s.invalid("max_rows", "max_rows (%d) is below min_rows (%d), so no run could pass.", *ch.MaxRows, *ch.MinRows)
		}
	case plan.CheckInDatabase:
		if v, ok := s.value("in_database", cty.Bool, "true"); ok && v.False() {
			s.invalid("in_database", "in_database = false checks nothing; set it to true, or remove the check.")
		}
		ch.Sample = int(s.integer("sample", defaultSample, 0, math.MaxInt32))
	}
	return diags
}

func rowBound(s *settings, name string) *int64 {
	if !s.has(name) {
		return nil
	}
	n := s.integer(name, 0, 0, math.MaxInt64)
	return &n
}

// checks compiles every check against the columns.
func (c *compiler) checks() []plan.Check {
	var out []plan.Check
	for _, b := range c.spec.Checks {
		ch := b.Check
		what := fmt.Sprintf("check %q", ch.Name)
		var diags diag.Diagnostics
		switch ch.Kind {
		case plan.CheckAssert:
			if b.ExprSyntax != nil {
				ch.Assert, diags = c.assertion(b)
			}
		case plan.CheckUnique, plan.CheckNotNull, plan.CheckSimilarExcept:
			if b.ExprSyntax != nil {
				ch.Columns, diags = c.columnList(b.ExprSyntax, what+"."+ch.Kind.String())
			}
		case plan.CheckAcceptedValues:
			if b.ColumnSyntax != nil {
				ch.Columns, ch.Values, diags = c.acceptedValues(b, what)
			}
		}
		c.diags = append(c.diags, diags...)
		out = append(out, ch)
	}
	return out
}

// assertion compiles an assert condition, which must be true or false.
func (c *compiler) assertion(b *checkBlock) (*plan.Expr, diag.Diagnostics) {
	sc := &exprScope{where: fmt.Sprintf("the assert of check %q", b.Name),
		noSelf: "self is a column's own value inside its expr; a check reads columns with col.<name>."}
	x, diags := c.expr(b.ExprSyntax, sc)
	if x != nil && x.Type != plan.TypeBool {
		return nil, append(diags, errorIn(x.Range, "Check condition is not a boolean",
			"The assert of check %q must be true or false for each row; %s.", b.Name, describe(x)))
	}
	return x, diags
}

// acceptedValues resolves the column and converts every value to its type.
func (c *compiler) acceptedValues(b *checkBlock, what string) ([]string, []plan.Value, diag.Diagnostics) {
	name, diags := c.columnRef(b.ColumnSyntax, what+".column")
	if name == "" {
		return nil, nil, diags
	}
	list, ok := b.ValuesSyntax.(*hclsyntax.TupleConsExpr)
	if !ok || len(list.Exprs) == 0 {
		return nil, nil, append(diags, errorAt(b.ValuesSyntax.Range(), "Invalid accepted_values",
			"accepted_values is a non-empty list of the values col.%s may hold, such as [\"Male\", \"Female\"].", name))
	}
	t := c.colType[name]
	if t == plan.TypeInvalid {
		return nil, nil, diags
	}
	col := c.columnByName(name)
	var values []plan.Value
	for i, el := range list.Exprs {
		v, ok, ds := c.columnValue(el, col, fmt.Sprintf("accepted value %d of %s", i+1, what), "Invalid accepted value")
		diags = append(diags, ds...)
		switch {
		case !ok:
		case v.IsNull():
			diags = append(diags, errorAt(el.Range(), "Invalid accepted value",
				"Nulls always pass an accepted_values check; to forbid them, add a not_null check."))
		default:
			values = append(values, v)
		}
	}
	return []string{name}, values, diags
}
