package plan

// keyword is implemented by the enums a pipeline file spells as a string
// ("replace", "warn"); ParseKeyword finds the value for a spelling.
type keyword interface {
	~uint8
	String() string
}

// ParseKeyword returns the value of E whose spelling is s, and false when
// none is. candidates lists every valid value, in documentation order.
func ParseKeyword[E keyword](s string, candidates []E) (E, bool) {
	for _, c := range candidates {
		if c.String() == s {
			return c, true
		}
	}
	var zero E
	return zero, false
}

// Spellings returns how a pipeline file writes each candidate.
func Spellings[E keyword](candidates []E) []string {
	out := make([]string, len(candidates))
	for i, c := range candidates {
		out[i] = c.String()
	}
	return out
}

// Mode says how a run treats what the target collection already holds.
type Mode uint8

const (
	// ModeReplace loads a staging collection, verifies it, and swaps it in
	// for the target; a failed run leaves the previous collection untouched.
	ModeReplace Mode = iota
	// ModeAppend inserts documents whose _id is not there yet; documents
	// already present (from an earlier, interrupted run) are left as they are.
	ModeAppend
	// ModeUpsert replaces documents with the same _id and inserts the others.
	ModeUpsert
)

// Modes lists every mode in documentation order.
var Modes = []Mode{ModeReplace, ModeAppend, ModeUpsert}

func (m Mode) String() string { return [...]string{"replace", "append", "upsert"}[m] }

// Keep says which of several duplicate rows survives.
type Keep uint8

const (
	KeepFirst Keep = iota
	KeepLast
)

// Keeps lists every keep policy in documentation order.
var Keeps = []Keep{KeepFirst, KeepLast}

func (k Keep) String() string { return [...]string{"first", "last"}[k] }

// Severity says what a failed check does to the run.
type Severity uint8

const (
	// SeverityError fails the run (exit code 1) and, in replace mode, keeps
	// the previous collection.
	SeverityError Severity = iota
	// SeverityWarn reports the failure and lets the run succeed.
	SeverityWarn
)

// Severities lists every severity in documentation order.
var Severities = []Severity{SeverityError, SeverityWarn}

func (s Severity) String() string { return [...]string{"error", "warn"}[s] }

// OnError says what a cell that cannot be cast to its column's type does.
type OnError uint8

const (
	// OnErrorReject sends the whole row to the rejects file.
	OnErrorReject OnError = iota
	// OnErrorNull keeps the row with a null in that column.
	OnErrorNull
	// OnErrorDefault keeps the row with the column's default.
	OnErrorDefault
)

// OnErrors lists every policy in documentation order.
var OnErrors = []OnError{OnErrorReject, OnErrorNull, OnErrorDefault}

func (o OnError) String() string { return [...]string{"reject", "null", "default"}[o] }

// CheckKind says what a check verifies.
type CheckKind uint8

const (
	// CheckAssert holds when Assert is true (or null) on every kept row.
	CheckAssert CheckKind = iota
	// CheckUnique holds when no two kept rows share the values of Columns.
	CheckUnique
	// CheckNotNull holds when no kept row has a null in any of Columns.
	CheckNotNull
	// CheckAcceptedValues holds when Columns[0] only holds one of Values (or null).
	CheckAcceptedValues
	// CheckRowCount holds when the number of kept rows is within MinRows and MaxRows.
	CheckRowCount
	// CheckSimilarExcept flags kept rows equal to an earlier kept row in
	// every column but Columns: near-duplicates.
	CheckSimilarExcept
	// CheckInDatabase queries what landed: the count, every document's
	// content and field types, unique _id values, and a sample compared
	// field by field with the rows it came from.
	CheckInDatabase
)

// CheckKinds lists every kind in documentation order.
var CheckKinds = []CheckKind{CheckAssert, CheckUnique, CheckNotNull, CheckAcceptedValues, CheckRowCount, CheckSimilarExcept, CheckInDatabase}

func (k CheckKind) String() string {
	return [...]string{"assert", "unique", "not_null", "accepted_values", "row_count", "similar_except", "in_database"}[k]
}

var exprKindNames = [...]string{
	ExprInvalid: "invalid", ExprColumn: "column", ExprSelf: "self", ExprLiteral: "literal",
	ExprCall: "call", ExprUnary: "unary", ExprBinary: "binary", ExprCond: "conditional",
}

func (k ExprKind) String() string {
	if int(k) < len(exprKindNames) {
		return exprKindNames[k]
	}
	return "invalid"
}

// The enums serialise as their spellings, so that `runner plan -json` and
// golden plans read as the pipeline file does.

func (t Type) MarshalText() ([]byte, error)      { return []byte(t.String()), nil }
func (m Mode) MarshalText() ([]byte, error)      { return []byte(m.String()), nil }
func (k Keep) MarshalText() ([]byte, error)      { return []byte(k.String()), nil }
func (s Severity) MarshalText() ([]byte, error)  { return []byte(s.String()), nil }
func (o OnError) MarshalText() ([]byte, error)   { return []byte(o.String()), nil }
func (k CheckKind) MarshalText() ([]byte, error) { return []byte(k.String()), nil }
func (k ExprKind) MarshalText() ([]byte, error)  { return []byte(k.String()), nil }
func (o Op) MarshalText() ([]byte, error)        { return []byte(o.String()), nil }
