package eval

import (
	"bytes"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/bitutil"

	"runner/stages/plan"
)

// relation is what a comparison loop tests; != and the mirrored operators
// (> and >=) are derived from these three.
type relation uint8

const (
	relEq relation = iota
	relLt
	relLe
)

// compareKernel returns the kernel of a comparison between arguments of
// types ta and tb (one of them may be null: the node's nullType covers it).
func compareKernel(op plan.Op, ta, tb plan.Type) kernel {
	class := ta
	if class == plan.TypeNull {
		class = tb
	}
	switch class {
	case plan.TypeString:
		return stringCompare(op)
	case plan.TypeBool:
		return boolCompare(op)
	}
	// A date compared with a timestamp is midnight UTC of that day.
	ms := ta.IsTemporal() && tb.IsTemporal() && ta != tb
	return func(ec *evalCtx, args []value) (arrow.Array, error) {
		a, err := viewNumbers(ec.mem, args[0], ta, ms)
		if err != nil {
			return nil, err
		}
		defer a.release()
		b, err := viewNumbers(ec.mem, args[1], tb, ms)
		if err != nil {
			return nil, err
		}
		defer b.release()
		n := ec.rows
		vals := newBitmap(ec.mem, n)
		out := vals.Bytes()
		switch op {
		case plan.OpEq, plan.OpNe:
			compareNums(relEq, a, b, n, out)
			if op == plan.OpNe {
				// a != b is exactly !(a == b), NaN included.
				invertBytes(out)
			}
		case plan.OpLt:
			compareNums(relLt, a, b, n, out)
		case plan.OpLe:
			compareNums(relLe, a, b, n, out)
		case plan.OpGt:
			compareNums(relLt, b, a, n, out)
		case plan.OpGe:
			compareNums(relLe, b, a, n, out)
		}
		return makeArray(arrow.FixedWidthTypes.Boolean, n, andValidity(ec.mem, n, a.arr, b.arr), vals), nil
	}
}

func invertBytes(b []byte) {
	for i := range b {
		b[i] = ^b[i]
	}
}

// compareNums sets bit i of out when a[i] rel b[i]. Integers compare as
// int64, anything with a float64 as float64.
func compareNums(rel relation, a, b numView, n int, out []byte) {
	switch a.kind {
	case kindI32:
		compareNumsB(rel, a.i32, a.mask, false, b, n, out)
	case kindI64:
		compareNumsB(rel, a.i64, a.mask, false, b, n, out)
	default:
		compareNumsB(rel, a.f64, a.mask, true, b, n, out)
	}
}

func compareNumsB[A number](rel relation, a []A, am int, aFloat bool, b numView, n int, out []byte) {
	switch {
	case b.kind == kindF64:
		cmpLoop[A, float64, float64](rel, a, am, b.f64, b.mask, n, out)
	case aFloat && b.kind == kindI32:
		cmpLoop[A, int32, float64](rel, a, am, b.i32, b.mask, n, out)
	case aFloat:
		cmpLoop[A, int64, float64](rel, a, am, b.i64, b.mask, n, out)
	case b.kind == kindI32:
		cmpLoop[A, int32, int64](rel, a, am, b.i32, b.mask, n, out)
	default:
		cmpLoop[A, int64, int64](rel, a, am, b.i64, b.mask, n, out)
	}
}

// cmpLoop compares in type C, eight rows to an output byte.
func cmpLoop[A, B, C number](rel relation, a []A, am int, b []B, bm int, n int, out []byte) {
	switch rel {
	case relEq:
		for j := 0; j < n; j += 8 {
			var w byte
			for k := 0; k < 8 && j+k < n; k++ {
				i := j + k
				w |= b2u(C(a[i&am]) == C(b[i&bm])) << k
			}
			out[j>>3] = w
		}
	case relLt:
		for j := 0; j < n; j += 8 {
			var w byte
			for k := 0; k < 8 && j+k < n; k++ {
				i := j + k
				w |= b2u(C(a[i&am]) < C(b[i&bm])) << k
			}
			out[j>>3] = w
		}
	case relLe:
		for j := 0; j < n; j += 8 {
			var w byte
			for k := 0; k < 8 && j+k < n; k++ {
				i := j + k
				w |= b2u(C(a[i&am]) <= C(b[i&bm])) << k
			}
			out[j>>3] = w
		}
	}
}

// stringCompare compares strings bytewise.
func stringCompare(op plan.Op) kernel {
	// want[c+1] is the result for bytes.Compare's c.
	var want [3]bool
	switch op {
	case plan.OpLt:
		want = [3]bool{true, false, false}
	case plan.OpLe:
		want = [3]bool{true, true, false}
	case plan.OpGt:
		want = [3]bool{false, false, true}
	case plan.OpGe:
		want = [3]bool{false, true, true}
	}
	return func(ec *evalCtx, args []value) (arrow.Array, error) {
		a, b := viewStrings(args[0]), viewStrings(args[1])
		n := ec.rows
		vals := newBitmap(ec.mem, n)
		out := vals.Bytes()
		switch op {
		case plan.OpEq, plan.OpNe:
			ne := op == plan.OpNe
			for i := 0; i < n; i++ {
				if bytes.Equal(a.at(i), b.at(i)) != ne {
					bitutil.SetBit(out, i)
				}
			}
		default:
			for i := 0; i < n; i++ {
				if want[bytes.Compare(a.at(i), b.at(i))+1] {
					bitutil.SetBit(out, i)
				}
			}
		}
		return makeArray(arrow.FixedWidthTypes.Boolean, n, andValidity(ec.mem, n, args[0].arr, args[1].arr), vals), nil
	}
}

// boolCompare compares booleans: only == and != are defined.
func boolCompare(op plan.Op) kernel {
	return func(ec *evalCtx, args []value) (arrow.Array, error) {
		a := viewBools(ec.mem, args[0], ec.rows)
		defer a.release()
		b := viewBools(ec.mem, args[1], ec.rows)
		defer b.release()
		n := ec.rows
		vals := newBitmap(ec.mem, n)
		out := vals.Bytes()
		for j := range out {
			x := a.val(j) ^ b.val(j)
			if op == plan.OpEq {
				x = ^x
			}
			out[j] = x
		}
		return makeArray(arrow.FixedWidthTypes.Boolean, n, andValidity(ec.mem, n, args[0].arr, args[1].arr), vals), nil
	}
}
