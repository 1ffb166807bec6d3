package schemas

import (
	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"

	"runner/schemas/diag"
)

var pipelineBlockSchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{
		{Name: "description"},
	},
}

// pipelineBlock is the decoded pipeline block: the pipeline's name, which
// reports and logs carry.
type pipelineBlock struct {
	Name        string
	Description string
	DeclRange   hcl.Range
	NameRange   hcl.Range
}

func decodePipelineBlock(block *hclsyntax.Block, ev *evaluator) (*pipelineBlock, diag.Diagnostics) {
	p := &pipelineBlock{Name: block.Labels[0], DeclRange: block.DefRange(), NameRange: block.LabelRanges[0]}
	c, diags := content(block.Body, pipelineBlockSchema, "a pipeline block", p.DeclRange)
	if !hclsyntax.ValidIdentifier(p.Name) {
		diags = append(diags, errorAt(p.NameRange, "Invalid pipeline name",
			"A pipeline name starts with a letter and holds letters, digits, underscores and dashes; %q does not.", p.Name))
	}
	s := newSettings(ev, "pipeline", c)
	p.Description = s.str("description", "")
	return p, append(diags, s.diags...)
}
