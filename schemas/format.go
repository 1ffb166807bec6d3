package schemas

import (
	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/hashicorp/hcl/v2/hclwrite"

	"runner/schemas/diag"
)

// Format returns the canonical formatting of a pipeline file (`runner fmt`),
// or the syntax errors that keep it from being formatted. Formatting only
// touches layout (indentation, alignment of =, spacing), never meaning, and
// formatting a formatted file changes nothing.
func Format(filename string, src []byte) ([]byte, diag.Diagnostics) {
	// hclwrite formats whatever tokens it is given, even a broken file,
	// which could turn a typo into a worse one: parse first.
	if ds := sourceProblems(filename, src, "a pipeline file"); ds.HasErrors() {
		return nil, ds
	}
	if _, hd := hclsyntax.ParseConfig(src, filename, hcl.InitialPos); hd.HasErrors() {
		ds := fromHCL(hd)
		ds.Sort()
		return nil, ds
	}
	return hclwrite.Format(src), nil
}
