package cast

import (
	"errors"
	"fmt"
	"strings"
	"time"
	"unsafe"
	// Zones resolve even where the system has no zoneinfo (a scratch
	// container); the system's database is still preferred when present.
	_ "time/tzdata"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/bitutil"
	"github.com/apache/arrow-go/v18/arrow/decimal128"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"runner/stages"
	"runner/stages/plan"
)

// Default layouts of date and timestamp casts.
const (
	DefaultDateFormat      = "2006-01-02"
	DefaultTimestampFormat = time.RFC3339
)

// Spec says what one column is cast to. It mirrors the cast half of a
// plan.Column.
type Spec struct {
	Type plan.Type
	// Format is the Go layout of a date (default "2006-01-02") or a
	// timestamp (default time.RFC3339).
	Format string
	// Zone is the IANA zone of timestamps whose layout has no zone
	// (default UTC).
	Zone string
	// Scale is the number of digits after the point of a decimal128.
	Scale int
}

// Failure is a cell that did not cast. Its output is null; the caller
// decides whether the row is rejected, kept with a null, or given a
// default.
type Failure struct {
	// Row is the cell's index in the input array.
	Row int
	// Value is the cell's text.
	Value string
	// Reason says what is wrong and what would be right.
	Reason string
}

// Caster casts utf8 arrays to one type. It is immutable, so one Caster may
// serve several goroutines.
type Caster struct {
	spec Spec
	typ  arrow.DataType
	// Dates and timestamps: the zone of zoneless layouts, and the compiled
	// fast layout (nil when the layout needs time.Parse).
	loc  *time.Location
	fast *layout
	// intDigits is how many digits a decimal may have before the point:
	// the precision less the scale.
	intDigits int
}

// New prepares a Caster for spec.
func New(spec Spec) (*Caster, error) {
	typ, err := stages.ArrowType(spec.Type, spec.Scale)
	if err != nil {
		return nil, fmt.Errorf("cast: %w", err)
	}
	c := &Caster{spec: spec, typ: typ}
	switch spec.Type {
	case plan.TypeDecimal128:
		if spec.Scale < 0 || spec.Scale > stages.DecimalPrecision {
			return nil, fmt.Errorf("cast: decimal128 scale %d is out of range: it must be from 0 to %d", spec.Scale, stages.DecimalPrecision)
		}
		c.intDigits = stages.DecimalPrecision - spec.Scale
	case plan.TypeDate, plan.TypeTimestamp:
		if err := c.prepareTemporal(); err != nil {
			return nil, err
		}
	}
	return c, nil
}

// prepareTemporal fills in the default layout and zone, checks that the
// layout can hold a date, and compiles its fast path.
func (c *Caster) prepareTemporal() error {
	if c.spec.Format == "" {
		c.spec.Format = DefaultDateFormat
		if c.spec.Type == plan.TypeTimestamp {
			c.spec.Format = DefaultTimestampFormat
		}
	}
	switch c.spec.Zone {
	case "", "UTC":
		c.loc = time.UTC
	case "Local":
		return errors.New(`cast: zone "Local" depends on the machine the pipeline runs on; name an IANA zone such as "Europe/Paris"`)
	default:
		loc, err := time.LoadLocation(c.spec.Zone)
		if err != nil {
			return fmt.Errorf("cast: zone %q: %w", c.spec.Zone, err)
		}
		c.loc = loc
	}
	// A layout that loses the date when a date is formatted and parsed
	// back is a mistake, most often a non-Go layout such as "YYYY-MM-DD".
	ref := time.Date(2001, 2, 3, 4, 5, 6, 0, time.UTC)
	back, err := time.Parse(c.spec.Format, ref.Format(c.spec.Format))
	if err != nil || back.Year() != 2001 || back.Month() != 2 || back.Day() != 3 {
		return fmt.Errorf("cast: format %q does not hold a full date: Go layouts write the reference time Mon Jan 2 15:04:05 MST 2006, as in %q", c.spec.Format, c.defaultFormat())
	}
	c.fast = compileLayout(c.spec.Format, c.spec.Type == plan.TypeTimestamp)
	return nil
}

func (c *Caster) defaultFormat() string {
	if c.spec.Type == plan.TypeTimestamp {
		return DefaultTimestampFormat
	}
	return DefaultDateFormat
}

// Cast casts every cell of in. The returned array has in's length and is
// owned by the caller; a null input cell stays null, and a cell that does
// not cast is null and listed among the failures, in row order. A string
// cast returns in itself, retained.
func (c *Caster) Cast(mem memory.Allocator, in *array.String) (arrow.Array, []Failure) {
	switch c.spec.Type {
	case plan.TypeInt32:
		return castFixed(c, mem, in, c.int32Value)
	case plan.TypeInt64:
		return castFixed(c, mem, in, c.int64Value)
	case plan.TypeFloat64:
		return castFixed(c, mem, in, c.float64Value)
	case plan.TypeDecimal128:
		return castFixed(c, mem, in, c.decimalValue)
	case plan.TypeDate:
		return castFixed(c, mem, in, c.dateValue)
	case plan.TypeTimestamp:
		return castFixed(c, mem, in, c.timestampValue)
	case plan.TypeBool:
		return c.castBool(mem, in)
	}
	in.Retain()
	return in, nil
}

// output is the validity half of an array being built: a copy of the
// input's bitmap, created on the first null when the input has none.
type output struct {
	c        *Caster
	mem      memory.Allocator
	n        int
	valid    *memory.Buffer
	nulls    int
	failures []Failure
}

func newOutput(c *Caster, mem memory.Allocator, in *array.String) *output {
	o := &output{c: c, mem: mem, n: in.Len()}
	if in.NullN() > 0 {
		o.allocValid()
		bitutil.CopyBitmap(in.NullBitmapBytes(), in.Data().Offset(), o.n, o.valid.Bytes(), 0)
		o.nulls = in.NullN()
	}
	return o
}

func (o *output) allocValid() {
	o.valid = memory.NewResizableBuffer(o.mem)
	o.valid.Resize(int(bitutil.BytesForBits(int64(o.n))))
	bitutil.SetBitsTo(o.valid.Bytes(), 0, int64(o.n), true)
}

// fail records that cell i, holding s, did not cast.
func (o *output) fail(i int, s string) {
	if o.valid == nil {
		o.allocValid()
	}
	bitutil.ClearBit(o.valid.Bytes(), i)
	o.nulls++
	o.failures = append(o.failures, Failure{Row: i, Value: strings.Clone(s), Reason: o.c.reason(s)})
}

// finish builds the array over values and releases the builder's
// references.
func (o *output) finish(values *memory.Buffer) (arrow.Array, []Failure) {
	data := array.NewData(o.c.typ, o.n, []*memory.Buffer{o.valid, values}, nil, o.nulls, 0)
	arr := array.MakeFromData(data)
	data.Release()
	values.Release()
	if o.valid != nil {
		o.valid.Release()
	}
	return arr, o.failures
}

// castFixed casts in to a fixed-width type whose values parse produces.
func castFixed[T int32 | int64 | float64 | decimal128.Num](c *Caster, mem memory.Allocator, in *array.String, parse func(string) (T, bool)) (arrow.Array, []Failure) {
	o := newOutput(c, mem, in)
	values := memory.NewResizableBuffer(mem)
	var zero T
	values.Resize(o.n * int(unsafe.Sizeof(zero)))
	out := arrow.GetData[T](values.Bytes())
	for i := range out {
		if in.IsNull(i) {
			out[i] = zero
			continue
		}
		s := in.Value(i)
		v, ok := parse(s)
		if !ok {
			o.fail(i, s)
			v = zero
		}
		out[i] = v
	}
	return o.finish(values)
}

func (c *Caster) castBool(mem memory.Allocator, in *array.String) (arrow.Array, []Failure) {
	o := newOutput(c, mem, in)
	values := memory.NewResizableBuffer(mem)
	values.Resize(int(bitutil.BytesForBits(int64(o.n))))
	bits := values.Bytes()
	clear(bits)
	for i := range o.n {
		if in.IsNull(i) {
			continue
		}
		s := in.Value(i)
		v, ok := parseBool(s)
		if !ok {
			o.fail(i, s)
			continue
		}
		if v {
			bitutil.SetBit(bits, i)
		}
	}
	return o.finish(values)
}
