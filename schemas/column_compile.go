package schemas

import (
	"fmt"

	"runner/schemas/diag"
	"runner/stages/plan"
)

// columns compiles every column, in evaluation order so that a derived
// column without a type can take its expression's type from columns already
// compiled. It returns the columns in declaration order and the order.
func (c *compiler) columns() ([]plan.Column, []int) {
	blocks := c.spec.Columns
	index := map[string]int{}
	for i, b := range blocks {
		index[b.Name] = i
	}
	order, diags := columnOrder(blocks, exprDependencies(blocks, index))
	c.diags = append(c.diags, diags...)

	out := make([]plan.Column, len(blocks))
	done := make([]bool, len(blocks))
	for _, i := range order {
		out[i] = c.column(blocks[i])
		done[i] = true
	}
	// Columns on a cycle are compiled too, to report their other problems.
	// Their types count as unknown, so that reading each other (the cycle,
	// already reported) raises nothing more.
	for i, b := range blocks {
		if !done[i] {
			c.colType[b.Name] = plan.TypeInvalid
		}
	}
	for i, b := range blocks {
		if !done[i] {
			out[i] = c.column(b)
			c.colType[b.Name] = plan.TypeInvalid
		}
	}
	return out, order
}

// column compiles one column's clean list, expr and default, and records its
// final type for the expressions that read it.
func (c *compiler) column(b *columnBlock) plan.Column {
	col := b.Column
	if b.CleanSyntax != nil {
		var ds diag.Diagnostics
		col.Clean, ds = c.clean(b)
		c.diags = append(c.diags, ds...)
	}
	if b.ExprSyntax != nil {
		c.columnExpr(b, &col)
	}
	if b.DefaultSyntax != nil && col.Type != plan.TypeInvalid {
		v, ok, ds := c.columnValue(b.DefaultSyntax, &col, fmt.Sprintf("the default of column %q", col.Name), "Invalid default value")
		c.diags = append(c.diags, ds...)
		if ok && !v.IsNull() {
			col.Default = &v
		}
	}
	c.colType[col.Name] = col.Type
	return col
}

// columnExpr compiles a column's expr and settles the column's type: the
// declared type, which the result must fit, or the result's type.
func (c *compiler) columnExpr(b *columnBlock, col *plan.Column) {
	sc := &exprScope{where: fmt.Sprintf("the expr of column %q", col.Name)}
	if col.From != "" {
		sc.self = col.Type
		sc.selfUnknown = col.Type == plan.TypeInvalid
	} else if b.KindUnknown {
		sc.selfUnknown = true
	} else {
		sc.noSelf = fmt.Sprintf("Column %q is derived (it has no from), so it has no value of its own for self to read; read other columns with col.<name>.", col.Name)
	}
	e, ds := c.expr(b.ExprSyntax, sc)
	c.diags = append(c.diags, ds...)
	if e == nil {
		if b.InferType {
			col.Type = plan.TypeInvalid
		}
		return
	}
	switch {
	case e.Type == plan.TypeStringList:
		c.diags = append(c.diags, errorIn(e.Range, "Incompatible expression type",
			"The expr of column %q is a list of strings, which no column can hold.", col.Name))
		return
	case b.InferType && e.Type == plan.TypeNull:
		c.diags = append(c.diags, errorIn(e.Range, "Cannot infer column type",
			"The expr of column %q is always null, so it says nothing about the column's type. Declare one, for example type = string.", col.Name))
		return
	case b.InferType:
		col.Type = e.Type
		if col.Type == plan.TypeDecimal128 {
			col.Scale = defaultScale
		}
	case col.Type != plan.TypeInvalid && !e.Type.AssignableTo(col.Type):
		c.diags = append(c.diags, errorIn(e.Range, "Incompatible expression type",
			"The expr of column %q computes %s, which %s column cannot hold. Declare type = %s, or change the expression.",
			col.Name, typeNoun(e.Type), typeNoun(col.Type), e.Type))
		return
	}
	col.Expr = e
}
