package stages

import (
	"encoding/binary"
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/bitutil"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// Filter returns a new batch with the rows of batch where keep[i] is true,
// owned by the caller. When every row is kept it returns batch retained;
// when none is, an empty batch with the same schema.
//
// Stages that drop rows (dedup) use it. Rows are copied as runs of
// consecutive kept rows, each column's buffers with bulk copies, so the
// cost is per run and per byte, not a call per value. It handles every
// type ArrowType produces, the int64 OriginColumn and the binary RawColumn.
func Filter(mem memory.Allocator, batch arrow.RecordBatch, keep []bool) (arrow.RecordBatch, error) {
	rows := int(batch.NumRows())
	if len(keep) != rows {
		return nil, fmt.Errorf("stages: filter: %d keep flags for a batch of %d rows", len(keep), rows)
	}
	runs, kept := keptRuns(keep)
	if kept == rows {
		batch.Retain()
		return batch, nil
	}
	cols := make([]arrow.Array, batch.NumCols())
	defer func() {
		for _, c := range cols {
			if c != nil {
				c.Release()
			}
		}
	}()
	for i, col := range batch.Columns() {
		c, err := filterArray(mem, col, runs, kept)
		if err != nil {
			return nil, fmt.Errorf("stages: filter column %q: %w", batch.ColumnName(i), err)
		}
		cols[i] = c
	}
	// NewRecordBatch retains the columns; the deferred loop drops ours.
	return array.NewRecordBatch(batch.Schema(), cols, int64(kept)), nil
}

// run is a range [start, end) of consecutive kept rows.
type run struct{ start, end int }

// keptRuns returns the runs of kept rows and how many rows they hold.
func keptRuns(keep []bool) ([]run, int) {
	n := 0
	for i, k := range keep {
		if k && (i == 0 || !keep[i-1]) {
			n++
		}
	}
	runs := make([]run, 0, n)
	kept := 0
	for i := 0; i < len(keep); {
		if !keep[i] {
			i++
			continue
		}
		start := i
		for i < len(keep) && keep[i] {
			i++
		}
		runs = append(runs, run{start: start, end: i})
		kept += i - start
	}
	return runs, kept
}

// filterArray copies the rows of arr in runs (n rows in all) into a new
// array.
func filterArray(mem memory.Allocator, arr arrow.Array, runs []run, n int) (arrow.Array, error) {
	data := arr.Data()
	offset := data.Offset()
	var buffers []*memory.Buffer
	switch arr.DataType().ID() {
	case arrow.BOOL:
		buffers = []*memory.Buffer{nil, copyBits(mem, data.Buffers()[1], offset, runs, n)}
	case arrow.INT32, arrow.INT64, arrow.FLOAT64, arrow.DATE32, arrow.TIMESTAMP, arrow.DECIMAL128:
		width := arr.DataType().(arrow.FixedWidthDataType).BitWidth() / 8
		buffers = []*memory.Buffer{nil, copyFixed(mem, data.Buffers()[1], width, offset, runs, n)}
	case arrow.STRING, arrow.BINARY:
		offsets, values := copyVarBinary(mem, data.Buffers()[1], data.Buffers()[2], offset, runs, n)
		buffers = []*memory.Buffer{nil, offsets, values}
	default:
		return nil, fmt.Errorf("unsupported type %s", arr.DataType())
	}
	nulls := 0
	if arr.NullN() > 0 {
		buffers[0] = copyBits(mem, data.Buffers()[0], offset, runs, n)
		nulls = n - bitutil.CountSetBits(buffers[0].Bytes(), 0, n)
	}
	out := array.NewData(arr.DataType(), n, buffers, nil, nulls, 0)
	for _, b := range buffers {
		if b != nil {
			b.Release()
		}
	}
	defer out.Release()
	return array.MakeFromData(out), nil
}

func newBuffer(mem memory.Allocator, size int) *memory.Buffer {
	buf := memory.NewResizableBuffer(mem)
	buf.Resize(size)
	return buf
}

// copyBits copies the bits of a bitmap (validity or boolean values) in
// runs, with the array's offset applied.
func copyBits(mem memory.Allocator, src *memory.Buffer, offset int, runs []run, n int) *memory.Buffer {
	dst := newBuffer(mem, int(bitutil.BytesForBits(int64(n))))
	out := dst.Bytes()
	// orBits needs zeros to OR into, whatever the allocator returned.
	clear(out)
	pos := 0
	for _, r := range runs {
		orBits(out, pos, src.Bytes(), offset+r.start, r.end-r.start)
		pos += r.end - r.start
	}
	return dst
}

// orBits ORs n bits of src, from bit srcPos on, into dst from bit dstPos
// on, 56 bits at a time. bitutil.CopyBitmap does the same but allocates
// its readers and writers on every call, which costs more than the copy
// for the short runs between dropped rows.
func orBits(dst []byte, dstPos int, src []byte, srcPos, n int) {
	for n > 0 {
		// After a shift of up to 7, a 64-bit load holds 57 wanted bits.
		k := min(n, 56)
		w := load64(src, srcPos>>3) >> (srcPos & 7) & (1<<k - 1)
		i := dstPos >> 3
		store64(dst, i, load64(dst, i)|w<<(dstPos&7))
		srcPos += k
		dstPos += k
		n -= k
	}
}

// load64 reads the little-endian word at byte i, with zeros past the end
// of b.
func load64(b []byte, i int) uint64 {
	if i+8 <= len(b) {
		return binary.LittleEndian.Uint64(b[i:])
	}
	var w uint64
	for j := len(b) - 1; j >= i; j-- {
		w = w<<8 | uint64(b[j])
	}
	return w
}

// store64 writes the little-endian word w at byte i, dropping the bytes
// past the end of b.
func store64(b []byte, i int, w uint64) {
	if i+8 <= len(b) {
		binary.LittleEndian.PutUint64(b[i:], w)
		return
	}
	for j := i; j < len(b); j++ {
		b[j] = byte(w)
		w >>= 8
	}
}

// copyFixed copies width-byte values in runs.
func copyFixed(mem memory.Allocator, src *memory.Buffer, width, offset int, runs []run, n int) *memory.Buffer {
	dst := newBuffer(mem, n*width)
	in, out := src.Bytes(), dst.Bytes()
	pos := 0
	for _, r := range runs {
		pos += copy(out[pos:], in[(offset+r.start)*width:(offset+r.end)*width])
	}
	return dst
}

// copyVarBinary copies string or binary values in runs: the value bytes of
// a run in one copy, and its offsets shifted to where the bytes landed.
func copyVarBinary(mem memory.Allocator, srcOffsets, srcValues *memory.Buffer, offset int, runs []run, n int) (*memory.Buffer, *memory.Buffer) {
	in := arrow.Int32Traits.CastFromBytes(srcOffsets.Bytes())[offset:]
	size := 0
	for _, r := range runs {
		size += int(in[r.end] - in[r.start])
	}
	offsets := newBuffer(mem, arrow.Int32Traits.BytesRequired(n+1))
	values := newBuffer(mem, size)
	outOffsets := arrow.Int32Traits.CastFromBytes(offsets.Bytes())
	var inValues []byte
	if srcValues != nil {
		inValues = srcValues.Bytes()
	}
	outValues := values.Bytes()
	pos, end := 0, int32(0)
	outOffsets[0] = 0
	for _, r := range runs {
		shift := end - in[r.start]
		for i, o := range in[r.start+1 : r.end+1] {
			outOffsets[pos+1+i] = o + shift
		}
		copy(outValues[end:], inValues[in[r.start]:in[r.end]])
		pos += r.end - r.start
		end = outOffsets[pos]
	}
	return offsets, values
}
