package schemas

import (
	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/ext/typeexpr"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"

	"runner/schemas/diag"
)

var variableBlockSchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{
		{Name: "type"},
		{Name: "default"},
		{Name: "description"},
		{Name: "sensitive"},
	},
}

// variableBlock is a decoded variable block. Its attributes are literals:
// a variable cannot depend on another variable or on the environment (use
// RUNNER_VAR_<name> for that).
type variableBlock struct {
	Name string
	// Type is cty.DynamicPseudoType (any) when the block declares none.
	Type cty.Type
	// Default is cty.NilVal when the block has none.
	Default     cty.Value
	Description string
	Sensitive   bool
	DeclRange   hcl.Range
	NameRange   hcl.Range
}

func decodeVariableBlock(block *hclsyntax.Block) (*variableBlock, diag.Diagnostics) {
	v := &variableBlock{
		Name:      block.Labels[0],
		Type:      cty.DynamicPseudoType,
		DeclRange: block.DefRange(),
		NameRange: block.LabelRanges[0],
	}
	c, diags := content(block.Body, variableBlockSchema, "a variable block", v.DeclRange)
	if !validIdentifier(v.Name) {
		diags = append(diags, errorAt(v.NameRange, "Invalid variable name",
			"Variable names start with a letter and hold only letters, digits and underscores, so that var.<name> and RUNNER_VAR_<name> can name them; %q does not.", v.Name))
	}
	if attr, ok := c.Attributes["type"]; ok {
		ty, hd := typeexpr.TypeConstraint(attr.Expr)
		diags = append(diags, fromHCL(hd)...)
		if !hd.HasErrors() {
			v.Type = ty
		}
	}
	if attr, ok := c.Attributes["default"]; ok {
		val, hd := attr.Expr.Value(nil)
		diags = append(diags, fromHCL(hd)...)
		if !hd.HasErrors() {
			cv, err := convert.Convert(val, v.Type)
			if err != nil {
				diags = append(diags, errorAt(attr.Expr.Range(), "Invalid default value for variable",
					"The default of variable %q must be %s: %s.", v.Name, typeexpr.TypeString(v.Type), err))
			} else {
				v.Default = cv
			}
		}
	}
	v.Description, diags = literalString(c.Attributes["description"], "variable.description", diags)
	if attr, ok := c.Attributes["sensitive"]; ok {
		val, hd := attr.Expr.Value(nil)
		diags = append(diags, fromHCL(hd)...)
		if !hd.HasErrors() {
			b, err := convert.Convert(val, cty.Bool)
			if err != nil || b.IsNull() {
				diags = append(diags, errorAt(attr.Expr.Range(), "Incorrect value type", "variable.sensitive must be true or false."))
			} else {
				v.Sensitive = b.True()
			}
		}
	}
	return v, diags
}

// literalString evaluates an attribute that may only hold a literal string,
// such as a description; it returns "" when attr is nil.
func literalString(attr *hclsyntax.Attribute, what string, diags diag.Diagnostics) (string, diag.Diagnostics) {
	if attr == nil {
		return "", diags
	}
	val, hd := attr.Expr.Value(nil)
	diags = append(diags, fromHCL(hd)...)
	if hd.HasErrors() || val.IsNull() {
		return "", diags
	}
	s, err := convert.Convert(val, cty.String)
	if err != nil {
		return "", append(diags, errorAt(attr.Expr.Range(), "Incorrect value type", "%s must be a string.", what))
	}
	return s.AsString(), diags
}
