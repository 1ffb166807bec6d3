package schemas

import (
	"slices"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"

	"runner/schemas/diag"
	"runner/stages/plan"
)

var reportBlockSchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{
		{Name: "dir"},
		{Name: "formats"},
	},
}

const defaultReportDir = "reports"

// defaultReport is the report of a pipeline without a report block.
func defaultReport() plan.Report {
	return plan.Report{Dir: defaultReportDir, Formats: append([]string(nil), plan.ReportFormats...)}
}

// decodeReportBlock decodes the report block straight into the plan's Report.
func decodeReportBlock(block *hclsyntax.Block, ev *evaluator) (*plan.Report, diag.Diagnostics) {
	r := defaultReport()
	r.Range = toRange(block.DefRange())
	c, diags := content(block.Body, reportBlockSchema, "a report block", block.DefRange())
	s := newSettings(ev, "report", c)
	if dir, ok := s.strOK("dir"); ok {
		r.Dir = dir
		if dir == "" {
			s.invalid("dir", "report.dir is the directory the reports are written to; it cannot be empty. Use \".\" for the working directory.")
		}
	}
	if attr, ok := c.Attributes["formats"]; ok {
		r.Formats = reportFormats(s, attr.Expr)
	}
	return &r, append(diags, s.diags...)
}

// reportFormats reads the formats list, checking each entry where it stands.
func reportFormats(s *settings, e hclsyntax.Expression) []string {
	list, ok := e.(*hclsyntax.TupleConsExpr)
	if !ok {
		s.invalid("formats", "report.formats is a list drawn from %s.", quotedList(plan.ReportFormats, "and"))
		return nil
	}
	formats := []string{}
	for _, el := range list.Exprs {
		f, ok := s.keywordExpr(el, "report.formats", "Invalid report format", "report format", plan.ReportFormats)
		switch {
		case !ok:
		case slices.Contains(formats, f):
			s.diags = append(s.diags, errorAt(el.Range(), "Duplicate report format", "report.formats lists %q twice.", f))
		default:
			formats = append(formats, f)
		}
	}
	return formats
}
