package schemas

import (
	"math"
	"math/big"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"

	"runner/schemas/diag"
)

// numberProblems reports number literals beyond the range of a float64. HCL
// reads numbers with arbitrary precision, and writing a literal such as
// 1e99999999 back as text (which converting it to a string does) takes
// minutes; no setting or column needs such a number.
func numberProblems(node hclsyntax.Node) diag.Diagnostics {
	var diags diag.Diagnostics
	// The callback never returns diagnostics, so the walk cannot fail.
	_ = hclsyntax.VisitAll(node, func(n hclsyntax.Node) hcl.Diagnostics {
		lit, ok := n.(*hclsyntax.LiteralValueExpr)
		if ok && lit.Val.Type() == cty.Number && lit.Val.IsKnown() && !lit.Val.IsNull() && !fitsFloat64(lit.Val.AsBigFloat()) {
			diags = append(diags, errorAt(lit.SrcRange, "Number out of range",
				"Numbers in a pipeline are at most about 1.8e308 in size, and at least about 4.9e-324 when not zero, the range of a float64."))
		}
		return nil
	})
	return diags
}

func fitsFloat64(f *big.Float) bool {
	v, _ := f.Float64()
	return !math.IsInf(v, 0) && (v != 0 || f.Sign() == 0)
}
