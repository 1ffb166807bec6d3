// Package rowhash computes a 128-bit hash of selected columns for every row
// of a batch. Dedup, the unique and similar_except checks, and the
// deterministic document _id all key on it.
//
// The hash is XXH3-128 of a canonical encoding of the row's values: each
// value is a type tag followed by a fixed-width or length-prefixed body, so
// two rows hash alike only when every key value is equal (and the encoding
// of one row can never be the prefix of another's). The encoding is part of
// the on-disk contract: a document's _id is this hash, so it must not change
// between versions, or re-runs in append mode would duplicate.
package rowhash

import (
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"math"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/zeebo/xxh3"
)

// Hash is a 128-bit row hash.
type Hash struct{ Hi, Lo uint64 }

// Hex renders h as 32 lower-case hexadecimal digits, the form of a derived
// document _id.
func (h Hash) Hex() string {
	var b [16]byte
	binary.BigEndian.PutUint64(b[:8], h.Hi)
	binary.BigEndian.PutUint64(b[8:], h.Lo)
	return hex.EncodeToString(b[:])
}

// AppendHex appends the Hex form of h to dst without allocating.
func (h Hash) AppendHex(dst []byte) []byte {
	var b [16]byte
	binary.BigEndian.PutUint64(b[:8], h.Hi)
	binary.BigEndian.PutUint64(b[8:], h.Lo)
	return hex.AppendEncode(dst, b[:])
}

const (
	tagNull byte = iota
	tagString
	tagInt
	tagFloat
	tagBool
	tagDecimal
)

// appender appends the canonical encoding of row i of one column to dst.
type appender func(dst []byte, i int) []byte

// Hasher hashes a fixed list of columns. It is built once per schema so the
// per-type choice is made outside the row loop. A Hasher is not safe for
// concurrent use; build one per goroutine.
type Hasher struct {
	indexes []int
	buf     []byte
	encode  []appender
}

// New returns a Hasher for the named columns of schema, in the given order.
func New(schema *arrow.Schema, columns []string) (*Hasher, error) {
	h := &Hasher{}
	for _, name := range columns {
		idx := schema.FieldIndices(name)
		if len(idx) != 1 {
			return nil, fmt.Errorf("rowhash: schema has %d columns named %q, want 1", len(idx), name)
		}
		if !supported(schema.Field(idx[0]).Type) {
			return nil, fmt.Errorf("rowhash: column %q has unsupported type %s", name, schema.Field(idx[0]).Type)
		}
		h.indexes = append(h.indexes, idx[0])
	}
	return h, nil
}

func supported(t arrow.DataType) bool {
	switch t.ID() {
	case arrow.STRING, arrow.INT32, arrow.INT64, arrow.FLOAT64, arrow.BOOL, arrow.DATE32, arrow.TIMESTAMP, arrow.DECIMAL128:
		return true
	}
	return false
}

// Hash appends to dst the hash of every row of batch and returns it.
func (h *Hasher) Hash(batch arrow.RecordBatch, dst []Hash) []Hash {
	h.encode = h.encode[:0]
	for _, idx := range h.indexes {
		h.encode = append(h.encode, appenderFor(batch.Column(idx)))
	}
	rows := int(batch.NumRows())
	for i := 0; i < rows; i++ {
		buf := h.buf[:0]
		for _, enc := range h.encode {
			buf = enc(buf, i)
		}
		h.buf = buf
		v := xxh3.Hash128(buf)
		dst = append(dst, Hash{Hi: v.Hi, Lo: v.Lo})
	}
	return dst
}

func appenderFor(col arrow.Array) appender {
	switch a := col.(type) {
	case *array.String:
		return func(dst []byte, i int) []byte {
			if a.IsNull(i) {
				return append(dst, tagNull)
			}
			s := a.Value(i)
			dst = append(dst, tagString)
			dst = binary.AppendUvarint(dst, uint64(len(s)))
			return append(dst, s...)
		}
	case *array.Int32:
		return intAppender(a, func(i int) int64 { return int64(a.Value(i)) })
	case *array.Int64:
		return intAppender(a, a.Value)
	case *array.Date32:
		return intAppender(a, func(i int) int64 { return int64(a.Value(i)) })
	case *array.Timestamp:
		return intAppender(a, func(i int) int64 { return int64(a.Value(i)) })
	case *array.Float64:
		return func(dst []byte, i int) []byte {
			if a.IsNull(i) {
				return append(dst, tagNull)
			}
			f := a.Value(i)
			switch {
			case f == 0:
				f = 0 // -0 and +0 are equal values
			case math.IsNaN(f):
				f = math.NaN()
			}
			dst = append(dst, tagFloat)
			return binary.LittleEndian.AppendUint64(dst, math.Float64bits(f))
		}
	case *array.Boolean:
		return func(dst []byte, i int) []byte {
			if a.IsNull(i) {
				return append(dst, tagNull)
			}
			if a.Value(i) {
				return append(dst, tagBool, 1)
			}
			return append(dst, tagBool, 0)
		}
	case *array.Decimal128:
		return func(dst []byte, i int) []byte {
			if a.IsNull(i) {
				return append(dst, tagNull)
			}
			v := a.Value(i)
			dst = append(dst, tagDecimal)
			dst = binary.LittleEndian.AppendUint64(dst, uint64(v.HighBits()))
			return binary.LittleEndian.AppendUint64(dst, v.LowBits())
		}
	}
	// New only admits the types above; a batch whose schema disagrees with
	// the one the Hasher was built for is a programming error.
	panic(fmt.Sprintf("rowhash: unsupported array %T", col))
}

func intAppender(a arrow.Array, value func(int) int64) appender {
	return func(dst []byte, i int) []byte {
		if a.IsNull(i) {
			return append(dst, tagNull)
		}
		dst = append(dst, tagInt)
		return binary.LittleEndian.AppendUint64(dst, uint64(value(i)))
	}
}
