package columns

import (
	"fmt"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"runner/stages"
	"runner/stages/cast"
	"runner/stages/eval"
	"runner/stages/plan"
)

// StageID identifies the stage in rejects and reports.
const StageID = "columns"

// column is one plan column with everything New prepared for it.
type column struct {
	spec      *plan.Column
	input     int // index of the source field in the input batch; -1 for a derived column
	clean     *eval.Program
	caster    *cast.Caster
	expr      *eval.Program
	arrowType arrow.DataType
}

// Stage turns text batches into typed batches. See the package doc.
type Stage struct {
	columns []column
	order   []int
	schema  *arrow.Schema
	origin  int
	raw     int
}

// New prepares the stage for plan p reading batches of the input schema
// (the CSV source's: text fields named by header, then the origin and raw
// columns).
func New(p *plan.Plan, input *arrow.Schema) (*Stage, error) {
	schema, err := stages.ColumnsSchema(p)
	if err != nil {
		return nil, err
	}
	s := &Stage{order: p.Order, schema: schema}
	if s.origin, err = fieldIndex(input, stages.OriginColumn); err != nil {
		return nil, err
	}
	if s.raw, err = fieldIndex(input, stages.RawColumn); err != nil {
		return nil, err
	}
	for i := range p.Columns {
		spec := &p.Columns[i]
		c := column{spec: spec, input: -1, arrowType: schema.Field(i).Type}
		if !spec.Derived() {
			if c.input, err = fieldIndex(input, spec.From); err != nil {
				return nil, fmt.Errorf("column %q: %w", spec.Name, err)
			}
			if c.caster, err = cast.New(cast.Spec{Type: spec.Type, Format: spec.Format, Zone: spec.Zone, Scale: spec.Scale}); err != nil {
				return nil, fmt.Errorf("column %q: %w", spec.Name, err)
			}
		}
		if spec.Clean != nil {
			if c.clean, err = eval.Compile(spec.Clean); err != nil {
				return nil, fmt.Errorf("column %q clean: %w", spec.Name, err)
			}
		}
		if spec.Expr != nil {
			if c.expr, err = eval.Compile(spec.Expr); err != nil {
				return nil, fmt.Errorf("column %q expr: %w", spec.Name, err)
			}
		}
		s.columns = append(s.columns, c)
	}
	return s, nil
}

func fieldIndex(schema *arrow.Schema, name string) (int, error) {
	idx := schema.FieldIndices(name)
	if len(idx) != 1 {
		return -1, fmt.Errorf("the input has %d fields named %q, want 1", len(idx), name)
	}
	return idx[0], nil
}

// Schema returns the schema of the batches Apply returns: the pipeline
// columns in declaration order, then the origin column.
func (s *Stage) Schema() *arrow.Schema { return s.schema }

// Result is what Apply produced from one batch.
type Result struct {
	// Batch holds the rows that were not rejected; the caller releases it.
	Batch   arrow.RecordBatch
	Rejects []stages.Reject
	Stats   Stats
}

// Apply runs every column's steps over in. It borrows in.
func (s *Stage) Apply(mem memory.Allocator, in arrow.RecordBatch) (Result, error) {
	rows := int(in.NumRows())
	run := &batchRun{
		stage:  s,
		mem:    mem,
		in:     in,
		rows:   rows,
		final:  make([]arrow.Array, len(s.columns)),
		faults: make([][]fault, rows),
		stats:  newStats(len(s.columns)),
	}
	defer run.release()
	for _, idx := range s.order {
		if err := run.column(idx); err != nil {
			return Result{}, fmt.Errorf("column %q: %w", s.columns[idx].spec.Name, err)
		}
	}
	// A later column may reject a row an earlier one changed, so changes
	// are counted once every fault of the batch is known, and only in the
	// rows that survive.
	for idx := range s.columns {
		run.countChanges(idx)
	}
	return run.result()
}

// fault is one reason a row is rejected.
type fault struct {
	column string
	value  string
	reason string
}

// batchRun holds the arrays of one Apply call.
type batchRun struct {
	stage  *Stage
	mem    memory.Allocator
	in     arrow.RecordBatch
	rows   int
	final  []arrow.Array
	faults [][]fault
	stats  Stats
	keep   []arrow.Array // intermediate arrays released at the end
}

func (r *batchRun) release() {
	for _, a := range r.keep {
		a.Release()
	}
	for _, a := range r.final {
		if a != nil {
			a.Release()
		}
	}
}

func (r *batchRun) hold(a arrow.Array) arrow.Array {
	r.keep = append(r.keep, a)
	return a
}

func (r *batchRun) column(idx int) error {
	c := &r.stage.columns[idx]
	st := &r.stats.Columns[idx]
	var text *array.String
	var value arrow.Array
	if c.input >= 0 {
		text = r.in.Column(c.input).(*array.String)
		st.Nulls += int64(text.NullN())
		cleaned := text
		if c.clean != nil {
			out, err := c.clean.Eval(r.mem, eval.Env{Rows: r.rows, Self: text})
			if err != nil {
				return fmt.Errorf("clean: %w", err)
			}
			cleaned = r.hold(out).(*array.String)
		}
		typed, failures := c.caster.Cast(r.mem, cleaned)
		value = r.hold(typed)
		r.castFailures(c, st, failures)
	}
	if c.expr != nil {
		out, err := c.expr.Eval(r.mem, eval.Env{Rows: r.rows, Self: value, Columns: r.lookup})
		if err != nil {
			return fmt.Errorf("expr: %w", err)
		}
		r.hold(out)
		if value, err = widen(r.mem, out, c.arrowType); err != nil {
			return err
		}
		if value != out {
			r.hold(value)
		}
	}
	if c.spec.Default != nil && value.NullN() > 0 {
		filled, applied, err := fillNulls(r.mem, value, *c.spec.Default)
		if err != nil {
			return fmt.Errorf("default: %w", err)
		}
		st.DefaultsApplied += int64(applied)
		value = r.hold(filled)
	}
	if c.spec.Required && value.NullN() > 0 {
		for i := 0; i < r.rows; i++ {
			if value.IsNull(i) && !r.rejected(i) {
				st.RequiredMissing++
				r.faults[i] = append(r.faults[i], fault{column: c.spec.Name,
					reason: fmt.Sprintf("%s is required but empty", c.spec.Name)})
			}
		}
	}
	value.Retain()
	r.final[idx] = value
	return nil
}

func (r *batchRun) rejected(i int) bool { return len(r.faults[i]) > 0 }

func (r *batchRun) lookup(name string) arrow.Array {
	for i, c := range r.stage.columns {
		if c.spec.Name == name {
			return r.final[i]
		}
	}
	return nil
}

func (r *batchRun) castFailures(c *column, st *ColumnStats, failures []cast.Failure) {
	st.CastFailures += int64(len(failures))
	if c.spec.OnError != plan.OnErrorReject {
		return // the cell stays null; a default, if any, fills it next
	}
	for _, f := range failures {
		ft := fault{column: c.spec.Name, value: f.Value, reason: c.spec.Name + ": " + f.Reason}
		if c.spec.Sensitive {
			// The cast's reason quotes the value; a sensitive one must not
			// reach the reports.
			ft.value = ""
			ft.reason = fmt.Sprintf("%s: the value (not shown: the column is sensitive) is not a %s", c.spec.Name, c.spec.Type)
			if c.spec.Format != "" {
				ft.reason += " in the layout " + c.spec.Format
			}
		}
		r.faults[f.Row] = append(r.faults[f.Row], ft)
	}
}

// countChanges counts the kept rows whose final value's text in column idx
// differs from the source text, and records the first few as examples. Only
// a column read from the source with a clean list or an expression can
// change.
func (r *batchRun) countChanges(idx int) {
	c := &r.stage.columns[idx]
	if c.input < 0 || (c.clean == nil && c.expr == nil) {
		return
	}
	st := &r.stats.Columns[idx]
	text := r.in.Column(c.input).(*array.String)
	value := r.final[idx]
	origins := r.in.Column(r.stage.origin).(*array.Int64)
	str, isString := value.(*array.String)
	var scratch []byte
	for i := 0; i < r.rows; i++ {
		if r.rejected(i) || (text.IsNull(i) && value.IsNull(i)) {
			continue
		}
		before := text.Value(i)
		if isString {
			if !text.IsNull(i) && !str.IsNull(i) && before == str.Value(i) {
				continue
			}
		} else {
			scratch = stages.AppendValue(scratch[:0], value, i)
			if !text.IsNull(i) && !value.IsNull(i) && string(scratch) == strings.TrimSpace(before) {
				continue
			}
		}
		st.Changed++
		if len(st.Examples) < MaxExamples {
			st.Examples = append(st.Examples, Example{Origin: stages.Origin(origins.Value(i)),
				Before: before, After: stages.FormatValue(value, i)})
		}
	}
}

func (r *batchRun) result() (Result, error) {
	fields := make([]arrow.Array, 0, len(r.final)+1)
	fields = append(fields, r.final...)
	fields = append(fields, r.in.Column(r.stage.origin))
	full := array.NewRecordBatch(r.stage.schema, fields, int64(r.rows))
	defer full.Release()

	keep := make([]bool, r.rows)
	var rejects []stages.Reject
	origins := r.in.Column(r.stage.origin).(*array.Int64)
	raws := r.in.Column(r.stage.raw).(*array.Binary)
	for i := range keep {
		faults := r.faults[i]
		if len(faults) == 0 {
			keep[i] = true
			continue
		}
		reasons := make([]string, len(faults))
		for j, f := range faults {
			reasons[j] = f.reason
		}
		rejects = append(rejects, stages.Reject{
			Origin: stages.Origin(origins.Value(i)),
			Stage:  StageID,
			Column: faults[0].column,
			Value:  faults[0].value,
			Reason: strings.Join(reasons, "; "),
			Raw:    append([]byte(nil), raws.Value(i)...),
		})
	}
	out, err := stages.Filter(r.mem, full, keep)
	if err != nil {
		return Result{}, fmt.Errorf("drop rejected rows: %w", err)
	}
	return Result{Batch: out, Rejects: rejects, Stats: r.stats}, nil
}
