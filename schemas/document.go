package schemas

import (
	"fmt"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"

	"runner/schemas/diag"
	"runner/stages/plan"
)

// documentBlockSchema lists the document block's one setting. Every other
// attribute is a field of the document.
var documentBlockSchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{
		{Name: "omit_nulls"},
	},
}

// documentBlock is the decoded document block: its fields in source order
// (MongoDB keeps field order, so the file's order is the documents' order).
type documentBlock struct {
	Fields    []*hclsyntax.Attribute
	OmitNulls bool
	DeclRange hcl.Range
}

func decodeDocumentBlock(block *hclsyntax.Block, ev *evaluator) (*documentBlock, diag.Diagnostics) {
	d := &documentBlock{DeclRange: block.DefRange()}
	var diags diag.Diagnostics
	for _, b := range block.Body.Blocks {
		diags = append(diags, errorAt(b.TypeRange, "Unsupported block type",
			"The document block holds fields written name = value; a nested object is written %s = { ... }.", b.Type))
	}
	settingsAttrs := map[string]*hclsyntax.Attribute{}
	for _, attr := range sortedAttributes(block.Body) {
		if isDocumentSetting(attr.Name) {
			settingsAttrs[attr.Name] = attr
			continue
		}
		d.Fields = append(d.Fields, attr)
	}
	s := newSettings(ev, "document", blockContent{Attributes: settingsAttrs})
	d.OmitNulls = s.boolean("omit_nulls", true)
	if len(d.Fields) == 0 {
		diags = append(diags, errorAt(d.DeclRange, "Empty document",
			"The document block has no fields; list what each row becomes, for example name = col.name."))
	}
	return d, append(diags, s.diags...)
}

func isDocumentSetting(name string) bool {
	for _, a := range documentBlockSchema.Attributes {
		if a.Name == name {
			return true
		}
	}
	return false
}

// document compiles the document template.
func (c *compiler) document() plan.Document {
	b := c.spec.Document
	if b == nil {
		return plan.Document{}
	}
	doc := plan.Document{OmitNulls: b.OmitNulls, Range: toRange(b.DeclRange)}
	sc := &exprScope{where: "the document", noSelf: "self is a column's own value inside its expr; the document reads columns with col.<name>."}
	for _, attr := range b.Fields {
		if f := c.docField(attr.Name, attr.Expr, attr.SrcRange, sc); f != nil {
			doc.Fields = append(doc.Fields, f)
		}
	}
	return doc
}

// docField compiles one field: an object constructor becomes nested fields
// (in the order written), anything else a leaf expression.
func (c *compiler) docField(path string, value hclsyntax.Expression, rng hcl.Range, sc *exprScope) *plan.DocField {
	// Every path is recorded, even when its value does not compile, so an
	// index on it is not reported as well.
	c.docPaths = append(c.docPaths, path)
	name := path[strings.LastIndex(path, ".")+1:]
	f := &plan.DocField{Name: name, Range: toRange(rng)}
	obj, ok := value.(*hclsyntax.ObjectConsExpr)
	if !ok {
		x, diags := c.expr(value, sc)
		c.diags = append(c.diags, diags...)
		switch {
		case x == nil:
			return nil
		case x.Type == plan.TypeStringList:
			c.diags = append(c.diags, errorIn(x.Range, "Unsupported field value",
				"Field %q would hold a list of strings; fields hold column values and nested objects.", name))
			return nil
		case x.Type == plan.TypeNull:
			c.diags = append(c.diags, errorIn(x.Range, "Field is always null",
				"Field %q is always null. Remove it, or give it a value.", name))
			return nil
		}
		f.Expr = x
		return f
	}
	if len(obj.Items) == 0 {
		c.diags = append(c.diags, errorAt(obj.SrcRange, "Empty object",
			"Field %q is an empty object; remove it or give it fields.", name))
		return nil
	}
	seen := map[string]hcl.Range{}
	for _, item := range obj.Items {
		key, keyRange, ok := c.fieldKey(item.KeyExpr)
		if !ok {
			continue
		}
		if problem := fieldNameProblem(key); problem != "" {
			c.diags = append(c.diags, errorAt(keyRange, "Invalid field name", "%s", problem))
			continue
		}
		if first, dup := seen[key]; dup {
			d := errorAt(keyRange, "Duplicate field",
				"Field %q is already set on line %d; each field appears once in an object.", key, first.Start.Line)
			d.Context = rangePtr(first)
			c.diags = append(c.diags, d)
			continue
		}
		seen[key] = keyRange
		if child := c.docField(path+"."+key, item.ValueExpr, hcl.RangeBetween(keyRange, item.ValueExpr.Range()), sc); child != nil {
			f.Fields = append(f.Fields, child)
		}
	}
	return f
}

// fieldKey reads the key of an object item: a bare name or a quoted string.
func (c *compiler) fieldKey(e hclsyntax.Expression) (string, hcl.Range, bool) {
	rng := e.Range()
	key, ok := e.(*hclsyntax.ObjectConsKeyExpr)
	if !ok || key.ForceNonLiteral {
		c.diags = append(c.diags, errorAt(rng, "Invalid field name",
			"Field names are written bare (name) or quoted (\"first name\"); a computed name is not supported."))
		return "", rng, false
	}
	if kw := hcl.ExprAsKeyword(key); kw != "" {
		return kw, rng, true
	}
	if t, ok := key.Wrapped.(*hclsyntax.ScopeTraversalExpr); ok {
		c.diags = append(c.diags, errorAt(rng, "Invalid field name",
			"MongoDB reads a dot as a path into a nested document, so a field name cannot contain one; nest an object instead: %s = { ... }.", t.Traversal.RootName()))
		return "", rng, false
	}
	if s, ok := stringLiteral(key.Wrapped); ok {
		return s, rng, true
	}
	c.diags = append(c.diags, errorAt(rng, "Invalid field name",
		"Field names are written bare (name) or quoted (\"first name\"); a computed name is not supported."))
	return "", rng, false
}

// documentLeaves lists the leaf fields of the document with their dotted
// paths, in document order.
func documentLeaves(fields []*plan.DocField, prefix string) []leaf {
	var out []leaf
	for _, f := range fields {
		p := prefix + f.Name
		if f.Expr != nil {
			out = append(out, leaf{path: p, expr: f.Expr})
		}
		out = append(out, documentLeaves(f.Fields, p+".")...)
	}
	return out
}

// leaf is a document field holding a value.
type leaf struct {
	path string
	expr *plan.Expr
}

// countObjects counts the nested objects of the document.
func countObjects(fields []*plan.DocField) int {
	n := 0
	for _, f := range fields {
		if f.Expr == nil {
			n += 1 + countObjects(f.Fields)
		}
	}
	return n
}

// idSummary says how a document's _id is made, for the stage summary.
func idSummary(doc *plan.Document, target *plan.Target, allColumns int) string {
	if id := doc.IDField(); id != nil {
		if id.Expr != nil {
			return "_id = " + id.Expr.String()
		}
		return fmt.Sprintf("_id = an object of %s", plural(len(id.Fields), "field"))
	}
	if len(target.IDKeys) == allColumns {
		return "_id = hash of every column"
	}
	return "_id = hash of " + joinList(target.IDKeys, "and")
}
