package eval

import (
	"errors"
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"runner/stages"
	"runner/stages/plan"
)

// Program is a compiled expression, ready to evaluate batch after batch.
type Program struct {
	expr *plan.Expr
	root node
}

// Env is what one evaluation reads.
type Env struct {
	// Rows is the number of rows of the batch; every array read has this
	// length, and so has the result.
	Rows int
	// Self is the value of ExprSelf; nil when the expression does not use it.
	Self arrow.Array
	// Columns returns the columns ExprColumn reads, by name, borrowed for
	// the duration of Eval.
	Columns func(name string) arrow.Array
}

// BatchEnv is the Env of an expression over the columns of batch, which it
// borrows.
func BatchEnv(batch arrow.RecordBatch) Env {
	schema := batch.Schema()
	return Env{Rows: int(batch.NumRows()), Columns: func(name string) arrow.Array {
		idx := schema.FieldIndices(name)
		if len(idx) != 1 {
			return nil
		}
		return batch.Column(idx[0])
	}}
}

// Compile prepares e once: it checks every node's kind and type, picks a
// kernel per node and folds constant parameters and constant subtrees.
func Compile(e *plan.Expr) (*Program, error) {
	if e == nil {
		return nil, errors.New("eval: compile: no expression")
	}
	// Printing an expression walks it, so missing nodes are found first.
	if err := checkTree(e); err != nil {
		return nil, fmt.Errorf("eval: compile: %w", err)
	}
	root, err := compileNode(e)
	if err != nil {
		return nil, fmt.Errorf("eval: compile %s: %w", e, err)
	}
	return &Program{expr: e, root: root}, nil
}

// Type is the logical type of the values Eval returns.
func (p *Program) Type() plan.Type { return p.expr.Type }

// String renders the expression the program evaluates.
func (p *Program) String() string { return p.expr.String() }

// Eval returns an array of env.Rows values of type
// stages.ArrowType(p.Type(), scale), owned by the caller. scale is the scale
// of the decimals the expression reads (the largest, when it reads several);
// a null-typed expression yields an all-null utf8 array.
func (p *Program) Eval(mem memory.Allocator, env Env) (arrow.Array, error) {
	if env.Rows < 0 {
		return nil, fmt.Errorf("eval %s: negative row count %d", p.expr, env.Rows)
	}
	ec := &evalCtx{mem: mem, env: &env, rows: env.Rows}
	v, err := p.root.eval(ec)
	if err != nil {
		return nil, fmt.Errorf("eval %s: %w", p.expr, err)
	}
	if v.arr != nil {
		return v.arr, nil
	}
	arr, err := materialise(mem, v.sc, env.Rows)
	if err != nil {
		return nil, fmt.Errorf("eval %s: %w", p.expr, err)
	}
	return arr, nil
}

// evalCtx is the state of one evaluation.
type evalCtx struct {
	mem  memory.Allocator
	env  *Env
	rows int
	// fold is set while Compile evaluates a constant subtree over one row.
	// Literals other than null then evaluate to one-row arrays: kernels are
	// written for arrays, with scalars beside them.
	fold bool
}

// value is what a node yields: an array of ec.rows values that the
// evaluation owns, or a scalar that stands for ec.rows copies of itself.
type value struct {
	arr arrow.Array
	sc  *scalar
}

func (v value) release() {
	if v.arr != nil {
		v.arr.Release()
	}
}

// isNull reports whether v is a null scalar.
func (v value) isNull() bool { return v.arr == nil && v.sc.null }

// node is a compiled expression node.
type node interface {
	eval(ec *evalCtx) (value, error)
}

// kernel computes a node's array from its arguments' values. It borrows
// args and returns an array owned by the caller.
type kernel func(ec *evalCtx, args []value) (arrow.Array, error)

// litNode is a constant.
type litNode struct{ sc *scalar }

func (n *litNode) eval(ec *evalCtx) (value, error) {
	// A null stays a scalar even when folding: kernels recognise it without
	// an array (whose type a null literal does not have).
	if !ec.fold || n.sc.null {
		return value{sc: n.sc}, nil
	}
	arr, err := materialise(ec.mem, n.sc, ec.rows)
	if err != nil {
		return value{}, err
	}
	return value{arr: arr}, nil
}

// columnNode reads a column of the batch.
type columnNode struct {
	name string
	typ  plan.Type
}

func (n *columnNode) eval(ec *evalCtx) (value, error) {
	if ec.env.Columns == nil {
		return value{}, fmt.Errorf("column %q: the environment has no columns", n.name)
	}
	arr := ec.env.Columns(n.name)
	if arr == nil {
		return value{}, fmt.Errorf("column %q is not in the batch", n.name)
	}
	if err := checkInput(arr, n.typ, ec.rows); err != nil {
		return value{}, fmt.Errorf("column %q: %w", n.name, err)
	}
	arr.Retain()
	return value{arr: arr}, nil
}

// selfNode reads the column being defined.
type selfNode struct{ typ plan.Type }

func (n *selfNode) eval(ec *evalCtx) (value, error) {
	if ec.env.Self == nil {
		return value{}, errors.New("self: the environment has no value for self")
	}
	if err := checkInput(ec.env.Self, n.typ, ec.rows); err != nil {
		return value{}, fmt.Errorf("self: %w", err)
	}
	ec.env.Self.Retain()
	return value{arr: ec.env.Self}, nil
}

// checkInput verifies that an input array has the Arrow type of t and the
// batch's length: a mismatch is a wiring mistake that would otherwise read
// memory as the wrong type.
func checkInput(arr arrow.Array, t plan.Type, rows int) error {
	want, err := stages.ArrowType(t, 0)
	if err != nil {
		return err
	}
	got := arr.DataType()
	same := got.ID() == want.ID()
	switch t {
	case plan.TypeTimestamp:
		ts, ok := got.(*arrow.TimestampType)
		same = ok && ts.Unit == arrow.Millisecond
	case plan.TypeDecimal128:
		_, same = got.(*arrow.Decimal128Type)
	}
	if !same {
		return fmt.Errorf("is %s, want %s for type %s", got, want, t)
	}
	if arr.Len() != rows {
		return fmt.Errorf("has %d values, the batch has %d rows", arr.Len(), rows)
	}
	return nil
}

// opNode applies a kernel to its evaluated arguments.
type opNode struct {
	// what names the operator or function in errors.
	what string
	args []node
	// nullType is set for kernels whose result is null whenever an argument
	// is: a null literal argument then yields an all-null array of this type
	// without running the kernel.
	nullType arrow.DataType
	run      kernel
	// steps is set when the node is a chain of text steps over args[0],
	// which run computes in one pass.
	steps []textStep
}

func (n *opNode) eval(ec *evalCtx) (value, error) {
	var buf [4]value
	args := buf[:0]
	defer func() {
		for _, a := range args {
			a.release()
		}
	}()
	for _, a := range n.args {
		v, err := a.eval(ec)
		if err != nil {
			return value{}, err
		}
		args = append(args, v)
	}
	if n.nullType != nil {
		for _, a := range args {
			if a.isNull() {
				return value{arr: allNull(ec.mem, n.nullType, ec.rows)}, nil
			}
		}
	}
	arr, err := n.run(ec, args)
	if err != nil {
		return value{}, fmt.Errorf("%s: %w", n.what, err)
	}
	return value{arr: arr}, nil
}

// constNode is an argument a kernel captured when it was compiled (a
// constant parameter): it evaluates to its scalar and is never materialised.
type constNode struct{ sc *scalar }

func (n *constNode) eval(*evalCtx) (value, error) { return value{sc: n.sc}, nil }

// compileNode compiles e and, when nothing below it reads a column, folds
// it into a literal.
func compileNode(e *plan.Expr) (node, error) {
	switch e.Kind {
	case plan.ExprColumn:
		if e.Column == "" {
			return nil, fmt.Errorf("%sa column reference without a name", where(e))
		}
		if err := checkColumnType(e.Type); err != nil {
			return nil, fmt.Errorf("%scol.%s: %w", where(e), e.Column, err)
		}
		return &columnNode{name: e.Column, typ: e.Type}, nil
	case plan.ExprSelf:
		if e.Type == plan.TypeNull {
			// self of a derived column: null by definition.
			return &litNode{sc: nullScalar(plan.TypeNull)}, nil
		}
		if err := checkColumnType(e.Type); err != nil {
			return nil, fmt.Errorf("%sself: %w", where(e), err)
		}
		return &selfNode{typ: e.Type}, nil
	case plan.ExprLiteral:
		if e.Type == plan.TypeStringList {
			return nil, fmt.Errorf("%sa list can only be a function's argument", where(e))
		}
		sc, err := newScalar(e.Value, e.Type)
		if err != nil {
			return nil, fmt.Errorf("%sliteral %s: %w", where(e), e.Value, err)
		}
		return &litNode{sc: sc}, nil
	case plan.ExprUnary:
		return compileUnary(e)
	case plan.ExprBinary:
		return compileBinary(e)
	case plan.ExprCond:
		return compileCond(e)
	case plan.ExprCall:
		return compileCall(e)
	}
	return nil, fmt.Errorf("%sunknown expression kind %d", where(e), e.Kind)
}

// where prefixes an error with the node's source range, when it has one.
func where(e *plan.Expr) string {
	if e.Range.Filename == "" && e.Range.Start.Line == 0 {
		return ""
	}
	return e.Range.String() + ": "
}

// checkTree reports an operator with the wrong number of operands and a
// missing operand: printing the expression (for errors) relies on both.
func checkTree(e *plan.Expr) error {
	operands := -1
	switch e.Kind {
	case plan.ExprUnary:
		operands = 1
	case plan.ExprBinary:
		operands = 2
	case plan.ExprCond:
		operands = 3
	}
	if operands >= 0 && len(e.Args) != operands {
		return fmt.Errorf("%s%s takes %d operands, got %d", where(e), describe(e), operands, len(e.Args))
	}
	for i, a := range e.Args {
		if a == nil {
			return fmt.Errorf("%s%s: operand %d is missing", where(e), describe(e), i+1)
		}
		if err := checkTree(a); err != nil {
			return err
		}
	}
	return nil
}

// describe names the operator or function of a node in errors.
func describe(e *plan.Expr) string {
	switch e.Kind {
	case plan.ExprUnary, plan.ExprBinary:
		return "operator " + e.Op.String()
	case plan.ExprCond:
		return "conditional"
	}
	return "function " + e.Func
}

func checkColumnType(t plan.Type) error {
	for _, c := range plan.ColumnTypes {
		if c == t {
			return nil
		}
	}
	return fmt.Errorf("%s is not a column type", t)
}

// finish folds n when all its arguments are literals: the subtree is
// evaluated once over one row and replaced by the value it yields.
func finish(n *opNode, t plan.Type) (node, error) {
	for _, a := range n.args {
		switch a.(type) {
		case *litNode, *constNode:
		default:
			return n, nil
		}
	}
	ec := &evalCtx{mem: memory.NewGoAllocator(), env: &Env{Rows: 1}, rows: 1, fold: true}
	v, err := n.eval(ec)
	if err != nil {
		return nil, fmt.Errorf("folding a constant: %w", err)
	}
	defer v.release()
	sc, err := scalarAt(v.arr, 0, t)
	if err != nil {
		return nil, fmt.Errorf("folding a constant: %w", err)
	}
	return &litNode{sc: sc}, nil
}

// arrowTypeOf is the Arrow type of a result of type t whose decimals (if
// any) have scale 0; kernels that produce decimals set their scale.
func arrowTypeOf(t plan.Type) (arrow.DataType, error) {
	if t == plan.TypeNull {
		return arrow.BinaryTypes.String, nil
	}
	return stages.ArrowType(t, 0)
}
