package eval

import (
	"errors"

	"github.com/apache/arrow-go/v18/arrow"

	"runner/stages/cast"
	"runner/stages/plan"
)

func parseDateFactory(c *call) (kernel, error) {
	return castKernel(cast.Spec{Type: plan.TypeDate, Format: c.consts[1].str})
}

func parseTimestampFactory(c *call) (kernel, error) {
	return castKernel(cast.Spec{Type: plan.TypeTimestamp, Format: c.consts[1].str, Zone: c.consts[2].str})
}

// castKernel parses text as a column's cast does (package cast, prepared
// once with the layout and zone); text that does not parse is null.
func castKernel(spec cast.Spec) (kernel, error) {
	if spec.Format == "" {
		// A column's cast takes the default layout; a call names its own.
		return nil, errors.New("the layout is empty: give a Go layout such as 2006-01-02")
	}
	caster, err := cast.New(spec)
	if err != nil {
		return nil, err
	}
	return func(ec *evalCtx, args []value) (arrow.Array, error) {
		in, err := stringArray(args[0])
		if err != nil {
			return nil, err
		}
		out, _ := caster.Cast(ec.mem, in)
		return out, nil
	}, nil
}

// daysBetweenFactory: whole days from the first argument to the second.
// Two dates give the difference of their days; with a timestamp involved
// (a date being midnight UTC), the difference in milliseconds truncated
// toward zero to whole days. A difference beyond int32 is null.
func daysBetweenFactory(c *call) (kernel, error) {
	ta, tb := c.types[0], c.types[1]
	dates := ta == plan.TypeDate && tb == plan.TypeDate
	return func(ec *evalCtx, args []value) (arrow.Array, error) {
		a, err := viewNumbers(ec.mem, args[0], ta, !dates)
		if err != nil {
			return nil, err
		}
		defer a.release()
		b, err := viewNumbers(ec.mem, args[1], tb, !dates)
		if err != nil {
			return nil, err
		}
		defer b.release()
		n := ec.rows
		ns := nullSetter{mem: ec.mem, n: n, bits: andValidity(ec.mem, n, a.arr, b.arr)}
		buf, out := newValues[int32](ec.mem, n)
		switch {
		case a.kind == kindI32 && b.kind == kindI32:
			daysLoop(a.i32, a.mask, b.i32, b.mask, dates, out, &ns)
		case a.kind == kindI32:
			daysLoop(a.i32, a.mask, b.i64, b.mask, dates, out, &ns)
		case b.kind == kindI32:
			daysLoop(a.i64, a.mask, b.i32, b.mask, dates, out, &ns)
		default:
			daysLoop(a.i64, a.mask, b.i64, b.mask, dates, out, &ns)
		}
		return makeArray(arrow.PrimitiveTypes.Int32, n, ns.bits, buf), nil
	}, nil
}

// daysLoop computes b - a in days (dates) or in milliseconds truncated to
// days; the two loops keep the division out of the dates' path.
func daysLoop[A, B int32 | int64](a []A, am int, b []B, bm int, dates bool, out []int32, ns *nullSetter) {
	if dates {
		for i := range out {
			d := int64(b[i&bm]) - int64(a[i&am])
			if d != int64(int32(d)) {
				ns.setNull(i)
			}
			out[i] = int32(d)
		}
		return
	}
	for i := range out {
		x, y := int64(a[i&am]), int64(b[i&bm])
		d := y - x
		if (y^x)&(y^d) < 0 {
			ns.setNull(i)
			out[i] = 0
			continue
		}
		d /= msPerDay
		if d != int64(int32(d)) {
			ns.setNull(i)
		}
		out[i] = int32(d)
	}
}
