package eval

import (
	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/bitutil"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"runner/stages/plan"
)

// boolView reads a boolean argument eight rows at a time: byte j of its
// bitmaps holds rows 8j to 8j+7.
type boolView struct {
	// vals and bits are the value and validity bitmaps with row 0 at bit 0;
	// vals is nil for a scalar, bits nil when every row is valid.
	vals []byte
	bits []byte
	// cv is a scalar's value byte; cb the validity byte of a scalar or of an
	// array without nulls.
	cv, cb byte
	owned  []*memory.Buffer
}

func viewBools(mem memory.Allocator, v value, n int) boolView {
	if v.arr == nil {
		var bv boolView
		if !v.sc.null {
			bv.cb = 0xff
			if v.sc.b {
				bv.cv = 0xff
			}
		}
		return bv
	}
	bv := boolView{cb: 0xff}
	if n == 0 {
		bv.vals = []byte{}
		return bv
	}
	bv.vals = bv.aligned(mem, v.arr.Data().Buffers()[1].Bytes(), v.arr.Data().Offset(), n)
	if bits, off := bitsOf(v.arr); bits != nil {
		bv.bits = bv.aligned(mem, bits, off, n)
	}
	return bv
}

// aligned returns bitmap b from bit off on, copied when off is not at a
// byte boundary (a sliced array), so that the kernels work bytewise.
func (v *boolView) aligned(mem memory.Allocator, b []byte, off, n int) []byte {
	if off%8 == 0 {
		return b[off/8:]
	}
	buf := newBitmap(mem, n)
	bitutil.CopyBitmap(b, off, n, buf.Bytes(), 0)
	v.owned = append(v.owned, buf)
	return buf.Bytes()
}

func (v *boolView) release() {
	for _, b := range v.owned {
		b.Release()
	}
}

func (v *boolView) val(j int) byte {
	if v.vals == nil {
		return v.cv
	}
	return v.vals[j]
}

func (v *boolView) ok(j int) byte {
	if v.bits == nil {
		return v.cb
	}
	return v.bits[j]
}

// logicKernel is && or || with three-valued logic: false && null is false,
// true || null is true, and otherwise null in makes null out.
func logicKernel(op plan.Op) kernel {
	and := op == plan.OpAnd
	return func(ec *evalCtx, args []value) (arrow.Array, error) {
		n := ec.rows
		a := viewBools(ec.mem, args[0], n)
		defer a.release()
		b := viewBools(ec.mem, args[1], n)
		defer b.release()
		vals, valid := newBitmap(ec.mem, n), newBitmap(ec.mem, n)
		vo, mo := vals.Bytes(), valid.Bytes()
		for j := range vo {
			ma, va := a.ok(j), a.val(j)
			mb, vb := b.ok(j), b.val(j)
			ta, tb := ma&va, mb&vb // known true
			if and {
				mo[j] = ma&mb | ma&^va | mb&^vb // both known, or one known false
				vo[j] = ta & tb
			} else {
				mo[j] = ma&mb | ta | tb // both known, or one known true
				vo[j] = ta | tb
			}
		}
		return makeArray(arrow.FixedWidthTypes.Boolean, n, valid, vals), nil
	}
}

// notKernel negates booleans; null stays null.
func notKernel(ec *evalCtx, args []value) (arrow.Array, error) {
	n := ec.rows
	a := viewBools(ec.mem, args[0], n)
	defer a.release()
	vals := newBitmap(ec.mem, n)
	out := vals.Bytes()
	for j := range out {
		out[j] = ^a.val(j)
	}
	return makeArray(arrow.FixedWidthTypes.Boolean, n, sameValidity(ec.mem, args[0].arr, n), vals), nil
}
