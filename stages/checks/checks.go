package checks

import (
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"runner/stages"
	"runner/stages/eval"
	"runner/stages/plan"
	"runner/stages/report"
	"runner/stages/rowhash"
)

// MaxSamples is how many failing rows a check reports.
const MaxSamples = 5

// check is one compiled pre-load check.
type check struct {
	spec *plan.Check
	// assert is the compiled assert expression.
	assert *eval.Program
	// accepted tests an accepted_values cell.
	accepted func(arr arrow.Array, i int) bool
	// keys lists the columns hashed for unique and similar_except.
	keys []string
	// shown lists the columns whose values a failing row's sample shows.
	shown []int
}

// Suite is the compiled pre-load checks of a pipeline.
type Suite struct {
	checks []*check
	schema *arrow.Schema
	origin int
}

// New compiles the pre-load checks of p for batches of the columns stage's
// schema.
func New(p *plan.Plan, schema *arrow.Schema) (*Suite, error) {
	s := &Suite{schema: schema}
	idx := schema.FieldIndices(stages.OriginColumn)
	if len(idx) != 1 {
		return nil, fmt.Errorf("checks: the schema has no %s column", stages.OriginColumn)
	}
	s.origin = idx[0]
	for i := range p.Checks {
		spec := &p.Checks[i]
		if spec.Kind == plan.CheckInDatabase {
			continue
		}
		c, err := compile(p, spec, schema)
		if err != nil {
			return nil, fmt.Errorf("check %q: %w", spec.Name, err)
		}
		s.checks = append(s.checks, c)
	}
	return s, nil
}

func compile(p *plan.Plan, spec *plan.Check, schema *arrow.Schema) (*check, error) {
	c := &check{spec: spec}
	var shown []string
	switch spec.Kind {
	case plan.CheckAssert:
		prog, err := eval.Compile(spec.Assert)
		if err != nil {
			return nil, err
		}
		c.assert = prog
		shown = spec.Assert.Columns()
	case plan.CheckNotNull:
		shown = spec.Columns
	case plan.CheckAcceptedValues:
		accepted, err := acceptedSet(spec.Values)
		if err != nil {
			return nil, err
		}
		c.accepted = accepted
		shown = spec.Columns
	case plan.CheckUnique:
		c.keys = spec.Columns
		shown = spec.Columns
	case plan.CheckSimilarExcept:
		except := map[string]bool{}
		for _, name := range spec.Columns {
			except[name] = true
		}
		for _, col := range p.Columns {
			if !except[col.Name] {
				c.keys = append(c.keys, col.Name)
			}
		}
		shown = spec.Columns
	case plan.CheckRowCount:
	default:
		return nil, fmt.Errorf("kind %s is not a pre-load check", spec.Kind)
	}
	for _, name := range shown {
		idx := schema.FieldIndices(name)
		if len(idx) != 1 {
			return nil, fmt.Errorf("no column %q", name)
		}
		c.shown = append(c.shown, idx[0])
	}
	return c, nil
}

// acceptedSet returns a membership test for the accepted values, which the
// compiler has converted to the column's type.
func acceptedSet(values []plan.Value) (func(arrow.Array, int) bool, error) {
	strs := map[string]bool{}
	ints := map[int64]bool{}
	floats := map[float64]bool{}
	bools := map[bool]bool{}
	for _, v := range values {
		switch v.Type {
		case plan.TypeString, plan.TypeDecimal128:
			strs[v.Str] = true
		case plan.TypeInt32, plan.TypeInt64, plan.TypeDate, plan.TypeTimestamp:
			ints[v.Int] = true
		case plan.TypeFloat64:
			floats[v.Float] = true
		case plan.TypeBool:
			bools[v.Bool] = true
		case plan.TypeNull:
		default:
			return nil, fmt.Errorf("accepted value %s has unsupported type %s", v, v.Type)
		}
	}
	return func(arr arrow.Array, i int) bool {
		switch a := arr.(type) {
		case *array.String:
			return strs[a.Value(i)]
		case *array.Int32:
			return ints[int64(a.Value(i))]
		case *array.Int64:
			return ints[a.Value(i)]
		case *array.Date32:
			return ints[int64(a.Value(i))]
		case *array.Timestamp:
			return ints[int64(a.Value(i))]
		case *array.Float64:
			return floats[a.Value(i)]
		case *array.Boolean:
			return bools[a.Value(i)]
		case *array.Decimal128:
			return strs[stages.FormatValue(a, i)]
		}
		return false
	}, nil
}

// Partial is what Evaluate found in one batch, before dedup decided which
// rows stay.
type Partial struct {
	rows    int
	origins []stages.Origin
	checks  []partialCheck
}

type partialCheck struct {
	// failing[i] says row i breaks a row-level check.
	failing []bool
	// keys[i] is row i's key for unique and similar_except.
	keys []rowhash.Hash
	// samples holds the shown values of the first failing rows, by row.
	samples map[int][]report.Value
}

// Evaluate runs the checks' columnar work on one batch of the columns
// stage. It borrows batch and may run on any goroutine.
func (s *Suite) Evaluate(mem memory.Allocator, batch arrow.RecordBatch) (*Partial, error) {
	rows := int(batch.NumRows())
	p := &Partial{rows: rows, origins: make([]stages.Origin, rows), checks: make([]partialCheck, len(s.checks))}
	origins := batch.Column(s.origin).(*array.Int64)
	for i := 0; i < rows; i++ {
		p.origins[i] = stages.Origin(origins.Value(i))
	}
	for ci, c := range s.checks {
		pc := &p.checks[ci]
		var err error
		switch c.spec.Kind {
		case plan.CheckAssert:
			pc.failing, err = s.failingAsserts(mem, c, batch)
		case plan.CheckNotNull:
			pc.failing = s.failingNulls(c, batch)
		case plan.CheckAcceptedValues:
			pc.failing = s.failingValues(c, batch)
		case plan.CheckUnique, plan.CheckSimilarExcept:
			var h *rowhash.Hasher
			if h, err = rowhash.New(batch.Schema(), c.keys); err == nil {
				pc.keys = h.Hash(batch, make([]rowhash.Hash, 0, rows))
			}
		}
		if err != nil {
			return nil, fmt.Errorf("check %q: %w", c.spec.Name, err)
		}
		pc.samples = s.sampleValues(c, batch, pc)
	}
	return p, nil
}

func (s *Suite) failingAsserts(mem memory.Allocator, c *check, batch arrow.RecordBatch) ([]bool, error) {
	rows := int(batch.NumRows())
	out, err := c.assert.Eval(mem, eval.BatchEnv(batch))
	if err != nil {
		return nil, err
	}
	defer out.Release()
	holds, ok := out.(*array.Boolean)
	if !ok {
		return nil, fmt.Errorf("assert evaluated to %s, not bool", out.DataType())
	}
	failing := make([]bool, rows)
	for i := range failing {
		// A null result (an operand was null) is not a failure: not_null
		// is the check for missing values.
		failing[i] = holds.IsValid(i) && !holds.Value(i)
	}
	return failing, nil
}

func (s *Suite) failingNulls(c *check, batch arrow.RecordBatch) []bool {
	failing := make([]bool, batch.NumRows())
	for _, col := range c.shown {
		arr := batch.Column(col)
		if arr.NullN() == 0 {
			continue
		}
		for i := range failing {
			failing[i] = failing[i] || arr.IsNull(i)
		}
	}
	return failing
}

func (s *Suite) failingValues(c *check, batch arrow.RecordBatch) []bool {
	arr := batch.Column(c.shown[0])
	failing := make([]bool, batch.NumRows())
	for i := range failing {
		failing[i] = arr.IsValid(i) && !c.accepted(arr, i)
	}
	return failing
}

// sampleValues captures the shown values of the first failing rows of a
// row-level check; dedup drops few rows, so twice MaxSamples candidates are
// plenty. Key checks only know their failing rows in stream order, so the
// Tally samples them by line.
func (s *Suite) sampleValues(c *check, batch arrow.RecordBatch, pc *partialCheck) map[int][]report.Value {
	if pc.failing == nil {
		return nil
	}
	samples := map[int][]report.Value{}
	for i := 0; i < len(pc.failing) && len(samples) < 2*MaxSamples; i++ {
		if pc.failing[i] {
			samples[i] = shownValues(c, batch, i)
		}
	}
	return samples
}

func shownValues(c *check, batch arrow.RecordBatch, row int) []report.Value {
	values := make([]report.Value, 0, len(c.shown))
	for _, col := range c.shown {
		arr := batch.Column(col)
		v := stages.FormatValue(arr, row)
		if arr.IsNull(row) {
			v = "null"
		}
		values = append(values, report.Value{Name: batch.Schema().Field(col).Name, Value: v})
	}
	return values
}
