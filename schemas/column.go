package schemas

import (
	"fmt"
	"strings"
	"time"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"

	"runner/schemas/diag"
	"runner/stages/plan"
)

var columnBlockSchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{
		{Name: "from"},
		{Name: "type"},
		{Name: "format"},
		{Name: "zone"},
		{Name: "scale"},
		{Name: "clean"},
		{Name: "expr"},
		{Name: "default"},
		{Name: "required"},
		{Name: "on_error"},
		{Name: "sensitive"},
	},
}

// Defaults of the column block.
const (
	defaultDateFormat      = "2006-01-02"
	defaultTimestampFormat = time.RFC3339
	defaultZone            = "UTC"
	defaultScale           = 2
	maxScale               = 38
)

// typeAliases maps type names other tools use to ours, to suggest a fix.
var typeAliases = map[string]plan.Type{
	"int": plan.TypeInt32, "integer": plan.TypeInt64, "long": plan.TypeInt64, "bigint": plan.TypeInt64,
	"float": plan.TypeFloat64, "double": plan.TypeFloat64, "number": plan.TypeFloat64,
	"decimal": plan.TypeDecimal128, "numeric": plan.TypeDecimal128,
	"boolean": plan.TypeBool, "text": plan.TypeString, "varchar": plan.TypeString,
	"datetime": plan.TypeTimestamp, "time": plan.TypeTimestamp,
}

// columnBlock is a decoded column block: its settings in plan form, and the
// expressions the compiler resolves once every column's name and type is
// known (an expression may read any column, declared before or after).
type columnBlock struct {
	plan.Column
	NameRange hcl.Range
	// InferType is set for a derived column without a type: it takes the
	// type of its expression.
	InferType bool
	// TypeRange is where the column's type is decided: its type attribute,
	// or the expr a derived column without one takes its type from; empty
	// for a column that is a string by default.
	TypeRange hcl.Range
	// CleanSyntax, ExprSyntax and DefaultSyntax are the clean, expr and
	// default attributes, nil when absent.
	CleanSyntax   hclsyntax.Expression
	ExprSyntax    hclsyntax.Expression
	DefaultSyntax hclsyntax.Expression
	// KindUnknown is set when whether the column reads a field is unknown:
	// its from could not be read, or it has none and has an unknown
	// argument, which may be a misspelt from (form = "Name"). Nothing that
	// depends on the column's kind is then reported.
	KindUnknown bool
}

func decodeColumnBlock(block *hclsyntax.Block, ev *evaluator) (*columnBlock, diag.Diagnostics) {
	col := &columnBlock{
		Column:    plan.Column{Name: block.Labels[0], Range: toRange(block.DefRange())},
		NameRange: block.LabelRanges[0],
	}
	c, diags := content(block.Body, columnBlockSchema, "a column block", block.DefRange())
	col.KindUnknown = diags.HasErrors() && c.Attributes["from"] == nil
	if problem := columnNameProblem(col.Name); problem != "" {
		diags = append(diags, errorAt(col.NameRange, "Invalid column name", "%s", problem))
	}
	s := newSettings(ev, "column."+col.Name, c)
	derived := !s.has("from")
	// derivedSure guards the problems that only a derived column has.
	derivedSure := derived && !col.KindUnknown
	if !derived {
		col.FromRange = toRange(s.exprRange("from"))
		// A number would convert to its text and name a field such as "42",
		// which is a mistake far more often than a header.
		from, ok := s.exactStrOK("from", `a string naming the CSV field the column reads, as the header writes it (from = "Age")`)
		switch {
		case !ok:
			// The column reads a field, but which one is unknown: what is
			// checked for a column with from or without it stays silent.
			col.KindUnknown = true
		case from == "":
			s.invalid("from", "from names the CSV field the column reads, as the header writes it: from = \"Date of Admission\".")
		default:
			col.From = from
		}
	}

	switch attr, ok := c.Attributes["type"]; {
	case ok:
		col.TypeRange = attr.Expr.Range()
		var d *diag.Diagnostic
		if col.Type, d = parseColumnType(attr.Expr); d != nil {
			diags = append(diags, d)
		}
	case derived:
		col.InferType = true
	default:
		col.Type = plan.TypeString
	}
	decodeCastSettings(col, s, derived, derivedSure)

	col.CleanSyntax = attrExpr(c.Attributes["clean"])
	col.ExprSyntax = attrExpr(c.Attributes["expr"])
	if col.InferType && col.ExprSyntax != nil {
		col.TypeRange = col.ExprSyntax.Range()
	}
	col.DefaultSyntax = attrExpr(c.Attributes["default"])
	switch {
	case derivedSure && col.CleanSyntax != nil:
		diags = append(diags, errorAt(col.CleanSyntax.Range(), "Clean on a derived column",
			"clean maps the text read from the CSV before the cast, and column %q reads none (it has no from). Apply the functions in expr instead, for example expr = trim(col.other).", col.Name))
	case derivedSure && col.ExprSyntax == nil:
		diags = append(diags, errorAt(block.DefRange(), "Column without a source",
			"Column %q has neither from nor expr. Set from to the CSV field it reads, or expr to compute it from other columns.", col.Name))
	}

	col.Required = s.boolean("required", false)
	col.Sensitive = s.boolean("sensitive", false)
	col.OnError = keywordSetting(s, "on_error", "on_error policy", plan.OnErrors, plan.OnErrorReject)
	if s.has("on_error") {
		switch {
		case derivedSure:
			s.invalid("on_error", "on_error says what a source value that cannot be cast does, and column %q reads none (it has no from).", col.Name)
		case col.OnError == plan.OnErrorDefault && col.DefaultSyntax == nil:
			s.invalid("on_error", "on_error = \"default\" replaces a value that cannot be cast with the column's default, and column %q has none. Add default = ..., or use \"null\" or \"reject\".", col.Name)
		}
	}
	return col, append(diags, s.diags...)
}

// decodeCastSettings reads format, zone and scale, which say how source text
// becomes the column's type, and fills their defaults.
func decodeCastSettings(col *columnBlock, s *settings, derived, derivedSure bool) {
	known := col.Type != plan.TypeInvalid
	if s.has("format") {
		col.Format = s.str("format", "")
		switch {
		case derivedSure:
			s.invalid("format", "format says how to read source text, and column %q reads none (it has no from).", col.Name)
		case known && !col.Type.IsTemporal():
			s.invalid("format", "format only applies to date and timestamp columns; column %q is %s.", col.Name, typeNoun(col.Type))
		default:
			if problem := layoutProblem(col.Format); problem != "" {
				s.invalid("format", "%s", problem)
			}
		}
	} else if !derived && col.Type == plan.TypeDate {
		col.Format = defaultDateFormat
	} else if !derived && col.Type == plan.TypeTimestamp {
		col.Format = defaultTimestampFormat
	}

	if s.has("zone") {
		col.Zone = s.str("zone", "")
		switch {
		case derivedSure || (known && col.Type != plan.TypeTimestamp):
			s.invalid("zone", "zone says which time zone a timestamp read without an offset is in; it only applies to timestamp columns with from.")
		default:
			if problem := zoneProblem(col.Zone); problem != "" {
				s.invalid("zone", "%s", problem)
			}
		}
	} else if !derived && col.Type == plan.TypeTimestamp {
		col.Zone = defaultZone
	}

	if s.has("scale") {
		col.Scale = int(s.integer("scale", defaultScale, 0, maxScale))
		if known && col.Type != plan.TypeDecimal128 {
			s.invalid("scale", "scale is the number of decimal places of a decimal128 column; column %q is %s.", col.Name, typeNoun(col.Type))
		}
	} else if col.Type == plan.TypeDecimal128 {
		col.Scale = defaultScale
	}
}

// parseColumnType reads a type keyword (type = int32) or its name as a
// string (type = "int32").
func parseColumnType(expr hclsyntax.Expression) (plan.Type, *diag.Diagnostic) {
	names := plan.Spellings(plan.ColumnTypes)
	name := hcl.ExprAsKeyword(expr)
	if name == "" {
		lit, ok := stringLiteral(expr)
		if !ok {
			return plan.TypeInvalid, errorAt(expr.Range(), "Invalid type",
				"type names one of the column types, written bare: type = int32. The types are %s.", joinList(names, "and"))
		}
		name = lit
	}
	if t, ok := plan.ParseType(name); ok {
		return t, nil
	}
	hint := didYouMean(name, names)
	if alias, ok := typeAliases[strings.ToLower(name)]; ok {
		hint = fmt.Sprintf(" Did you mean %q?", alias)
	}
	return plan.TypeInvalid, errorAt(expr.Range(), "Unknown type",
		"%q is not a column type.%s The types are %s.", name, hint, joinList(names, "and"))
}

// columnNameProblem says why name cannot be a column name, or "".
func columnNameProblem(name string) string {
	if validIdentifier(name) {
		return ""
	}
	var detail string
	if strings.HasPrefix(name, "_") {
		detail = fmt.Sprintf("Column names starting with \"_\" are reserved for the columns runner adds, such as _origin; %q is one.", name)
	} else {
		detail = fmt.Sprintf("Column names start with a letter and hold only letters, digits and underscores, because expressions read them as col.<name>; %q does not.", name)
	}
	if fixed := snakeName(name); fixed != "" && fixed != name {
		detail += fmt.Sprintf(" Did you mean %q?", fixed)
	}
	return detail
}

// attrExpr returns the attribute's expression, or nil when attr is nil.
func attrExpr(attr *hclsyntax.Attribute) hclsyntax.Expression {
	if attr == nil {
		return nil
	}
	return attr.Expr
}
