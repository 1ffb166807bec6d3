package shape

import (
	"encoding/binary"
	"fmt"
	"slices"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/bitutil"
	"go.mongodb.org/mongo-driver/v2/x/bsonx/bsoncore"

	"runner/stages"
	"runner/stages/plan"
	"runner/stages/rowhash"
)

// MaxDocumentSize is the largest BSON document MongoDB stores, in bytes
// (the server's maxBsonObjectSize).
const MaxDocumentSize = 16 << 20

// Config is what the document stage needs from the plan.
type Config struct {
	// Document is the template every row becomes.
	Document plan.Document
	// IDKeys are the columns whose row hash becomes each document's _id, as
	// 32 hex digits, when Document has no top-level _id field.
	IDKeys []string
}

// nodeKind says what a compiled template field holds.
type nodeKind uint8

const (
	// nodeValue is a leaf read from a column or from a computed array.
	nodeValue nodeKind = iota
	// nodeLiteral is a leaf whose element is the same in every document.
	nodeLiteral
	// nodeObject is an embedded document of further fields.
	nodeObject
)

// node is one compiled field of the template.
type node struct {
	kind nodeKind
	// key is the field name, NUL-terminated as BSON writes it.
	key []byte
	// header is the element's type byte followed by key, so the row loop
	// starts an element with one copy; nullHeader starts a null element.
	header, nullHeader []byte
	// path is the dotted path of the field, for error messages.
	path string
	// isID marks the top-level _id, which is never left out.
	isID bool

	// column is the leaf's index in the schema, or -1 when the leaf is
	// computed; computed is then its index among Encode's computed arrays.
	column   int
	computed int
	// dt is the Arrow type writer was chosen for.
	dt     arrow.DataType
	writer valueWriter
	// nulls is the bound array's validity bitmap, starting at bit
	// nullsOffset; nil when the array has no nulls, so the common case costs
	// one comparison.
	nulls       []byte
	nullsOffset int

	// element is a literal's whole BSON element (type, name and value); nil
	// for a null literal under OmitNulls.
	element []byte

	fields []*node
}

// Shaper encodes the rows of batches of one schema as BSON documents of one
// template. It is not safe for concurrent use: each encoding goroutine
// builds its own from the same Config.
type Shaper struct {
	schema    *arrow.Schema
	omitNulls bool
	// root holds the top-level fields in template order, _id first.
	root []*node
	// values lists every column and computed leaf, to bind them to a
	// batch's arrays once per batch.
	values   []*node
	computed []*plan.Expr
	// hasher derives _id when the template has no _id field; nil otherwise.
	hasher *rowhash.Hasher
	hashes []rowhash.Hash
	origin int
	// allNull is a zeroed validity bitmap for arrays of Arrow type null,
	// which have none of their own.
	allNull []byte
	// fault is set by a writer (or by a null _id) while a row is encoded;
	// Encode turns it into an error naming the row.
	fault error
	// bytesPerDoc is the size of the last batch's documents on average,
	// used to size the buffer for the next batch in one step.
	bytesPerDoc int
}

// New compiles the document template for batches of schema. It checks that
// every column the template names is in schema with a type BSON can hold,
// that names are usable, and that _id is either a template field or derived
// from IDKeys.
func New(cfg Config, schema *arrow.Schema) (*Shaper, error) {
	s := &Shaper{schema: schema, omitNulls: cfg.Document.OmitNulls}
	idx := schema.FieldIndices(stages.OriginColumn)
	if len(idx) != 1 || schema.Field(idx[0]).Type.ID() != arrow.INT64 {
		return nil, fmt.Errorf("shape: the schema needs exactly one int64 %s column to name each document's row", stages.OriginColumn)
	}
	s.origin = idx[0]

	root, err := s.compile(cfg.Document.Fields, "")
	if err != nil {
		return nil, fmt.Errorf("shape: %w", err)
	}
	if i := slices.IndexFunc(root, func(n *node) bool { return n.isID }); i >= 0 {
		// MongoDB reads _id wherever it is, but documents are easier to
		// compare and print with it first, as the server itself stores them.
		id := root[i]
		s.root = append([]*node{id}, slices.Delete(root, i, i+1)...)
		return s, nil
	}
	if len(cfg.IDKeys) == 0 {
		return nil, fmt.Errorf("shape: the document has no _id field and no id keys to derive one from")
	}
	s.hasher, err = rowhash.New(schema, cfg.IDKeys)
	if err != nil {
		return nil, fmt.Errorf("shape: deriving _id: %w", err)
	}
	s.root = root
	return s, nil
}

// compile compiles the fields of one template object; prefix is the dotted
// path of the object, empty at the top level.
func (s *Shaper) compile(fields []*plan.DocField, prefix string) ([]*node, error) {
	nodes := make([]*node, 0, len(fields))
	seen := make(map[string]bool, len(fields))
	for _, f := range fields {
		path := f.Name
		if prefix != "" {
			path = prefix + "." + f.Name
		}
		switch {
		case f.Name == "":
			return nil, fmt.Errorf("a field of %q has no name", prefix)
		case strings.IndexByte(f.Name, 0) >= 0:
			return nil, fmt.Errorf("field %q: a BSON field name cannot contain a NUL byte", path)
		case seen[f.Name]:
			return nil, fmt.Errorf("field %q appears twice", path)
		}
		seen[f.Name] = true
		key := append([]byte(f.Name), 0)
		n := &node{key: key, nullHeader: elementHeader(bsoncore.TypeNull, key), path: path, isID: prefix == "" && f.Name == "_id"}
		if err := s.compileField(n, f); err != nil {
			return nil, err
		}
		nodes = append(nodes, n)
	}
	return nodes, nil
}

func (s *Shaper) compileField(n *node, f *plan.DocField) error {
	switch {
	case f.Expr == nil:
		n.kind, n.header = nodeObject, elementHeader(bsoncore.TypeEmbeddedDocument, n.key)
		var err error
		n.fields, err = s.compile(f.Fields, n.path)
		return err
	case f.Expr.Kind == plan.ExprLiteral:
		n.kind = nodeLiteral
		if n.isID && (f.Expr.Value.IsNull() || f.Expr.Type == plan.TypeNull) {
			return fmt.Errorf("field _id: a document's _id cannot be null")
		}
		var err error
		n.element, err = literalElement(f.Expr, n.key, s.omitNulls)
		if err != nil {
			return fmt.Errorf("field %s: %w", n.path, err)
		}
		return nil
	case f.Expr.Kind == plan.ExprColumn:
		idx := s.schema.FieldIndices(f.Expr.Column)
		if len(idx) != 1 {
			return fmt.Errorf("field %s: the schema has %d columns named %q, want 1", n.path, len(idx), f.Expr.Column)
		}
		n.kind, n.column, n.dt = nodeValue, idx[0], s.schema.Field(idx[0]).Type
		w, t, err := writerFor(n.dt, n.path, &s.fault)
		if err != nil {
			return fmt.Errorf("field %s: column %q: %w", n.path, f.Expr.Column, err)
		}
		n.writer, n.header = w, elementHeader(t, n.key)
	default:
		// The writer of a computed leaf is chosen from the array the
		// caller evaluates, on the first batch.
		n.kind, n.column, n.computed = nodeValue, -1, len(s.computed)
		s.computed = append(s.computed, f.Expr)
	}
	s.values = append(s.values, n)
	return nil
}

// Computed lists the document leaves that are neither a column reference
// nor a literal, in template order (depth first, as declared). The caller
// evaluates them over each batch and passes the arrays to Encode in this
// order. The slice belongs to the Shaper.
func (s *Shaper) Computed() []*plan.Expr { return s.computed }

// Encode appends one document per row of batch to dst, in row order, and
// records each row's origin (from the batch's _origin column) with
// dst.Add. computed holds one array per Computed() expression, evaluated
// over batch. ids, when not nil, are the rows' hashes of the IDKeys
// columns, one per row, computed already (by dedup, whose key is the id
// keys by default): a derived _id then costs no second hash. When a row
// cannot be encoded (a document over MaxDocumentSize, a decimal with no
// exact Decimal128, a null _id) Encode returns an error naming the row's
// origin and dst holds the documents of the rows before it.
func (s *Shaper) Encode(batch arrow.RecordBatch, computed []arrow.Array, ids []rowhash.Hash, dst *stages.DocBatch) error {
	if !batch.Schema().Equal(s.schema) {
		return fmt.Errorf("shape: the batch's schema differs from the one the document template was compiled for")
	}
	if len(computed) != len(s.computed) {
		return fmt.Errorf("shape: %d computed arrays for %d computed fields", len(computed), len(s.computed))
	}
	rows := int(batch.NumRows())
	if err := s.bind(batch, computed, rows); err != nil {
		return fmt.Errorf("shape: %w", err)
	}
	hashes := ids
	switch {
	case s.hasher == nil:
	case ids == nil:
		s.hashes = s.hasher.Hash(batch, s.hashes[:0])
		hashes = s.hashes
	case len(ids) != rows:
		return fmt.Errorf("shape: %d ids for %d rows", len(ids), rows)
	}
	origins := batch.Column(s.origin).(*array.Int64).Int64Values()

	before := len(dst.Data)
	if s.bytesPerDoc > 0 {
		dst.Data = slices.Grow(dst.Data, rows*s.bytesPerDoc)
	}
	dst.Ends = slices.Grow(dst.Ends, rows)
	dst.Origins = slices.Grow(dst.Origins, rows)
	data := dst.Data
	for i := range rows {
		start := len(data)
		data = append(data, 0, 0, 0, 0) // the length, patched below
		if s.hasher != nil {
			data = appendDerivedID(data, hashes[i])
		}
		data = s.appendFields(data, s.root, i)
		data = append(data, 0)
		size := len(data) - start
		if s.fault != nil || size > MaxDocumentSize {
			dst.Data = data[:start]
			return s.rowError(stages.Origin(origins[i]), size)
		}
		binary.LittleEndian.PutUint32(data[start:], uint32(size))
		dst.Data = data
		dst.Add(stages.Origin(origins[i]))
	}
	if rows > 0 {
		avg := (len(dst.Data) - before) / rows
		s.bytesPerDoc = avg + avg/8 // headroom for longer values
	}
	return nil
}

// bind points every leaf at this batch's array.
func (s *Shaper) bind(batch arrow.RecordBatch, computed []arrow.Array, rows int) error {
	for _, n := range s.values {
		var arr arrow.Array
		if n.column >= 0 {
			arr = batch.Column(n.column)
		} else {
			arr = computed[n.computed]
			if arr.Len() != rows {
				return fmt.Errorf("field %s: computed array has %d values for %d rows", n.path, arr.Len(), rows)
			}
			if n.dt == nil || !arrow.TypeEqual(arr.DataType(), n.dt) {
				w, t, err := writerFor(arr.DataType(), n.path, &s.fault)
				if err != nil {
					return fmt.Errorf("field %s: %w", n.path, err)
				}
				n.writer, n.header, n.dt = w, elementHeader(t, n.key), arr.DataType()
			}
		}
		n.writer.bind(arr)
		n.nulls, n.nullsOffset = nil, 0
		if arr.NullN() > 0 {
			n.nulls, n.nullsOffset = arr.NullBitmapBytes(), arr.Data().Offset()
			if n.nulls == nil { // an array of type null: every value is null
				n.nulls = s.zeroBitmap(rows)
			}
		}
	}
	return nil
}

// zeroBitmap returns a validity bitmap of rows nulls.
func (s *Shaper) zeroBitmap(rows int) []byte {
	n := int(bitutil.BytesForBits(int64(rows)))
	if len(s.allNull) < n {
		s.allNull = make([]byte, n)
	}
	return s.allNull[:n]
}

// appendFields appends the elements of fields for one row.
func (s *Shaper) appendFields(dst []byte, fields []*node, row int) []byte {
	for _, n := range fields {
		switch n.kind {
		case nodeValue:
			if n.nulls != nil && bitutil.BitIsNotSet(n.nulls, n.nullsOffset+row) {
				dst = s.appendNull(dst, n)
				continue
			}
			dst = append(dst, n.header...)
			dst = n.writer.appendValue(dst, row)
		case nodeLiteral:
			dst = append(dst, n.element...)
		case nodeObject:
			start := len(dst)
			dst = append(dst, n.header...)
			lengthAt := len(dst)
			dst = append(dst, 0, 0, 0, 0)
			dst = s.appendFields(dst, n.fields, row)
			if s.omitNulls && len(dst) == lengthAt+4 && !n.isID {
				dst = dst[:start] // every field was null and left out
				continue
			}
			dst = append(dst, 0)
			binary.LittleEndian.PutUint32(dst[lengthAt:], uint32(len(dst)-lengthAt))
		}
	}
	return dst
}

func (s *Shaper) appendNull(dst []byte, n *node) []byte {
	if n.isID {
		// MongoDB accepts one document with a null _id and rejects the
		// next as a duplicate; better to stop at the first.
		s.fault = fmt.Errorf("field _id is null")
		return dst
	}
	if s.omitNulls {
		return dst
	}
	return append(dst, n.nullHeader...)
}

// elementHeader returns the start of an element of type t named key (which
// is NUL-terminated).
func elementHeader(t bsoncore.Type, key []byte) []byte {
	return append([]byte{byte(t)}, key...)
}

// appendDerivedID appends the element `_id: "<32 hex digits>"`.
func appendDerivedID(dst []byte, h rowhash.Hash) []byte {
	dst = append(dst, byte(bsoncore.TypeString), '_', 'i', 'd', 0, 33, 0, 0, 0)
	dst = h.AppendHex(dst)
	return append(dst, 0)
}

// rowError describes why the row from origin could not be encoded and
// clears the fault for the next batch.
func (s *Shaper) rowError(origin stages.Origin, size int) error {
	if err := s.fault; err != nil {
		s.fault = nil
		return fmt.Errorf("shape: %s: %w", origin, err)
	}
	return fmt.Errorf("shape: %s: the document is %d bytes, over MongoDB's limit of %d", origin, size, MaxDocumentSize)
}
