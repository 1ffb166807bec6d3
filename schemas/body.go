package schemas

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"

	"runner/schemas/diag"
)

// blockContent is a body checked against its schema: the attributes it may
// have, by name, and its nested blocks, in source order.
type blockContent struct {
	Attributes map[string]*hclsyntax.Attribute
	Blocks     []*hclsyntax.Block
	// Required names the attributes the schema requires: being present is
	// not enough, their value cannot be null either.
	Required map[string]bool
}

// nestedBlockHome says where a block that is only valid inside another block
// belongs, to give a misplaced one a precise hint.
var nestedBlockHome = map[string]string{"index": "target", "tls": "target"}

// content checks body against schema, reporting every unknown argument or
// block (with the closest valid name), wrong labels, and missing required
// arguments at declRange. where names the body in messages: "a column block"
// or "a pipeline file". Only well-formed attributes and blocks are returned,
// so decoders can trust what they get.
func content(body *hclsyntax.Body, schema *hcl.BodySchema, where string, declRange hcl.Range) (blockContent, diag.Diagnostics) {
	var diags diag.Diagnostics
	out := blockContent{Attributes: map[string]*hclsyntax.Attribute{}, Required: map[string]bool{}}

	attrNames := make([]string, 0, len(schema.Attributes))
	for _, a := range schema.Attributes {
		attrNames = append(attrNames, a.Name)
	}
	blockTypes := make([]string, 0, len(schema.Blocks))
	labels := map[string][]string{}
	for _, b := range schema.Blocks {
		blockTypes = append(blockTypes, b.Type)
		labels[b.Type] = b.LabelNames
	}

	for _, attr := range sortedAttributes(body) {
		if slices.Contains(attrNames, attr.Name) {
			out.Attributes[attr.Name] = attr
			continue
		}
		detail := fmt.Sprintf("An argument named %q is not expected in %s.", attr.Name, where)
		switch {
		case slices.Contains(blockTypes, attr.Name):
			detail += fmt.Sprintf(" %s is a block: write %s { ... } without the equals sign.", attr.Name, attr.Name)
		case didYouMean(attr.Name, attrNames) != "":
			detail += didYouMean(attr.Name, attrNames)
		case len(attrNames) > 0:
			detail += fmt.Sprintf(" The arguments of %s are %s.", where, joinList(attrNames, "and"))
		}
		diags = append(diags, errorAt(attr.NameRange, "Unsupported argument", "%s", detail))
	}

	for _, block := range body.Blocks {
		names, known := labels[block.Type]
		if !known {
			detail := fmt.Sprintf("Blocks of type %q are not expected in %s.", block.Type, where)
			switch home, nested := nestedBlockHome[block.Type]; {
			case nested && !slices.Contains(blockTypes, block.Type) && where != "a "+home+" block":
				detail += fmt.Sprintf(" %s %s block belongs inside the %s block.", capitalize(article(block.Type)), block.Type, home)
			case slices.Contains(attrNames, block.Type):
				detail += fmt.Sprintf(" %s is an argument: write %s = ... with an equals sign.", block.Type, block.Type)
			case didYouMean(block.Type, blockTypes) != "":
				detail += didYouMean(block.Type, blockTypes)
			case len(blockTypes) > 0:
				detail += fmt.Sprintf(" The blocks of %s are %s.", where, joinList(blockTypes, "and"))
			default:
				detail += fmt.Sprintf(" %s has no nested blocks.", capitalize(where))
			}
			diags = append(diags, errorAt(block.TypeRange, "Unsupported block type", "%s", detail))
			continue
		}
		if d := checkLabels(block, names); d != nil {
			diags = append(diags, d)
			continue
		}
		out.Blocks = append(out.Blocks, block)
	}

	for _, a := range schema.Attributes {
		if a.Required {
			out.Required[a.Name] = true
		}
		if _, ok := out.Attributes[a.Name]; a.Required && !ok {
			diags = append(diags, errorAt(declRange, "Missing required argument",
				"%s needs a %q argument.", capitalize(where), a.Name))
		}
	}
	return out, diags
}

// checkLabels reports a block with too few or too many labels.
func checkLabels(block *hclsyntax.Block, names []string) *diag.Diagnostic {
	switch {
	case len(block.Labels) < len(names):
		missing := names[len(block.Labels)]
		return errorAt(hcl.RangeBetween(block.TypeRange, block.OpenBraceRange),
			fmt.Sprintf("Missing %s %s", block.Type, missing),
			"%s %s block needs a %s: %s %q { ... }.", capitalize(article(block.Type)), block.Type, missing, block.Type, "<"+missing+">")
	case len(block.Labels) > len(names):
		extra := block.Labels[len(names)]
		if len(names) == 0 {
			return errorAt(block.LabelRanges[0], "Extraneous label",
				"%s %s block has no labels; remove %q.", capitalize(article(block.Type)), block.Type, extra)
		}
		return errorAt(block.LabelRanges[len(names)], "Extraneous label",
			"%s %s block has one label (its %s); remove %q.", capitalize(article(block.Type)), block.Type, names[0], extra)
	}
	return nil
}

// sortedAttributes returns body's attributes in source order: HCL keeps them
// in a map, and both diagnostics and document fields must follow the file.
func sortedAttributes(body *hclsyntax.Body) []*hclsyntax.Attribute {
	attrs := make([]*hclsyntax.Attribute, 0, len(body.Attributes))
	for _, a := range body.Attributes {
		attrs = append(attrs, a)
	}
	sort.Slice(attrs, func(i, j int) bool { return attrs[i].SrcRange.Start.Byte < attrs[j].SrcRange.Start.Byte })
	return attrs
}

func capitalize(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}
