package schemas

import (
	"fmt"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"

	"runner/schemas/diag"
	"runner/stages/plan"
)

var fileSchema = &hcl.BodySchema{
	Blocks: []hcl.BlockHeaderSchema{
		{Type: "pipeline", LabelNames: []string{"name"}},
		{Type: "variable", LabelNames: []string{"name"}},
		{Type: "source", LabelNames: []string{"kind"}},
		{Type: "column", LabelNames: []string{"name"}},
		{Type: "dedup"},
		{Type: "document"},
		{Type: "target", LabelNames: []string{"kind"}},
		{Type: "check", LabelNames: []string{"name"}},
		{Type: "report"},
	},
}

// spec is a decoded pipeline file: every block with its settings evaluated,
// and the expressions that read rows kept for the compiler. A block that
// could not be decoded at all is nil.
type spec struct {
	Pipeline  *pipelineBlock
	Variables resolvedVariables
	Source    *plan.Source
	Columns   []*columnBlock
	Dedup     *dedupBlock
	Document  *documentBlock
	Target    *targetBlock
	Checks    []*checkBlock
	Report    *plan.Report
	ev        *evaluator
}

// decodeFile decodes every block of a pipeline file. Variables come first,
// because every other block's settings may read them.
func (l *Loader) decodeFile(body *hclsyntax.Body) (*spec, diag.Diagnostics) {
	c, diags := content(body, fileSchema, "a pipeline file", body.SrcRange)
	s := &spec{}

	var vars []*variableBlock
	varRanges := map[string]hcl.Range{}
	for _, b := range c.Blocks {
		if b.Type != "variable" {
			continue
		}
		v, ds := decodeVariableBlock(b)
		diags = append(diags, ds...)
		if first, dup := varRanges[v.Name]; dup {
			diags = append(diags, duplicate(v.NameRange, "variable", v.Name, first))
			continue
		}
		varRanges[v.Name] = v.NameRange
		vars = append(vars, v)
	}
	var ds diag.Diagnostics
	s.Variables, ds = l.resolveVariables(vars)
	diags = append(diags, ds...)
	s.ev = newEvaluator(s.Variables.values, s.Variables.names, configFuncs{env: l.opts.Env, readFile: l.opts.ReadFile})

	singles := map[string]hcl.Range{}
	names := map[string]map[string]hcl.Range{"column": {}, "check": {}}
	for _, b := range c.Blocks {
		switch b.Type {
		case "pipeline", "source", "dedup", "document", "target", "report":
			if first, dup := singles[b.Type]; dup {
				d := errorAt(b.DefRange(), fmt.Sprintf("Duplicate %s block", b.Type),
					"A pipeline file has one %s block; the first is on line %d.", b.Type, first.Start.Line)
				d.Context = rangePtr(first)
				diags = append(diags, d)
				continue
			}
			singles[b.Type] = b.DefRange()
		case "column", "check":
			if first, dup := names[b.Type][b.Labels[0]]; dup {
				diags = append(diags, duplicate(b.LabelRanges[0], b.Type, b.Labels[0], first))
				continue
			}
			names[b.Type][b.Labels[0]] = b.LabelRanges[0]
		}
		diags = append(diags, s.decodeBlock(b)...)
	}

	diags = append(diags, s.missingBlocks()...)
	return s, diags
}

// decodeBlock decodes one block other than a variable into s.
func (s *spec) decodeBlock(b *hclsyntax.Block) diag.Diagnostics {
	var diags diag.Diagnostics
	switch b.Type {
	case "pipeline":
		s.Pipeline, diags = decodePipelineBlock(b, s.ev)
	case "source":
		s.Source, diags = decodeSourceBlock(b, s.ev)
	case "column":
		var col *columnBlock
		col, diags = decodeColumnBlock(b, s.ev)
		s.Columns = append(s.Columns, col)
	case "dedup":
		s.Dedup, diags = decodeDedupBlock(b, s.ev)
	case "document":
		s.Document, diags = decodeDocumentBlock(b, s.ev)
	case "target":
		s.Target, diags = decodeTargetBlock(b, s.ev)
	case "check":
		var ch *checkBlock
		ch, diags = decodeCheckBlock(b, s.ev)
		s.Checks = append(s.Checks, ch)
	case "report":
		s.Report, diags = decodeReportBlock(b, s.ev)
	}
	return diags
}

// missingBlocks reports the blocks every pipeline needs, at the pipeline
// block when there is one.
func (s *spec) missingBlocks() diag.Diagnostics {
	if s.Pipeline == nil {
		return diag.Diagnostics{sourceless("Missing pipeline block",
			"A pipeline file names its pipeline with a pipeline block: pipeline \"<name>\" { description = \"...\" }.")}
	}
	var diags diag.Diagnostics
	missing := func(block, detail string) {
		diags = append(diags, errorAt(s.Pipeline.DeclRange, "Missing "+block+" block", "%s", detail))
	}
	if s.Source == nil {
		missing("source", "Every pipeline reads one source: add a source \"csv\" { path = \"...\" } block.")
	}
	if s.Document == nil {
		missing("document", "Every pipeline says what each row becomes with a document block, for example document { name = col.name }.")
	}
	if s.Target == nil {
		missing("target", "Every pipeline loads one target: add a target \"mongodb\" { database = \"...\", collection = \"...\" } block.")
	}
	return diags
}

// duplicate reports a second declaration of a named block; its context is
// the first declaration.
func duplicate(rng hcl.Range, kind, name string, first hcl.Range) *diag.Diagnostic {
	d := errorAt(rng, fmt.Sprintf("Duplicate %s", kind),
		"%s %s named %q is already declared on line %d; each %s needs its own name.",
		capitalize(article(kind)), kind, name, first.Start.Line, kind)
	d.Context = rangePtr(first)
	return d
}
