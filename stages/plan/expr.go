package plan

// ExprKind says which fields of an Expr are meaningful.
type ExprKind uint8

const (
	ExprInvalid ExprKind = iota
	// ExprColumn reads a column by name (Column): `col.age`.
	ExprColumn
	// ExprSelf reads the column being defined, after its source text has been
	// cleaned and cast: `self` inside a column's `expr`, and the implicit
	// argument of every function in a `clean` list.
	ExprSelf
	// ExprLiteral is a constant (Value).
	ExprLiteral
	// ExprCall applies the builtin Func to Args.
	ExprCall
	// ExprUnary applies Op (OpNot, OpNeg) to Args[0].
	ExprUnary
	// ExprBinary applies Op to Args[0] and Args[1].
	ExprBinary
	// ExprCond is `Args[0] ? Args[1] : Args[2]`.
	ExprCond
)

// Op is an operator of a unary or binary expression.
type Op uint8

const (
	OpInvalid Op = iota
	OpAdd
	OpSub
	OpMul
	OpDiv
	OpMod
	OpEq
	OpNe
	OpLt
	OpLe
	OpGt
	OpGe
	OpAnd
	OpOr
	OpNot
	OpNeg
)

var opSymbols = [...]string{
	OpInvalid: "?", OpAdd: "+", OpSub: "-", OpMul: "*", OpDiv: "/", OpMod: "%",
	OpEq: "==", OpNe: "!=", OpLt: "<", OpLe: "<=", OpGt: ">", OpGe: ">=",
	OpAnd: "&&", OpOr: "||", OpNot: "!", OpNeg: "-",
}

// String returns the operator as written in a pipeline file.
func (o Op) String() string {
	if int(o) < len(opSymbols) {
		return opSymbols[o]
	}
	return "?"
}

// Expr is a node of a compiled columnar expression. The compiler has resolved
// every name and checked every type: Type is the type of the node's result,
// and the engine evaluates the tree over whole Arrow arrays, never row by row.
//
// Null semantics are SQL's: an operator or function with a null operand yields
// null, except is_null, coalesce, `&&`/`||` (three-valued logic) and the
// comparisons `x == null` / `x != null`, which the compiler rewrites to
// is_null.
type Expr struct {
	Kind   ExprKind `json:"kind"`
	Type   Type     `json:"type"`
	Column string   `json:"column,omitempty"` // ExprColumn
	Value  Value    `json:"value"`            // ExprLiteral
	Func   string   `json:"func,omitempty"`   // ExprCall: a name in Builtins
	Op     Op       `json:"op,omitempty"`     // ExprUnary, ExprBinary
	Args   []*Expr  `json:"args,omitempty"`
	Range  Range    `json:"range"`
}

// Columns returns the names of the columns e reads, each once, in the order
// they first appear. ExprSelf is not a column reference.
func (e *Expr) Columns() []string {
	var names []string
	seen := map[string]bool{}
	e.Walk(func(n *Expr) {
		if n.Kind == ExprColumn && !seen[n.Column] {
			seen[n.Column] = true
			names = append(names, n.Column)
		}
	})
	return names
}

// UsesSelf reports whether e reads `self`.
func (e *Expr) UsesSelf() bool {
	found := false
	e.Walk(func(n *Expr) { found = found || n.Kind == ExprSelf })
	return found
}

// Walk calls fn for e and every node below it, parents before children.
func (e *Expr) Walk(fn func(*Expr)) {
	if e == nil {
		return
	}
	fn(e)
	for _, a := range e.Args {
		a.Walk(fn)
	}
}

// String renders e in pipeline-file syntax, fully parenthesised where
// operators nest, for plans, reports and test failures.
func (e *Expr) String() string {
	if e == nil {
		return ""
	}
	switch e.Kind {
	case ExprColumn:
		return "col." + e.Column
	case ExprSelf:
		return "self"
	case ExprLiteral:
		return e.Value.String()
	case ExprCall:
		s := e.Func + "("
		for i, a := range e.Args {
			if i > 0 {
				s += ", "
			}
			s += a.String()
		}
		return s + ")"
	case ExprUnary:
		return e.Op.String() + operand(e.Args[0])
	case ExprBinary:
		return operand(e.Args[0]) + " " + e.Op.String() + " " + operand(e.Args[1])
	case ExprCond:
		return operand(e.Args[0]) + " ? " + operand(e.Args[1]) + " : " + operand(e.Args[2])
	}
	return "<invalid>"
}

func operand(e *Expr) string {
	if e.Kind == ExprBinary || e.Kind == ExprCond {
		return "(" + e.String() + ")"
	}
	return e.String()
}
