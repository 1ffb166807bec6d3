package schemas

import (
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"

	"runner/schemas/diag"
	"runner/stages/plan"
)

var targetBlockSchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{
		{Name: "uri"},
		{Name: "database", Required: true},
		{Name: "collection", Required: true},
		{Name: "mode"},
		{Name: "id_keys"},
		{Name: "batch_size"},
		{Name: "batch_bytes"},
		{Name: "writers"},
		{Name: "write_concern"},
		{Name: "journal"},
		{Name: "timeout"},
		{Name: "embedded_dir"},
	},
	Blocks: []hcl.BlockHeaderSchema{
		{Type: "tls"},
		{Type: "index", LabelNames: []string{"name"}},
	},
}

var tlsBlockSchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{
		{Name: "ca_file"},
		{Name: "cert_file"},
		{Name: "key_file"},
		{Name: "insecure"},
	},
}

// targetKinds are the labels a target block may have.
var targetKinds = []string{"mongodb"}

// uriEnvVar is read when the target sets no uri.
const uriEnvVar = "MONGO_URI"

// Defaults and limits of the target block. A bulk write holds at most
// 100,000 documents and a wire message at most 48 MB.
const (
	defaultBatchDocs   = 1000
	maxBatchDocs       = 100_000
	defaultBatchBytes  = 16 << 20
	maxBatchBytes      = 48_000_000
	defaultWriters     = 2
	maxWriters         = 64
	defaultTimeout     = 30 * time.Second
	defaultEmbeddedDir = ".runner"
)

// targetBlock is a decoded target block: its settings in plan form, the
// id_keys list that needs the columns, and the indexes, whose fields are
// checked against the document.
type targetBlock struct {
	plan.Target
	IDKeysSyntax hclsyntax.Expression
	IndexBlocks  []*indexBlock
	// URIUnknown is set when the uri attribute could not be evaluated
	// (already reported): whether the target is the embedded store is then
	// unknown.
	URIUnknown bool
}

func decodeTargetBlock(block *hclsyntax.Block, ev *evaluator) (*targetBlock, diag.Diagnostics) {
	t := &targetBlock{Target: plan.Target{Kind: block.Labels[0], Range: toRange(block.DefRange())}}
	c, diags := content(block.Body, targetBlockSchema, "a target block", block.DefRange())
	if t.Kind != "mongodb" {
		diags = append(diags, errorAt(block.LabelRanges[0], "Unsupported target kind",
			"runner loads %s targets; %q is not one.%s", quotedList(targetKinds, "or"), t.Kind, didYouMean(t.Kind, targetKinds)))
	}
	s := newSettings(ev, "target", c)
	decodeConnection(t, s, ev)
	if db, ok := s.strOK("database"); ok {
		t.Database = db
		if problem := databaseNameProblem(db); problem != "" {
			s.invalid("database", "%s", problem)
		}
	}
	if coll, ok := s.strOK("collection"); ok {
		t.Collection = coll
		if problem := collectionNameProblem(coll); problem != "" {
			s.invalid("collection", "%s", problem)
		}
	}
	t.Mode = keywordSetting(s, "mode", "mode", plan.Modes, plan.ModeReplace)
	t.IDKeysSyntax = attrExpr(c.Attributes["id_keys"])
	t.BatchDocs = int(s.integer("batch_size", defaultBatchDocs, 1, maxBatchDocs))
	t.BatchBytes = int(s.integer("batch_bytes", defaultBatchBytes, 1024, maxBatchBytes))
	t.Writers = int(s.integer("writers", defaultWriters, 1, maxWriters))
	t.WriteConcern = plan.WriteConcern{W: writeConcern(s), Journal: s.boolean("journal", true)}
	if t.WriteConcern.W == "0" {
		diags = append(diags, errorAt(s.exprRange("write_concern"), "Unacknowledged write concern",
			"write_concern = 0 sends writes without waiting for any acknowledgement, so runner could not tell which documents were written and could not account for every row. Use 1 or \"majority\"."))
	}
	t.Timeout = s.duration("timeout", defaultTimeout)
	t.EmbeddedDir = defaultEmbeddedDir
	if dir, ok := s.strOK("embedded_dir"); ok {
		t.EmbeddedDir = dir
		if dir == "" {
			s.invalid("embedded_dir", "embedded_dir is the directory where the embedded store keeps its files; it cannot be empty.")
		}
	}

	indexes := map[string]*indexBlock{}
	var tlsRange *hcl.Range
	for _, b := range c.Blocks {
		switch b.Type {
		case "tls":
			if tlsRange != nil {
				diags = append(diags, errorAt(b.TypeRange, "Duplicate tls block",
					"A target has one tls block; the first is on line %d.", tlsRange.Start.Line))
				continue
			}
			rng := b.DefRange()
			tlsRange = &rng
			var ds diag.Diagnostics
			t.TLS, ds = decodeTLSBlock(b, ev)
			diags = append(diags, ds...)
		case "index":
			ix, ds := decodeIndexBlock(b, ev)
			diags = append(diags, ds...)
			if first, dup := indexes[ix.Name]; dup {
				diags = append(diags, duplicate(ix.NameRange, "index", ix.Name, first.NameRange))
				continue
			}
			indexes[ix.Name] = ix
			t.IndexBlocks = append(t.IndexBlocks, ix)
		}
	}
	return t, append(diags, s.diags...)
}

// decodeConnection reads uri: the attribute, else the MONGO_URI environment
// variable, else "" for the embedded store.
func decodeConnection(t *targetBlock, s *settings, ev *evaluator) {
	if !s.has("uri") {
		t.URI, _ = ev.funcs.env(uriEnvVar)
		return
	}
	t.URIRange = toRange(s.exprRange("uri"))
	uri, ok := s.strOK("uri")
	if !ok {
		t.URIUnknown = true
		return
	}
	t.URI = uri
	// The value itself is never quoted in a message: it may hold a password.
	if t.URI != "" && !strings.HasPrefix(t.URI, "mongodb://") && !strings.HasPrefix(t.URI, "mongodb+srv://") {
		s.invalid("uri", "target.uri must be a MongoDB connection string starting with mongodb:// or mongodb+srv://, or \"\" for the embedded store.")
		return
	}
	if text, literal := stringLiteral(s.attrs["uri"].Expr); literal {
		if u, err := url.Parse(text); err == nil && u.User != nil {
			if _, hasPassword := u.User.Password(); hasPassword {
				s.diags = append(s.diags, warningAt(s.exprRange("uri"), "Password in the pipeline file",
					"target.uri carries a password written in the file, where anyone who reads the file sees it. Pass it from the environment instead: uri = env(\"MONGO_URI\")."))
			}
		}
	}
}

// writeConcern reads write_concern: "majority" or a number of members, given
// as a number or a string.
func writeConcern(s *settings) string {
	v, ok := s.value("write_concern", cty.String, `"majority" or a whole number`)
	if !ok {
		return "majority"
	}
	w := v.AsString()
	if n, err := strconv.Atoi(w); (err == nil && n >= 0 && strconv.Itoa(n) == w) || w == "majority" {
		return w
	}
	s.invalid("write_concern", "write_concern is \"majority\" or a whole number of members that must acknowledge each write; %q is neither.%s", w, didYouMean(w, []string{"majority"}))
	return "majority"
}

func decodeTLSBlock(block *hclsyntax.Block, ev *evaluator) (plan.TLS, diag.Diagnostics) {
	c, diags := content(block.Body, tlsBlockSchema, "a tls block", block.DefRange())
	s := newSettings(ev, "target.tls", c)
	tls := plan.TLS{
		Enabled:  true,
		CAFile:   s.str("ca_file", ""),
		CertFile: s.str("cert_file", ""),
		KeyFile:  s.str("key_file", ""),
		Insecure: s.boolean("insecure", false),
	}
	if tls.KeyFile != "" && tls.CertFile == "" {
		s.invalid("key_file", "key_file is the private key of the client certificate; set cert_file too.")
	}
	return tls, append(diags, s.diags...)
}

// target compiles the target: its _id keys and its indexes, which depend on
// the columns, the dedup keys and the document.
func (c *compiler) target(doc *plan.Document, dedup *plan.Dedup) plan.Target {
	b := c.spec.Target
	if b == nil {
		return plan.Target{}
	}
	t := b.Target
	t.IDKeys = c.idKeys(b, doc, dedup)
	paths := c.docPaths
	if doc.IDField() == nil {
		paths = append([]string{"_id"}, paths...)
	}
	for _, ix := range b.IndexBlocks {
		for i, k := range ix.Keys {
			if !slices.Contains(paths, k.Field) {
				c.diags = append(c.diags, errorAt(ix.KeyRanges[i], "Unknown document field",
					"Index %q names %q, which the document does not have.%s The document's fields are %s.",
					ix.Name, k.Field, didYouMean(k.Field, paths), joinList(paths, "and")))
			}
		}
		t.Indexes = append(t.Indexes, ix.Index)
	}
	if t.URI == "" && !b.URIUnknown {
		c.refuseUnstorableInEmbedded(b, doc)
	}
	return t
}

// refuseUnstorableInEmbedded reports the document fields whose type the
// embedded store cannot store. FerretDB v1 closes the connection on a
// decimal128 instead of answering, so the load would fail at its first
// document, after the whole file was read; the file says it beforehand.
// Each column is reported once, at its type.
func (c *compiler) refuseUnstorableInEmbedded(b *targetBlock, doc *plan.Document) {
	why := "the target sets no uri and MONGO_URI is not set"
	if b.URIRange.Start.Line > 0 {
		why = "the target's uri is empty"
	}
	reported := map[string]bool{}
	for _, l := range documentLeaves(doc.Fields, "") {
		if l.expr.Type != plan.TypeDecimal128 {
			continue
		}
		subject := l.expr.Range
		what := fmt.Sprintf("The expression of field %q", l.path)
		fix := "Compute it in a column of type float64 and put that column in the field"
		if l.expr.Kind == plan.ExprColumn {
			if reported[l.expr.Column] {
				continue
			}
			reported[l.expr.Column] = true
			what = fmt.Sprintf("Column %q, which field %q holds,", l.expr.Column, l.path)
			fix = fmt.Sprintf("Declare type = float64 for column %q (or string, to keep the exact digits as text)", l.expr.Column)
			col := c.spec.column(l.expr.Column)
			if col != nil && col.From == "" {
				fix = "Declare the decimal128 columns its expr reads as float64 (or compute a float64 from them)"
			}
			if col != nil && col.TypeRange.Start.Line > 0 {
				subject = toRange(col.TypeRange)
			}
		}
		c.diags = append(c.diags, errorIn(subject, "Type the embedded store cannot store",
			"%s is a decimal128, and %s, so runner loads the embedded store, which cannot store decimal128 values. "+
				"%s, or load a MongoDB server: set uri, or MONGO_URI, to its connection string.",
			what, why, fix))
	}
}

// idKeys resolves the columns whose hash is each document's _id: id_keys,
// else the dedup keys, else every column; none when the document sets _id.
func (c *compiler) idKeys(b *targetBlock, doc *plan.Document, dedup *plan.Dedup) []string {
	id := doc.IDField()
	switch {
	case b.IDKeysSyntax != nil && id != nil:
		c.diags = append(c.diags, errorAt(b.IDKeysSyntax.Range(), "Conflicting _id",
			"The document sets _id explicitly (line %d), so id_keys would not be used. Remove id_keys to keep the document's _id, or remove the _id field to derive _id from id_keys.",
			id.Range.Start.Line))
		return nil
	case b.IDKeysSyntax != nil:
		keys, diags := c.columnList(b.IDKeysSyntax, "target.id_keys")
		c.diags = append(c.diags, diags...)
		if dedup != nil && keys != nil {
			var missing []string
			for _, k := range dedup.Keys {
				if !slices.Contains(keys, k) {
					missing = append(missing, k)
				}
			}
			if len(missing) > 0 {
				c.diags = append(c.diags, warningAt(b.IDKeysSyntax.Range(), "Possible _id collisions",
					"Rows are deduplicated on %s, but _id hashes only %s: two kept rows that differ only in %s get the same _id, and the second is rejected as a duplicate key. Add those columns to id_keys, or remove id_keys to use the dedup keys.",
					joinList(dedup.Keys, "and"), joinList(keys, "and"), joinList(missing, "and")))
			}
		}
		return keys
	case id != nil:
		return nil
	case dedup != nil:
		return append([]string(nil), dedup.Keys...)
	}
	return append([]string(nil), c.colNames...)
}
