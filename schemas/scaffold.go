package schemas

import (
	"fmt"
	"slices"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/hashicorp/hcl/v2/hclwrite"
	"github.com/zclconf/go-cty/cty"

	"runner/stages/plan"
)

// ScaffoldField is one field of the CSV `runner init` was given, with the
// type it inferred from the first rows.
type ScaffoldField struct {
	Header string
	Type   plan.Type
	// Format is the date or timestamp layout the values matched, if any.
	Format string
}

// ScaffoldSpec describes the pipeline `runner init` writes. Fields with an
// empty header are left out, with a comment saying so.
type ScaffoldSpec struct {
	// Name names the pipeline, its database and its collection.
	Name    string
	CSVPath string
	Fields  []ScaffoldField
}

// Scaffold writes a starting pipeline for a CSV file: one column per field,
// exact-duplicate removal, a flat document, the target (the embedded store
// unless MONGO_URI is set), a check that every row landed, and the reports.
// It compiles as written; people then rename, clean and nest.
func Scaffold(spec ScaffoldSpec) []byte {
	name := snakeName(spec.Name)
	if name == "" {
		name = "pipeline"
	}
	// MongoDB database names are shorter than 64 bytes; snake names are ASCII.
	name = name[:min(len(name), 63)]
	f := hclwrite.NewEmptyFile()
	body := f.Body()

	p := body.AppendNewBlock("pipeline", []string{name}).Body()
	p.SetAttributeValue("description", cty.StringVal(fmt.Sprintf("%s into %s.%s", spec.CSVPath, name, name)))
	body.AppendNewline()

	v := body.AppendNewBlock("variable", []string{"csv_path"}).Body()
	v.SetAttributeTraversal("type", hcl.Traversal{hcl.TraverseRoot{Name: "string"}})
	v.SetAttributeValue("default", cty.StringVal(spec.CSVPath))
	body.AppendNewline()

	src := body.AppendNewBlock("source", []string{"csv"}).Body()
	src.SetAttributeTraversal("path", hcl.Traversal{hcl.TraverseRoot{Name: "var"}, hcl.TraverseAttr{Name: "csv_path"}})
	src.SetAttributeValue("header", cty.True)
	src.SetAttributeValue("null_values", cty.ListVal([]cty.Value{cty.StringVal("")}))
	body.AppendNewline()

	// A field without a header name cannot be read by name: say so and
	// leave it out.
	var fields []ScaffoldField
	for i, field := range spec.Fields {
		if field.Header == "" {
			body.AppendUnstructuredTokens(hclwrite.Tokens{{Type: hclsyntax.TokenComment,
				Bytes: fmt.Appendf(nil, "# Field %d has no name in the header, so no column reads it.\n", i+1)}})
			body.AppendNewline()
			continue
		}
		fields = append(fields, field)
	}
	names := columnNames(fields)
	for i, field := range fields {
		col := body.AppendNewBlock("column", []string{names[i]}).Body()
		col.SetAttributeValue("from", cty.StringVal(field.Header))
		t := field.Type
		if !slices.Contains(plan.ColumnTypes, t) {
			t = plan.TypeString
		}
		col.SetAttributeTraversal("type", hcl.Traversal{hcl.TraverseRoot{Name: t.String()}})
		if t.IsTemporal() && field.Format != "" {
			col.SetAttributeValue("format", cty.StringVal(field.Format))
		}
		body.AppendNewline()
	}

	dedup := body.AppendNewBlock("dedup", nil).Body()
	dedup.SetAttributeTraversal("keys", hcl.Traversal{hcl.TraverseRoot{Name: allColumnsKeyword}})
	dedup.SetAttributeValue("keep", cty.StringVal("first"))
	body.AppendNewline()

	doc := body.AppendNewBlock("document", nil).Body()
	for _, n := range names {
		doc.SetAttributeTraversal(n, hcl.Traversal{hcl.TraverseRoot{Name: "col"}, hcl.TraverseAttr{Name: n}})
	}
	body.AppendNewline()

	target := body.AppendNewBlock("target", []string{"mongodb"}).Body()
	target.SetAttributeRaw("uri", hclwrite.TokensForFunctionCall("env",
		hclwrite.TokensForValue(cty.StringVal(uriEnvVar)), hclwrite.TokensForValue(cty.StringVal(""))))
	target.SetAttributeValue("database", cty.StringVal(name))
	target.SetAttributeValue("collection", cty.StringVal(name))
	target.SetAttributeValue("mode", cty.StringVal("replace"))
	body.AppendNewline()

	check := body.AppendNewBlock("check", []string{"all_rows_landed"}).Body()
	check.SetAttributeValue("in_database", cty.True)
	body.AppendNewline()

	report := body.AppendNewBlock("report", nil).Body()
	report.SetAttributeValue("dir", cty.StringVal(defaultReportDir))
	formats := make([]cty.Value, len(plan.ReportFormats))
	for i, fm := range plan.ReportFormats {
		formats[i] = cty.StringVal(fm)
	}
	report.SetAttributeValue("formats", cty.ListVal(formats))

	return hclwrite.Format(f.Bytes())
}

// columnNames derives a unique column name from each header. omit_nulls is
// taken from the start: it is the document block's own setting, so no field
// may be called that.
func columnNames(fields []ScaffoldField) []string {
	taken := map[string]bool{"omit_nulls": true}
	names := make([]string, len(fields))
	for i, f := range fields {
		base := snakeName(f.Header)
		if base == "" {
			base = fmt.Sprintf("field_%d", i+1)
		}
		name := base
		for n := 2; taken[name]; n++ {
			name = fmt.Sprintf("%s_%d", strings.TrimSuffix(base, "_"), n)
		}
		taken[name] = true
		names[i] = name
	}
	return names
}
