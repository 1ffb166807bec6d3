package csvsource

import (
	"bytes"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/bitutil"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// textColumn builds one variable-length column (utf8 or binary) of a batch
// directly in Arrow buffers: the parser appends each field's bytes once and
// nothing is copied again when the batch is handed out.
type textColumn struct {
	offsets, data, valid *memory.Buffer
	// offs views offsets' storage and store data's whole storage, of
	// which n bytes are written; bits views valid's storage, nil until the
	// batch's first null, so a column without nulls carries no bitmap.
	// Appending only updates n: writing a slice header for every cell
	// would cost a GC write barrier each time.
	offs  []int32
	store []byte
	n     int
	bits  []byte
	nulls int
	// rows is the batch's capacity in rows.
	rows int
	// hint is the data size to reserve for the next batch: the previous
	// batch's plus a sixteenth. Full batches of the same file vary by about
	// a percent, so a steady stream never reallocates, and little memory
	// is allocated that no value uses (it would only make work for the GC).
	hint int
}

// start allocates the buffers of a batch of at most rows rows.
func (c *textColumn) start(mem memory.Allocator, rows int) {
	c.offsets = memory.NewResizableBuffer(mem)
	c.offsets.Resize(arrow.Int32Traits.BytesRequired(rows + 1))
	c.offs = arrow.Int32Traits.CastFromBytes(c.offsets.Bytes())
	c.offs[0] = 0
	c.data = memory.NewResizableBuffer(mem)
	c.data.Reserve(c.hint)
	c.store, c.n, c.rows = c.data.Buf(), 0, rows
	c.valid, c.bits, c.nulls = nil, nil, 0
}

// grow makes room for n more data bytes of row, through the allocator.
// Without a hint (the first batch) it reserves what the rows so far
// project for the whole batch, so that it reallocates a few times rather
// than once per doubling: every reallocation leaves garbage for the GC.
func (c *textColumn) grow(row, n int) {
	if c.n+n <= len(c.store) {
		return
	}
	projected := 0
	if row > 0 {
		projected = c.n / row * c.rows
		projected += projected / 16
	}
	c.data.Reserve(max(len(c.store)+len(c.store)/2, c.n+n, projected, 64))
	c.store = c.data.Buf()
}

// append adds text as the value of row.
func (c *textColumn) append(row int, text []byte) {
	if c.n+len(text) > len(c.store) {
		c.grow(row, len(text))
	}
	c.n += copy(c.store[c.n:], text)
	c.offs[row+1] = int32(c.n)
}

// appendUnescaped adds text, collapsing each doubled quote, as the value
// of row.
func (c *textColumn) appendUnescaped(row int, text []byte, quote byte) {
	c.grow(row, len(text))
	for {
		k := bytes.IndexByte(text, quote)
		if k < 0 || k+1 >= len(text) {
			c.n += copy(c.store[c.n:], text)
			break
		}
		c.n += copy(c.store[c.n:], text[:k+1])
		text = text[k+2:]
	}
	c.offs[row+1] = int32(c.n)
}

// value returns row's text, the last appended.
func (c *textColumn) value(row int) []byte { return c.store[c.offs[row]:c.n] }

// setNull makes row, the last row (whether or not its text was appended),
// null; rows is the batch's capacity in rows.
func (c *textColumn) setNull(mem memory.Allocator, row, rows int) {
	if c.bits == nil {
		c.valid = memory.NewResizableBuffer(mem)
		c.valid.Resize(int(bitutil.BytesForBits(int64(rows))))
		c.bits = c.valid.Bytes()
		bitutil.SetBitsTo(c.bits, 0, int64(row), true)
	}
	c.n = int(c.offs[row])
	c.offs[row+1] = c.offs[row]
	bitutil.ClearBit(c.bits, row)
	c.nulls++
}

// setValid records that row is not null.
func (c *textColumn) setValid(row int) {
	if c.bits != nil {
		bitutil.SetBit(c.bits, row)
	}
}

// finish hands the buffers to a new array of the given type and length;
// the column is empty afterwards.
func (c *textColumn) finish(typ arrow.DataType, rows int) arrow.Array {
	c.offsets.ResizeNoShrink(arrow.Int32Traits.BytesRequired(rows + 1))
	c.data.ResizeNoShrink(c.n)
	c.hint = c.n + c.n/16
	if c.valid != nil {
		c.valid.ResizeNoShrink(int(bitutil.BytesForBits(int64(rows))))
	}
	data := array.NewData(typ, rows, []*memory.Buffer{c.valid, c.offsets, c.data}, nil, c.nulls, 0)
	arr := array.MakeFromData(data)
	data.Release()
	c.release()
	return arr
}

// release drops the column's references to its buffers.
func (c *textColumn) release() {
	for _, b := range []*memory.Buffer{c.offsets, c.data, c.valid} {
		if b != nil {
			b.Release()
		}
	}
	c.offsets, c.data, c.valid = nil, nil, nil
	c.offs, c.store, c.bits, c.n = nil, nil, nil, 0
}

// originColumn builds the int64 origin column of a batch.
type originColumn struct {
	buf    *memory.Buffer
	values []int64
}

func (c *originColumn) start(mem memory.Allocator, rows int) {
	c.buf = memory.NewResizableBuffer(mem)
	c.buf.Resize(arrow.Int64Traits.BytesRequired(rows))
	c.values = arrow.Int64Traits.CastFromBytes(c.buf.Bytes())
}

func (c *originColumn) finish(rows int) arrow.Array {
	c.buf.ResizeNoShrink(arrow.Int64Traits.BytesRequired(rows))
	data := array.NewData(arrow.PrimitiveTypes.Int64, rows, []*memory.Buffer{nil, c.buf}, nil, 0, 0)
	arr := array.MakeFromData(data)
	data.Release()
	c.release()
	return arr
}

func (c *originColumn) release() {
	if c.buf != nil {
		c.buf.Release()
	}
	c.buf, c.values = nil, nil
}
