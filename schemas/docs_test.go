package schemas

import (
	"os"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"

	"runner/stages/plan"
)

// TestDocsMentionEverything keeps docs/language.md in step with the
// language: every block, attribute, type and function must be documented,
// written as code (`name`).
func TestDocsMentionEverything(t *testing.T) {
	b, err := os.ReadFile("../docs/language.md")
	if err != nil {
		t.Fatal(err)
	}
	doc := string(b)
	mentioned := func(kind, name string) {
		t.Helper()
		if !strings.Contains(doc, "`"+name+"`") && !strings.Contains(doc, "`"+name+" ") {
			t.Errorf("docs/language.md does not mention the %s `%s`", kind, name)
		}
	}

	schemas := map[string]*hcl.BodySchema{
		"pipeline": pipelineBlockSchema, "variable": variableBlockSchema, "source": sourceBlockSchema,
		"column": columnBlockSchema, "dedup": dedupBlockSchema, "document": documentBlockSchema,
		"target": targetBlockSchema, "tls": tlsBlockSchema, "index": indexBlockSchema,
		"check": checkBlockSchema, "report": reportBlockSchema,
	}
	for _, b := range append(fileSchema.Blocks, targetBlockSchema.Blocks...) {
		mentioned("block", b.Type)
		if _, ok := schemas[b.Type]; !ok {
			t.Errorf("block %q has no schema in this test", b.Type)
		}
	}
	for block, s := range schemas {
		for _, a := range s.Attributes {
			mentioned(block+" attribute", a.Name)
		}
	}
	for _, ty := range plan.ColumnTypes {
		mentioned("type", ty.String())
	}
	for _, f := range plan.Builtins() {
		mentioned("function", f.Name)
		if !strings.Contains(doc, "### "+f.Name+"\n") {
			t.Errorf("docs/language.md has no section for the function %s", f.Name)
		}
	}
	for _, f := range configFunctionNames {
		if !strings.Contains(doc, "`"+f+"(") {
			t.Errorf("docs/language.md does not show a call of the config-time function %s", f)
		}
	}
	for _, kw := range append(append(plan.Spellings(plan.Modes), plan.Spellings(plan.OnErrors)...), plan.ReportFormats...) {
		mentioned("keyword", `"`+kw+`"`)
	}
}
