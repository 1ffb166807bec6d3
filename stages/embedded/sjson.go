package embedded

import (
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strconv"
	"unicode/utf16"
	"unicode/utf8"
	"unsafe"
)

// The store keeps every document as one JSON text (FerretDB v1 calls the
// format SJSON): a schema under "$s" giving each field's BSON type and the
// fields' order, then the values, with dates as milliseconds, ObjectIDs in
// hex and binary in base64. sjsonReader turns such a row back into the BSON
// document the server would send for it, byte for byte, without FerretDB's
// per-document decoding, which costs more than the insert did.

// bson element types (the BSON specification's numbers).
const (
	bsonDouble    byte = 0x01
	bsonString    byte = 0x02
	bsonDocument  byte = 0x03
	bsonArray     byte = 0x04
	bsonBinary    byte = 0x05
	bsonObjectID  byte = 0x07
	bsonBool      byte = 0x08
	bsonDateTime  byte = 0x09
	bsonNull      byte = 0x0A
	bsonRegex     byte = 0x0B
	bsonInt32     byte = 0x10
	bsonTimestamp byte = 0x11
	bsonInt64     byte = 0x12
)

// sjsonElem is the schema of one value.
type sjsonElem struct {
	Type    string       `json:"t"`
	Schema  *sjsonSchema `json:"$s,omitempty"`
	Options *string      `json:"o,omitempty"`
	Items   []*sjsonElem `json:"i,omitempty"`
	Subtype *byte        `json:"s,omitempty"`
}

// sjsonSchema is the schema of a document: its fields' types and order.
type sjsonSchema struct {
	Properties map[string]*sjsonElem `json:"p"`
	Keys       []string              `json:"$k"`
}

// docShape is a compiled schema: per field, in order, its key and how to
// read its value.
type docShape struct {
	keys  []string
	elems []*elemShape
}

type elemShape struct {
	bsonType byte
	doc      *docShape    // objects
	items    []*elemShape // arrays
	options  string       // regular expressions
	subtype  byte         // binary
}

// sjsonReader converts stored rows into BSON. It caches compiled schemas by
// their text: a collection's documents mostly share a handful of shapes.
// It is not safe for concurrent use.
type sjsonReader struct {
	shapes map[string]*docShape
}

func newSJSONReader() *sjsonReader { return &sjsonReader{shapes: map[string]*docShape{}} }

// appendBSON appends the BSON document stored as row to dst.
func (r *sjsonReader) appendBSON(dst, row []byte) ([]byte, error) {
	const prefix = `{"$s":`
	if len(row) < len(prefix) || string(row[:len(prefix)]) != prefix {
		return dst, errors.New(`a stored document does not start with its schema ({"$s":)`)
	}
	p := &jsonParser{data: row, pos: len(prefix)}
	start := p.pos
	if err := p.skipValue(); err != nil {
		return dst, fmt.Errorf("the schema of a stored document: %w", err)
	}
	shape, err := r.shape(row[start:p.pos])
	if err != nil {
		return dst, err
	}
	mark := len(dst)
	dst = append(dst, 0, 0, 0, 0)
	for i, key := range shape.keys {
		if err := p.expect(','); err != nil {
			return dst, err
		}
		if dst, err = p.field(dst, key, shape.elems[i]); err != nil {
			return dst, err
		}
	}
	if err := p.expect('}'); err != nil {
		return dst, err
	}
	if p.pos != len(p.data) {
		return dst, fmt.Errorf("a stored document has %d bytes after its end", len(p.data)-p.pos)
	}
	return closeDoc(dst, mark), nil
}

func (r *sjsonReader) shape(raw []byte) (*docShape, error) {
	if s, ok := r.shapes[string(raw)]; ok {
		return s, nil
	}
	var schema sjsonSchema
	if err := json.Unmarshal(raw, &schema); err != nil {
		return nil, fmt.Errorf("the schema of a stored document: %w", err)
	}
	s, err := compileSchema(&schema)
	if err != nil {
		return nil, err
	}
	r.shapes[string(raw)] = s
	return s, nil
}

func compileSchema(s *sjsonSchema) (*docShape, error) {
	shape := &docShape{keys: s.Keys}
	for _, key := range s.Keys {
		elem, ok := s.Properties[key]
		if !ok {
			return nil, fmt.Errorf("the schema of a stored document lists %q without its type", key)
		}
		e, err := compileElem(elem)
		if err != nil {
			return nil, fmt.Errorf("field %q: %w", key, err)
		}
		shape.elems = append(shape.elems, e)
	}
	return shape, nil
}

func compileElem(e *sjsonElem) (*elemShape, error) {
	out := &elemShape{}
	switch e.Type {
	case "double":
		out.bsonType = bsonDouble
	case "string":
		out.bsonType = bsonString
	case "object":
		if e.Schema == nil {
			return nil, errors.New("an object without a schema")
		}
		doc, err := compileSchema(e.Schema)
		if err != nil {
			return nil, err
		}
		out.bsonType, out.doc = bsonDocument, doc
	case "array":
		out.bsonType = bsonArray
		for _, item := range e.Items {
			c, err := compileElem(item)
			if err != nil {
				return nil, err
			}
			out.items = append(out.items, c)
		}
	case "binData":
		out.bsonType = bsonBinary
		if e.Subtype != nil {
			out.subtype = *e.Subtype
		}
	case "objectId":
		out.bsonType = bsonObjectID
	case "bool":
		out.bsonType = bsonBool
	case "date":
		out.bsonType = bsonDateTime
	case "null":
		out.bsonType = bsonNull
	case "regex":
		out.bsonType = bsonRegex
		if e.Options != nil {
			out.options = *e.Options
		}
	case "int":
		out.bsonType = bsonInt32
	case "timestamp":
		out.bsonType = bsonTimestamp
	case "long":
		out.bsonType = bsonInt64
	default:
		return nil, fmt.Errorf("the stored type %q is not one runner reads back", e.Type)
	}
	return out, nil
}

// closeDoc ends the document that starts at mark and writes its length.
func closeDoc(dst []byte, mark int) []byte {
	dst = append(dst, 0)
	binary.LittleEndian.PutUint32(dst[mark:], uint32(len(dst)-mark))
	return dst
}

// jsonParser walks one stored row.
type jsonParser struct {
	data    []byte
	pos     int
	scratch []byte
}

func (p *jsonParser) errorf(format string, args ...any) error {
	return fmt.Errorf("a stored document, at byte %d: %s", p.pos, fmt.Sprintf(format, args...))
}

func (p *jsonParser) expect(c byte) error {
	if p.pos >= len(p.data) || p.data[p.pos] != c {
		return p.errorf("expected %q", c)
	}
	p.pos++
	return nil
}

// field reads `"key":value`, checks the key, and appends the BSON element.
func (p *jsonParser) field(dst []byte, key string, e *elemShape) ([]byte, error) {
	got, err := p.stringToken()
	if err != nil {
		return dst, err
	}
	if string(got) != key {
		return dst, p.errorf("the field %q is where the schema puts %q", got, key)
	}
	if err := p.expect(':'); err != nil {
		return dst, err
	}
	dst = append(dst, e.bsonType)
	dst = append(dst, key...)
	dst = append(dst, 0)
	return p.value(dst, e)
}

// value appends the BSON value of the JSON value at the cursor.
func (p *jsonParser) value(dst []byte, e *elemShape) ([]byte, error) {
	switch e.bsonType {
	case bsonString, bsonRegex:
		s, err := p.stringToken()
		if err != nil {
			return dst, err
		}
		if e.bsonType == bsonRegex {
			dst = append(append(dst, s...), 0)
			return append(append(dst, e.options...), 0), nil
		}
		dst = binary.LittleEndian.AppendUint32(dst, uint32(len(s)+1))
		return append(append(dst, s...), 0), nil
	case bsonInt32:
		n, err := p.integer(math.MinInt32, math.MaxInt32)
		return binary.LittleEndian.AppendUint32(dst, uint32(int32(n))), err
	case bsonInt64, bsonDateTime:
		n, err := p.integer(math.MinInt64, math.MaxInt64)
		return binary.LittleEndian.AppendUint64(dst, uint64(n)), err
	case bsonTimestamp:
		n, err := p.unsigned()
		return binary.LittleEndian.AppendUint64(dst, n), err
	case bsonDouble:
		tok := p.numberToken()
		f, err := strconv.ParseFloat(unsafe.String(unsafe.SliceData(tok), len(tok)), 64)
		if err != nil || len(tok) == 0 {
			return dst, p.errorf("%q is not a number", tok)
		}
		return binary.LittleEndian.AppendUint64(dst, math.Float64bits(f)), nil
	case bsonBool:
		switch {
		case p.literal("true"):
			return append(dst, 1), nil
		case p.literal("false"):
			return append(dst, 0), nil
		}
		return dst, p.errorf("expected true or false")
	case bsonNull:
		if !p.literal("null") {
			return dst, p.errorf("expected null")
		}
		return dst, nil
	case bsonObjectID:
		s, err := p.stringToken()
		if err != nil {
			return dst, err
		}
		if len(s) != 24 {
			return dst, p.errorf("an ObjectID of %d hex digits", len(s))
		}
		id, err := hex.AppendDecode(dst, s)
		if err != nil {
			return dst, p.errorf("an ObjectID: %v", err)
		}
		return id, nil
	case bsonBinary:
		s, err := p.stringToken()
		if err != nil {
			return dst, err
		}
		mark := len(dst)
		dst = append(dst, 0, 0, 0, 0, e.subtype)
		out, err := base64.StdEncoding.AppendDecode(dst, s)
		if err != nil {
			return dst, p.errorf("binary data: %v", err)
		}
		binary.LittleEndian.PutUint32(out[mark:], uint32(len(out)-mark-5))
		return out, nil
	case bsonDocument:
		return p.object(dst, e.doc)
	case bsonArray:
		return p.array(dst, e.items)
	}
	return dst, p.errorf("no reader for BSON type %#x", e.bsonType)
}

func (p *jsonParser) object(dst []byte, shape *docShape) ([]byte, error) {
	if err := p.expect('{'); err != nil {
		return dst, err
	}
	mark := len(dst)
	dst = append(dst, 0, 0, 0, 0)
	var err error
	for i, key := range shape.keys {
		if i > 0 {
			if err := p.expect(','); err != nil {
				return dst, err
			}
		}
		if dst, err = p.field(dst, key, shape.elems[i]); err != nil {
			return dst, err
		}
	}
	if err := p.expect('}'); err != nil {
		return dst, err
	}
	return closeDoc(dst, mark), nil
}

func (p *jsonParser) array(dst []byte, items []*elemShape) ([]byte, error) {
	if err := p.expect('['); err != nil {
		return dst, err
	}
	mark := len(dst)
	dst = append(dst, 0, 0, 0, 0)
	var err error
	for i, item := range items {
		if i > 0 {
			if err := p.expect(','); err != nil {
				return dst, err
			}
		}
		dst = append(dst, item.bsonType)
		dst = strconv.AppendInt(dst, int64(i), 10)
		dst = append(dst, 0)
		if dst, err = p.value(dst, item); err != nil {
			return dst, err
		}
	}
	if err := p.expect(']'); err != nil {
		return dst, err
	}
	return closeDoc(dst, mark), nil
}

func (p *jsonParser) literal(word string) bool {
	if len(p.data)-p.pos >= len(word) && string(p.data[p.pos:p.pos+len(word)]) == word {
		p.pos += len(word)
		return true
	}
	return false
}

// numberToken returns the JSON number at the cursor.
func (p *jsonParser) numberToken() []byte {
	start := p.pos
	for p.pos < len(p.data) {
		switch c := p.data[p.pos]; {
		case c >= '0' && c <= '9', c == '-', c == '+', c == '.', c == 'e', c == 'E':
			p.pos++
		default:
			return p.data[start:p.pos]
		}
	}
	return p.data[start:p.pos]
}

// integer reads a JSON integer within [lo, hi].
func (p *jsonParser) integer(lo, hi int64) (int64, error) {
	tok := p.numberToken()
	n, err := strconv.ParseInt(unsafe.String(unsafe.SliceData(tok), len(tok)), 10, 64)
	if err != nil || n < lo || n > hi {
		return 0, p.errorf("%q is not an integer from %d to %d", tok, lo, hi)
	}
	return n, nil
}

func (p *jsonParser) unsigned() (uint64, error) {
	tok := p.numberToken()
	n, err := strconv.ParseUint(unsafe.String(unsafe.SliceData(tok), len(tok)), 10, 64)
	if err != nil {
		return 0, p.errorf("%q is not an unsigned integer", tok)
	}
	return n, nil
}

// stringToken reads a JSON string and returns its unescaped bytes. Without
// escapes the result aliases the row; with them, a scratch buffer reused by
// the next call.
func (p *jsonParser) stringToken() ([]byte, error) {
	if err := p.expect('"'); err != nil {
		return nil, err
	}
	start := p.pos
	for p.pos < len(p.data) {
		switch p.data[p.pos] {
		case '"':
			s := p.data[start:p.pos]
			p.pos++
			return s, nil
		case '\\':
			p.scratch = append(p.scratch[:0], p.data[start:p.pos]...)
			return p.escapedString()
		}
		p.pos++
	}
	return nil, p.errorf("an unterminated string")
}

func (p *jsonParser) escapedString() ([]byte, error) {
	for p.pos < len(p.data) {
		c := p.data[p.pos]
		switch {
		case c == '"':
			p.pos++
			return p.scratch, nil
		case c != '\\':
			p.scratch = append(p.scratch, c)
			p.pos++
			continue
		}
		if p.pos+1 >= len(p.data) {
			break
		}
		esc := p.data[p.pos+1]
		p.pos += 2
		switch esc {
		case '"', '\\', '/':
			p.scratch = append(p.scratch, esc)
		case 'b':
			p.scratch = append(p.scratch, '\b')
		case 'f':
			p.scratch = append(p.scratch, '\f')
		case 'n':
			p.scratch = append(p.scratch, '\n')
		case 'r':
			p.scratch = append(p.scratch, '\r')
		case 't':
			p.scratch = append(p.scratch, '\t')
		case 'u':
			r, ok := p.hex4()
			if !ok {
				return nil, p.errorf("a bad \\u escape")
			}
			if utf16.IsSurrogate(r) {
				if lo, ok := p.lowSurrogate(); ok {
					r = utf16.DecodeRune(r, lo)
				} else {
					r = utf8.RuneError
				}
			}
			p.scratch = utf8.AppendRune(p.scratch, r)
		default:
			return nil, p.errorf("a bad escape \\%c", esc)
		}
	}
	return nil, p.errorf("an unterminated string")
}

func (p *jsonParser) hex4() (rune, bool) {
	if len(p.data)-p.pos < 4 {
		return 0, false
	}
	n, err := strconv.ParseUint(string(p.data[p.pos:p.pos+4]), 16, 16)
	if err != nil {
		return 0, false
	}
	p.pos += 4
	return rune(n), true
}

func (p *jsonParser) lowSurrogate() (rune, bool) {
	if len(p.data)-p.pos < 6 || p.data[p.pos] != '\\' || p.data[p.pos+1] != 'u' {
		return 0, false
	}
	save := p.pos
	p.pos += 2
	r, ok := p.hex4()
	if !ok || r < 0xDC00 || r > 0xDFFF {
		p.pos = save
		return 0, false
	}
	return r, true
}

// skipValue moves past the JSON value at the cursor.
func (p *jsonParser) skipValue() error {
	if p.pos >= len(p.data) {
		return p.errorf("a value is missing")
	}
	switch p.data[p.pos] {
	case '{', '[':
		depth := 0
		for p.pos < len(p.data) {
			switch p.data[p.pos] {
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					p.pos++
					return nil
				}
			case '"':
				if _, err := p.stringToken(); err != nil {
					return err
				}
				continue
			}
			p.pos++
		}
		return p.errorf("an unterminated object")
	case '"':
		_, err := p.stringToken()
		return err
	}
	p.numberToken()
	return nil
}
