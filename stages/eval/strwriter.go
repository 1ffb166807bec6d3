package eval

import (
	"errors"
	"fmt"
	"math"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// errOverrun means a kernel appended more bytes than it had reserved, so
// that append moved the data out of the Arrow buffer: a bug, reported rather
// than silently losing rows.
var errOverrun = errors.New("a string kernel wrote past the room it reserved")

// stringWriter builds a utf8 array row by row, writing straight into the
// array's offsets and data buffers. Kernels keep the bytes written so far in
// a local slice (buf) whose capacity is the data buffer's, so that an append
// within the room asked for writes into the buffer itself; keeping it local
// also spares a heap pointer store per row.
type stringWriter struct {
	offsets *memory.Buffer
	data    *memory.Buffer
	// offs are the n+1 offsets of the result: row i ends at offs[i+1].
	offs []int32
}

// newStringWriter starts an array of n strings with room for hint bytes,
// and returns the (empty) slice to write them to.
func newStringWriter(mem memory.Allocator, n, hint int) (*stringWriter, []byte) {
	offsets, offs := newValues[int32](mem, n+1)
	offs[0] = 0
	data := memory.NewResizableBuffer(mem)
	data.Reserve(min(max(hint, 0), math.MaxInt32))
	return &stringWriter{offsets: offsets, data: data, offs: offs}, data.Buf()[:0]
}

// room returns buf with at least k bytes of spare capacity. Kernels call it
// before each row with the most that row can write.
func (w *stringWriter) room(buf []byte, k int) ([]byte, error) {
	if cap(buf)-len(buf) >= k {
		return buf, nil
	}
	return w.grow(buf, k)
}

func (w *stringWriter) grow(buf []byte, k int) ([]byte, error) {
	if cap(buf) != w.data.Cap() {
		return nil, errOverrun
	}
	need := len(buf) + k
	if need > math.MaxInt32 {
		return nil, fmt.Errorf("the batch's text exceeds the %d bytes of a utf8 array", math.MaxInt32)
	}
	w.data.Reserve(min(max(need, 2*cap(buf)), math.MaxInt32))
	return w.data.Buf()[:len(buf)], nil
}

// finish returns the array of the bytes written (buf), taking over validity
// (nil when no row is null). A null row is one whose offset did not move.
func (w *stringWriter) finish(buf []byte, validity *memory.Buffer) (arrow.Array, error) {
	if cap(buf) != w.data.Cap() {
		w.release()
		if validity != nil {
			validity.Release()
		}
		return nil, errOverrun
	}
	w.data.ResizeNoShrink(len(buf))
	return makeArray(arrow.BinaryTypes.String, len(w.offs)-1, validity, w.offsets, w.data), nil
}

// release frees the buffers of a writer abandoned on an error.
func (w *stringWriter) release() {
	w.offsets.Release()
	w.data.Release()
}

// strView reads a string argument row by row: an array, or a scalar seen as
// a one-row array whose row 0 every index maps to.
type strView struct {
	offs []int32
	data []byte
	// mask is -1 for an array and 0 for a scalar: row i is at i&mask.
	mask int
	bits []byte
	boff int
}

func viewStrings(v value) strView {
	if v.arr == nil {
		return strView{offs: []int32{0, int32(len(v.sc.str))}, data: []byte(v.sc.str)}
	}
	a := v.arr.(*array.String)
	bits, boff := bitsOf(a)
	return strView{offs: a.ValueOffsets(), data: stringData(a), mask: -1, bits: bits, boff: boff}
}

// stringData is the whole data buffer of a, which its offsets index.
func stringData(a *array.String) []byte {
	if b := a.Data().Buffers()[2]; b != nil {
		return b.Bytes()
	}
	return nil
}

func (v *strView) at(i int) []byte {
	j := i & v.mask
	return v.data[v.offs[j]:v.offs[j+1]]
}

func (v *strView) valid(i int) bool { return validAt(v.bits, v.boff, i&v.mask) }

// mapStrings applies f to every non-null row of in, writing the results into
// a new utf8 array with in's validity. f writes at most growth bytes per
// input byte.
func mapStrings(mem memory.Allocator, in *array.String, growth int, f func(dst, s []byte) []byte) (arrow.Array, error) {
	n := in.Len()
	offs := in.ValueOffsets()
	data := stringData(in)
	total := int(offs[n] - offs[0])
	w, buf := newStringWriter(mem, n, total+total/8)
	out := w.offs
	bits, boff := bitsOf(in)
	var err error
	for i := 0; i < n; i++ {
		if bits == nil || validAt(bits, boff, i) {
			s := data[offs[i]:offs[i+1]]
			if buf, err = w.room(buf, growth*len(s)); err != nil {
				w.release()
				return nil, err
			}
			buf = f(buf, s)
		}
		out[i+1] = int32(len(buf))
	}
	return w.finish(buf, sameValidity(mem, in, n))
}

// writeValidRows builds a string array of n rows: for every row valid in
// validity (all when nil), bound(i) bytes at most, written by appendRow;
// the other rows are null. It owns validity.
func writeValidRows(mem memory.Allocator, n int, validity *memory.Buffer, bound func(i int) int, appendRow func(buf []byte, i int) []byte) (arrow.Array, error) {
	var vbits []byte
	if validity != nil {
		vbits = validity.Bytes()
	}
	w, buf := newStringWriter(mem, n, 16*n)
	var err error
	for i := 0; i < n; i++ {
		if validAt(vbits, 0, i) {
			if buf, err = w.room(buf, bound(i)); err != nil {
				w.release()
				if validity != nil {
					validity.Release()
				}
				return nil, err
			}
			buf = appendRow(buf, i)
		}
		w.offs[i+1] = int32(len(buf))
	}
	return w.finish(buf, validity)
}
