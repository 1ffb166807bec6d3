package schemas

import (
	"path/filepath"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"

	"runner/schemas/diag"
	"runner/stages/plan"
)

var sourceBlockSchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{
		{Name: "path", Required: true},
		{Name: "header"},
		{Name: "field_names"},
		{Name: "delimiter"},
		{Name: "quote"},
		{Name: "comment"},
		{Name: "null_values"},
		{Name: "encoding"},
		{Name: "batch_size"},
		{Name: "max_record_bytes"},
		{Name: "max_rejects"},
	},
}

// sourceKinds are the labels a source block may have.
var sourceKinds = []string{"csv"}

// encodings are the accepted values of source.encoding.
var encodings = []string{"utf-8"}

// Defaults of the source block.
const (
	defaultBatchRows = 8192
	maxBatchRows     = 1_000_000
)

var defaultMaxRejects = plan.Limit{Share: 0.01}

// decodeSourceBlock decodes the source block straight into the plan's
// Source: every setting is known before any row is read.
func decodeSourceBlock(block *hclsyntax.Block, ev *evaluator) (*plan.Source, diag.Diagnostics) {
	src := &plan.Source{Format: block.Labels[0], Range: toRange(block.DefRange())}
	c, diags := content(block.Body, sourceBlockSchema, "a source block", block.DefRange())
	if src.Format != "csv" {
		diags = append(diags, errorAt(block.LabelRanges[0], "Unsupported source kind",
			"runner reads %s sources; %q is not one.%s", quotedList(sourceKinds, "or"), src.Format, didYouMean(src.Format, sourceKinds)))
	}
	s := newSettings(ev, "source", c)
	if s.has("path") {
		src.PathRange = toRange(s.exprRange("path"))
	}
	if path, ok := s.strOK("path"); ok {
		src.Path = path
		if _, err := filepath.Match(path, ""); err != nil {
			s.invalid("path", "source.path %q is not a valid file name or glob pattern: %s.", path, err)
		} else if path == "" {
			s.invalid("path", "source.path must name a CSV file or a glob such as \"data/*.csv\".")
		}
	}
	src.Header = s.boolean("header", true)
	src.FieldNames = s.strs("field_names", nil)
	switch {
	case !src.Header && !s.has("field_names"):
		diags = append(diags, errorAt(block.DefRange(), "Missing field_names",
			"With header = false the file has no header line to name its fields; list them in order with field_names = [\"id\", \"name\", ...]."))
	case src.Header && s.has("field_names"):
		s.invalid("field_names", "field_names names the fields of a file without a header line; with header = true the names come from the header. Remove field_names, or set header = false.")
	}
	src.Delimiter = s.char("delimiter", ',', false)
	src.Quote = s.char("quote", '"', true)
	src.Comment = s.char("comment", 0, true)
	if src.Quote != 0 && src.Quote == src.Delimiter {
		// Point at the attribute the file sets: with the default quote that
		// is the delimiter.
		name := "quote"
		if !s.has(name) {
			name = "delimiter"
		}
		s.invalid(name, "source.quote and source.delimiter must differ; both are %q.", string(src.Quote))
	}
	if src.Comment != 0 && (src.Comment == src.Delimiter || src.Comment == src.Quote) {
		s.invalid("comment", "source.comment must differ from the delimiter and the quote.")
	}
	src.NullValues = s.strs("null_values", []string{""})
	src.Encoding = "utf-8"
	if attr, ok := c.Attributes["encoding"]; ok {
		s.keywordExpr(attr.Expr, "source.encoding", "Invalid encoding", "encoding", encodings)
	}
	src.BatchRows = int(s.integer("batch_size", defaultBatchRows, 1, maxBatchRows))
	src.MaxRecordBytes = int(s.integer("max_record_bytes", plan.DefaultMaxRecordBytes, 16, plan.MaxRecordBytesLimit))
	src.MaxRejects = s.limit("max_rejects", defaultMaxRejects)
	return src, append(diags, s.diags...)
}
