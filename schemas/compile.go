package schemas

import (
	"runner/schemas/diag"
	"runner/stages/plan"
)

// compiler resolves what the decoded blocks say about each other and builds
// the plan. It knows every column's name from the start (an expression may
// read a column declared further down) and each column's type once that
// column is compiled.
type compiler struct {
	spec *spec
	ev   *evaluator
	// colType holds each column's type; TypeInvalid until known, or when it
	// could not be resolved (already reported), which silences later uses.
	colType  map[string]plan.Type
	colNames []string
	cols     []plan.Column
	// docPaths lists every dotted path the document declares, in order.
	docPaths []string
	diags    diag.Diagnostics
}

// compile turns a decoded file into a plan. It compiles what it can even
// when decoding found errors, so that one run reports every problem; the
// caller discards the plan when there are errors.
func compile(s *spec) (*plan.Plan, diag.Diagnostics) {
	c := &compiler{spec: s, ev: s.ev, colType: map[string]plan.Type{}}
	// decodeFile keeps only the first of two columns with one name.
	for _, b := range s.Columns {
		c.colType[b.Name] = b.Type
		c.colNames = append(c.colNames, b.Name)
	}

	p := &plan.Plan{Variables: s.Variables.plan, Secrets: s.Variables.secrets, Report: defaultReport()}
	if s.Pipeline != nil {
		p.Name, p.Description, p.Range = s.Pipeline.Name, s.Pipeline.Description, toRange(s.Pipeline.DeclRange)
	}
	p.Columns, p.Order = c.columns()
	propagateSensitivity(p.Columns, p.Order)
	c.cols = p.Columns
	if s.Source != nil {
		p.Source = *s.Source
		// Without field_names the source block already reported that the
		// fields have no names.
		if !p.Source.Header && p.Source.FieldNames != nil {
			c.diags = append(c.diags, checkFields(p, p.Source.FieldNames, "The field_names list", "The list")...)
		}
	}
	p.Dedup = c.dedup()
	p.Document = c.document()
	p.Target = c.target(&p.Document, p.Dedup)
	p.Checks = c.checks()
	if s.Report != nil {
		p.Report = *s.Report
	}
	p.Stages = buildStages(p)
	return p, c.diags
}

// columnByName returns a compiled column.
func (c *compiler) columnByName(name string) *plan.Column {
	for i := range c.cols {
		if c.cols[i].Name == name {
			return &c.cols[i]
		}
	}
	return nil
}

// column returns a column's decoded block, or nil.
func (s *spec) column(name string) *columnBlock {
	for _, b := range s.Columns {
		if b.Name == name {
			return b
		}
	}
	return nil
}

// propagateSensitivity marks sensitive every column computed from a
// sensitive column (upper(col.name) shows the name as well as col.name
// does), in evaluation order so that chains of derived columns follow. A
// column that is a sha256 of its inputs is the documented pseudonym of a
// sensitive value and stays as declared.
func propagateSensitivity(cols []plan.Column, order []int) {
	byName := map[string]*plan.Column{}
	for i := range cols {
		byName[cols[i].Name] = &cols[i]
	}
	for _, i := range order {
		c := &cols[i]
		if c.Sensitive || c.Expr == nil || (c.Expr.Kind == plan.ExprCall && c.Expr.Func == "sha256") {
			continue
		}
		for _, name := range c.Expr.Columns() {
			if from := byName[name]; from != nil && from.Sensitive {
				c.Sensitive = true
				break
			}
		}
	}
}
