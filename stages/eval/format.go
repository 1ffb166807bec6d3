package eval

import (
	"fmt"
	"strconv"
	"unicode/utf8"

	"github.com/apache/arrow-go/v18/arrow"

	"runner/stages/plan"
)

// Limits of a format directive, so that a row's size stays predictable.
const (
	maxFormatWidth     = 1024
	maxFormatPrecision = 64
)

// fmtDirective is one %-directive of a format layout.
type fmtDirective struct {
	// lit is the literal text before the directive.
	lit  []byte
	verb byte // 's', 'd', 'f' or 'v'
	// width pads the value to this many characters; prec is %f's number of
	// decimals (-1 for the default, 6).
	width, prec int
	// left pads on the right; zero pads with zeros (after a sign).
	left, zero bool
}

// fmtLayout is a format layout parsed once: one directive per value, then
// the text after the last one.
type fmtLayout struct {
	directives []fmtDirective
	tail       []byte
}

// parseFormat parses layout for values of the given types. %s takes a
// string, %d an integer, %f (or %.Nf) a number, %v any value in its text
// form (as concat writes it); flags - and 0 and a width may precede the
// verb, as in %04d or %-10s; %% is a percent sign.
func parseFormat(layout string, types []plan.Type) (*fmtLayout, error) {
	l := &fmtLayout{}
	var lit []byte
	for i := 0; i < len(layout); i++ {
		if layout[i] != '%' {
			lit = append(lit, layout[i])
			continue
		}
		i++
		if i < len(layout) && layout[i] == '%' {
			lit = append(lit, '%')
			continue
		}
		d := fmtDirective{lit: lit, prec: -1}
		lit = nil
		for ; i < len(layout) && (layout[i] == '-' || layout[i] == '0'); i++ {
			d.left = d.left || layout[i] == '-'
			d.zero = d.zero || layout[i] == '0'
		}
		for ; i < len(layout) && isDigit(layout[i]); i++ {
			if d.width = d.width*10 + int(layout[i]-'0'); d.width > maxFormatWidth {
				return nil, fmt.Errorf("layout %q: a width is at most %d", layout, maxFormatWidth)
			}
		}
		if i < len(layout) && layout[i] == '.' {
			d.prec = 0
			for i++; i < len(layout) && isDigit(layout[i]); i++ {
				if d.prec = d.prec*10 + int(layout[i]-'0'); d.prec > maxFormatPrecision {
					return nil, fmt.Errorf("layout %q: a precision is at most %d", layout, maxFormatPrecision)
				}
			}
		}
		if i == len(layout) {
			return nil, fmt.Errorf("layout %q ends inside a %% directive", layout)
		}
		d.verb = layout[i]
		k := len(l.directives)
		if k >= len(types) {
			return nil, fmt.Errorf("layout %q has more directives than the %d values given", layout, len(types))
		}
		if err := checkVerb(d, types[k]); err != nil {
			return nil, fmt.Errorf("layout %q, directive %d: %w", layout, k+1, err)
		}
		l.directives = append(l.directives, d)
	}
	l.tail = lit
	if len(l.directives) != len(types) {
		return nil, fmt.Errorf("layout %q has %d directives for %d values", layout, len(l.directives), len(types))
	}
	return l, nil
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

// checkVerb verifies that a directive fits the type of its value.
func checkVerb(d fmtDirective, t plan.Type) error {
	if d.prec >= 0 && d.verb != 'f' {
		return fmt.Errorf("a precision only applies to %%f, not %%%c", d.verb)
	}
	switch d.verb {
	case 's':
		if t != plan.TypeString && t != plan.TypeNull {
			return fmt.Errorf("%%s needs a string, the value is a %s (%%v writes any value's text)", t)
		}
	case 'd':
		if !t.IsInteger() && t != plan.TypeNull {
			return fmt.Errorf("%%d needs an integer, the value is a %s", t)
		}
	case 'f':
		if !t.IsNumeric() && t != plan.TypeNull {
			return fmt.Errorf("%%f needs a number, the value is a %s", t)
		}
	case 'v':
	default:
		return fmt.Errorf("unknown directive %%%c: use %%s, %%d, %%f, %%.2f, %%v or %%%%", d.verb)
	}
	return nil
}

func formatFactory(c *call) (kernel, error) {
	types := c.types[1:]
	l, err := parseFormat(c.consts[0].str, types)
	if err != nil {
		return nil, err
	}
	return func(ec *evalCtx, args []value) (arrow.Array, error) {
		n := ec.rows
		vals := args[1:]
		texts := make([]textView, len(vals))
		nums := make([]numView, len(vals))
		arrs := make([]arrow.Array, len(vals))
		defer func() {
			for k := range nums {
				nums[k].release()
			}
		}()
		for k, v := range vals {
			arrs[k] = v.arr
			switch l.directives[k].verb {
			case 'd', 'f':
				nv, err := viewNumbers(ec.mem, v, types[k], false)
				if err != nil {
					return nil, err
				}
				nums[k] = nv
			default:
				texts[k] = viewText(v, types[k])
			}
		}
		return writeValidRows(ec.mem, n, andValidity(ec.mem, n, arrs...),
			func(i int) int { return l.bound(texts, i) },
			func(buf []byte, i int) []byte { return l.append(buf, texts, nums, i) })
	}, nil
}

// bound is the most bytes row i can take.
func (l *fmtLayout) bound(texts []textView, i int) int {
	n := len(l.tail)
	for k, d := range l.directives {
		v := maxIntText
		switch d.verb {
		case 'f':
			v = maxFloatText + max(d.prec, 6)
		case 's', 'v':
			v = texts[k].bound(i)
		}
		n += len(d.lit) + max(v, d.width)
	}
	return n
}

func (l *fmtLayout) append(dst []byte, texts []textView, nums []numView, i int) []byte {
	for k, d := range l.directives {
		dst = append(dst, d.lit...)
		start := len(dst)
		switch d.verb {
		case 'd':
			dst = strconv.AppendInt(dst, nums[k].intAt(i), 10)
		case 'f':
			prec := d.prec
			if prec < 0 {
				prec = 6
			}
			dst = strconv.AppendFloat(dst, nums[k].floatAt(i), 'f', prec, 64)
		default:
			dst = texts[k].append(dst, i)
		}
		if d.width > 0 {
			dst = d.pad(dst, start)
		}
	}
	return append(dst, l.tail...)
}

// pad pads the value written from start to the directive's width.
func (d *fmtDirective) pad(dst []byte, start int) []byte {
	count := utf8.RuneCount(dst[start:])
	if count >= d.width {
		return dst
	}
	pad := d.width - count
	fill := byte(' ')
	if d.zero && !d.left {
		fill = '0'
	}
	end := len(dst)
	for k := 0; k < pad; k++ {
		dst = append(dst, fill)
	}
	if d.left {
		return dst
	}
	at := start
	if fill == '0' && d.verb != 's' && end > start && (dst[start] == '-' || dst[start] == '+') {
		at++ // zeros go after the sign: -007
	}
	copy(dst[at+pad:], dst[at:end])
	for k := at; k < at+pad; k++ {
		dst[k] = fill
	}
	return dst
}

// intAt and floatAt read row i of a numeric view.
func (v *numView) intAt(i int) int64 {
	if v.kind == kindI32 {
		return int64(v.i32[i&v.mask])
	}
	return v.i64[i&v.mask]
}

func (v *numView) floatAt(i int) float64 {
	switch v.kind {
	case kindI32:
		return float64(v.i32[i&v.mask])
	case kindI64:
		return float64(v.i64[i&v.mask])
	}
	return v.f64[i&v.mask]
}
