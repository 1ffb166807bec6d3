package schemas

import (
	"strings"

	"github.com/hashicorp/hcl/v2"

	"runner/schemas/diag"
)

// columnRefs is what one column's expr reads: the indexes of the columns it
// names, in order of first appearance, and where each is named.
type columnRefs struct {
	deps   []int
	ranges map[int]hcl.Range
}

// exprDependencies finds the columns each column's expr reads, from the
// syntax alone, so the order is known before any expression is compiled.
// Names that are not columns are left to the compiler to report.
func exprDependencies(cols []*columnBlock, index map[string]int) []columnRefs {
	refs := make([]columnRefs, len(cols))
	for i, col := range cols {
		refs[i].ranges = map[int]hcl.Range{}
		if col.ExprSyntax == nil {
			continue
		}
		for _, t := range col.ExprSyntax.Variables() {
			name, ok := traversalAttr(t, 1)
			j, known := index[name]
			if t.RootName() != "col" || !ok || !known {
				continue
			}
			if _, seen := refs[i].ranges[j]; !seen {
				refs[i].deps = append(refs[i].deps, j)
				refs[i].ranges[j] = t.SourceRange()
			}
		}
	}
	return refs
}

// columnOrder returns an evaluation order: every column after the columns
// its expr reads, and otherwise in declaration order. Columns on a cycle are
// left out, and each cycle is reported at every reference along it.
func columnOrder(cols []*columnBlock, refs []columnRefs) ([]int, diag.Diagnostics) {
	placed := make([]bool, len(cols))
	order := make([]int, 0, len(cols))
	for len(order) < len(cols) {
		next := -1
		for i := range cols {
			if !placed[i] && allPlaced(refs[i].deps, placed) {
				next = i
				break
			}
		}
		if next < 0 {
			break
		}
		placed[next] = true
		order = append(order, next)
	}

	var diags diag.Diagnostics
	reported := make([]bool, len(cols))
	for i := range cols {
		if placed[i] || reported[i] {
			continue
		}
		cycle := findCycle(i, refs, placed)
		if cycle == nil || anyReported(cycle, reported) {
			continue
		}
		diags = append(diags, cycleDiagnostics(cols, refs, cycle)...)
		for _, k := range cycle {
			reported[k] = true
		}
	}
	return order, diags
}

// findCycle follows unplaced dependencies from start until a column
// repeats. Every unplaced column has an unplaced dependency, or it would
// have been placed, so the walk always closes a cycle.
func findCycle(start int, refs []columnRefs, placed []bool) []int {
	pos := map[int]int{}
	var path []int
	for cur := start; ; {
		if p, seen := pos[cur]; seen {
			return path[p:]
		}
		pos[cur] = len(path)
		path = append(path, cur)
		next := -1
		for _, d := range refs[cur].deps {
			if !placed[d] {
				next = d
				break
			}
		}
		if next < 0 {
			return nil
		}
		cur = next
	}
}

func cycleDiagnostics(cols []*columnBlock, refs []columnRefs, cycle []int) diag.Diagnostics {
	names := make([]string, 0, len(cycle)+1)
	for _, k := range cycle {
		names = append(names, cols[k].Name)
	}
	names = append(names, cols[cycle[0]].Name)
	path := strings.Join(names, " → ")

	var diags diag.Diagnostics
	for n, k := range cycle {
		next := cycle[(n+1)%len(cycle)]
		rng := refs[k].ranges[next]
		if len(cycle) == 1 {
			hint := "compute it from other columns"
			if cols[k].From != "" {
				hint = "use self for the column's own value"
			}
			diags = append(diags, errorAt(rng, "Column reads itself",
				"The expr of column %q reads col.%s, its own value: %s. To use the value being defined, %s.", cols[k].Name, cols[k].Name, path, hint))
			continue
		}
		diags = append(diags, errorAt(rng, "Cycle between columns",
			"Columns %s depend on each other: %s. A column can only read columns that do not depend on it; compute one of them from other columns.",
			quotedList(names[:len(names)-1], "and"), path))
	}
	return diags
}

func allPlaced(deps []int, placed []bool) bool {
	for _, d := range deps {
		if !placed[d] {
			return false
		}
	}
	return true
}

func anyReported(cycle []int, reported []bool) bool {
	for _, k := range cycle {
		if reported[k] {
			return true
		}
	}
	return false
}
