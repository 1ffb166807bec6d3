package eval

import (
	"unsafe"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/bitutil"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// fixed is the element type of a fixed-width Arrow values buffer that the
// kernels produce.
type fixed interface {
	arrow.FixedWidthType
}

// newBitmap allocates a bitmap of n bits, all clear. Allocators need not
// return zeroed memory, so it is cleared here.
func newBitmap(mem memory.Allocator, n int) *memory.Buffer {
	buf := memory.NewResizableBuffer(mem)
	buf.Resize(int(bitutil.BytesForBits(int64(n))))
	clear(buf.Bytes())
	return buf
}

// newValues allocates a values buffer for n elements of type E and returns
// it with a typed view of its contents (not cleared).
func newValues[E fixed](mem memory.Allocator, n int) (*memory.Buffer, []E) {
	var zero E
	buf := memory.NewResizableBuffer(mem)
	buf.Resize(n * int(unsafe.Sizeof(zero)))
	return buf, arrow.GetData[E](buf.Bytes())
}

// makeArray assembles an array of type dt from buffers, taking over the
// caller's reference to each: the caller owns the array and nothing else.
func makeArray(dt arrow.DataType, n int, buffers ...*memory.Buffer) arrow.Array {
	nulls := 0
	if buffers[0] != nil {
		nulls = n - bitutil.CountSetBits(buffers[0].Bytes(), 0, n)
	}
	data := array.NewData(dt, n, buffers, nil, nulls, 0)
	for _, b := range buffers {
		if b != nil {
			b.Release()
		}
	}
	arr := array.MakeFromData(data)
	data.Release()
	return arr
}

// allNull returns n nulls of type dt.
func allNull(mem memory.Allocator, dt arrow.DataType, n int) arrow.Array {
	return array.MakeArrayOfNull(mem, dt, n)
}

// bitsOf returns arr's validity bitmap and the bit offset of its first row,
// or nil when no value of arr is null (scalars included: arr may be nil).
func bitsOf(arr arrow.Array) ([]byte, int) {
	if arr == nil || arr.NullN() == 0 {
		return nil, 0
	}
	return arr.NullBitmapBytes(), arr.Data().Offset()
}

// validAt reports whether row i is valid in a bitmap from bitsOf.
func validAt(bits []byte, off, i int) bool {
	return bits == nil || bitutil.BitIsSet(bits, off+i)
}

// sameValidity returns a validity buffer equal to arr's for a result of n
// rows starting at offset 0, or nil when arr has no nulls. The input's
// buffer is shared when it already starts at row 0.
func sameValidity(mem memory.Allocator, arr arrow.Array, n int) *memory.Buffer {
	bits, off := bitsOf(arr)
	if bits == nil {
		return nil
	}
	if off == 0 {
		buf := arr.Data().Buffers()[0]
		buf.Retain()
		return buf
	}
	out := newBitmap(mem, n)
	bitutil.CopyBitmap(bits, off, n, out.Bytes(), 0)
	return out
}

// andValidity returns a validity buffer for n rows that are valid in every
// one of arrs (nil entries stand for scalars, always valid), or nil when
// none of them has a null.
func andValidity(mem memory.Allocator, n int, arrs ...arrow.Array) *memory.Buffer {
	var out *memory.Buffer
	for _, a := range arrs {
		bits, off := bitsOf(a)
		if bits == nil {
			continue
		}
		next := newBitmap(mem, n)
		if out == nil {
			bitutil.CopyBitmap(bits, off, n, next.Bytes(), 0)
		} else {
			bitutil.BitmapAnd(out.Bytes(), bits, 0, int64(off), next.Bytes(), 0, int64(n))
			out.Release()
		}
		out = next
	}
	return out
}

// nullSetter clears validity bits of a result whose kernel finds further
// nulls (an overflow, a division by zero, a text that does not parse). The
// bitmap is only copied out of the inputs' validity on the first such row.
type nullSetter struct {
	mem  memory.Allocator
	n    int
	bits *memory.Buffer
}

func (s *nullSetter) setNull(i int) {
	if s.bits == nil {
		s.bits = newBitmap(s.mem, s.n)
		bitutil.SetBitsTo(s.bits.Bytes(), 0, int64(s.n), true)
	}
	bitutil.ClearBit(s.bits.Bytes(), i)
}

// b2u converts a bool to 0 or 1 without a branch.
func b2u(b bool) byte {
	if b {
		return 1
	}
	return 0
}
