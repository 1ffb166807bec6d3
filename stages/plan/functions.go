package plan

import (
	"fmt"
	"sort"
	"strings"
)

// Param describes one parameter of a builtin function.
type Param struct {
	Name string
	// Types lists the accepted argument types; empty accepts any scalar type.
	Types []Type
	// Constant parameters must be known when the pipeline is compiled: a
	// literal or a variable, never a column. The engine prepares them once
	// (a regular expression is compiled once, a word list is indexed once).
	Constant bool
	// Optional parameters may be left out; only trailing ones are optional,
	// and the compiler fills in Default.
	Optional bool
	Default  Value
}

// Function is a builtin of the columnar expression language. The compiler
// checks calls against Params and Result; the engine has one kernel per
// Function, keyed by Name.
type Function struct {
	Name    string
	Summary string
	Example string
	Params  []Param
	// Variadic functions accept the last parameter one or more times.
	Variadic bool
	// Result returns the call's type from its argument types, which already
	// satisfy Params, or an explanation of why the combination is invalid.
	Result func(args []Type) (Type, error)
}

// Cleaner reports whether f can stand in a column's `clean` list: it maps a
// string to a string and every parameter after the first is constant.
func (f *Function) Cleaner() bool {
	if len(f.Params) == 0 || f.Variadic {
		return false
	}
	if t, _ := f.Result([]Type{TypeString}); t != TypeString {
		return false
	}
	if !accepts(f.Params[0], TypeString) {
		return false
	}
	for _, p := range f.Params[1:] {
		if !p.Constant {
			return false
		}
	}
	return true
}

// Signature renders f as `name(param type, ...) result` for diagnostics and
// documentation.
func (f *Function) Signature() string {
	var parts []string
	for i, p := range f.Params {
		s := p.Name
		if len(p.Types) > 0 {
			var names []string
			for _, t := range p.Types {
				names = append(names, t.String())
			}
			s += " " + strings.Join(names, "|")
		}
		if p.Optional {
			s = "[" + s + "]"
		}
		if f.Variadic && i == len(f.Params)-1 {
			s += "..."
		}
		parts = append(parts, s)
	}
	return f.Name + "(" + strings.Join(parts, ", ") + ")"
}

func accepts(p Param, t Type) bool {
	if len(p.Types) == 0 {
		return t != TypeStringList
	}
	for _, a := range p.Types {
		if t == a || (t == TypeNull && a != TypeStringList) {
			return true
		}
	}
	return false
}

// Accepts reports whether an argument of type t fits p.
func (p Param) Accepts(t Type) bool { return accepts(p, t) }

var (
	stringOnly   = []Type{TypeString}
	numericTypes = []Type{TypeInt32, TypeInt64, TypeFloat64, TypeDecimal128}
	temporal     = []Type{TypeDate, TypeTimestamp}
	intOnly      = []Type{TypeInt32, TypeInt64}
)

func returns(t Type) func([]Type) (Type, error) {
	return func([]Type) (Type, error) { return t, nil }
}

// numericResult is the type of arithmetic over a and b: int64 when both are
// integers, float64 otherwise (decimals are read as float64).
func numericResult(a, b Type) Type {
	if (a.IsInteger() || a == TypeNull) && (b.IsInteger() || b == TypeNull) {
		return TypeInt64
	}
	return TypeFloat64
}

// CommonType is the type that values of types a and b share in a conditional
// or coalesce: equal types, null and any type, or two numbers (widened).
func CommonType(a, b Type) (Type, bool) {
	switch {
	case a == b:
		return a, true
	case a == TypeNull:
		return b, true
	case b == TypeNull:
		return a, true
	case a.IsNumeric() && b.IsNumeric():
		if a.IsInteger() && b.IsInteger() {
			return TypeInt64, true
		}
		return TypeFloat64, true
	}
	return TypeInvalid, false
}

// BinaryResult returns the type of `a op b`, or an explanation of why the
// operand types do not fit the operator.
func BinaryResult(op Op, a, b Type) (Type, error) {
	switch op {
	case OpAdd, OpSub, OpMul, OpMod:
		if !numericOrNull(a) || !numericOrNull(b) {
			return TypeInvalid, fmt.Errorf("operator %s needs two numbers, got %s and %s", op, a, b)
		}
		return numericResult(a, b), nil
	case OpDiv:
		if !numericOrNull(a) || !numericOrNull(b) {
			return TypeInvalid, fmt.Errorf("operator / needs two numbers, got %s and %s", a, b)
		}
		return TypeFloat64, nil
	case OpEq, OpNe:
		if _, ok := comparedAs(a, b); !ok {
			return TypeInvalid, fmt.Errorf("cannot compare %s with %s", a, b)
		}
		return TypeBool, nil
	case OpLt, OpLe, OpGt, OpGe:
		t, ok := comparedAs(a, b)
		if !ok || t == TypeBool || t == TypeStringList {
			return TypeInvalid, fmt.Errorf("operator %s needs two numbers, strings, dates or timestamps of the same kind, got %s and %s", op, a, b)
		}
		return TypeBool, nil
	case OpAnd, OpOr:
		if (a != TypeBool && a != TypeNull) || (b != TypeBool && b != TypeNull) {
			return TypeInvalid, fmt.Errorf("operator %s needs two booleans, got %s and %s", op, a, b)
		}
		return TypeBool, nil
	}
	return TypeInvalid, fmt.Errorf("%s is not a binary operator", op)
}

// comparedAs returns the type two operands are compared as: their common
// type, or a timestamp when a date meets a timestamp (the date is taken as
// midnight UTC).
func comparedAs(a, b Type) (Type, bool) {
	if a.IsTemporal() && b.IsTemporal() {
		return TypeTimestamp, true
	}
	return CommonType(a, b)
}

// UnaryResult returns the type of `op a`.
func UnaryResult(op Op, a Type) (Type, error) {
	switch op {
	case OpNot:
		if a != TypeBool && a != TypeNull {
			return TypeInvalid, fmt.Errorf("operator ! needs a boolean, got %s", a)
		}
		return TypeBool, nil
	case OpNeg:
		if !numericOrNull(a) {
			return TypeInvalid, fmt.Errorf("operator - needs a number, got %s", a)
		}
		if a == TypeDecimal128 {
			return TypeFloat64, nil
		}
		return a, nil
	}
	return TypeInvalid, fmt.Errorf("%s is not a unary operator", op)
}

func numericOrNull(t Type) bool { return t.IsNumeric() || t == TypeNull }

// DefaultDanglingWords are what strip_dangling removes from either end when
// it is given no list: separators and conjunctions left over when a value was
// cut out of a longer one ("and Sons, Smith and," becomes "Sons, Smith").
var DefaultDanglingWords = []string{",", ";", "&", "-", "and"}

var builtins = []*Function{
	{Name: "trim", Summary: "Removes white space from both ends.",
		Example: `trim(col.name)  # "  Ann  " → "Ann"`,
		Params:  []Param{{Name: "text", Types: stringOnly}}, Result: returns(TypeString)},
	{Name: "collapse_spaces", Summary: "Replaces every run of white space with one space.",
		Example: `collapse_spaces(col.name)  # "Ann   Lee" → "Ann Lee"`,
		Params:  []Param{{Name: "text", Types: stringOnly}}, Result: returns(TypeString)},
	{Name: "lower", Summary: "Converts to lower case.",
		Example: `lower(col.email)  # "Ann@X.org" → "ann@x.org"`,
		Params:  []Param{{Name: "text", Types: stringOnly}}, Result: returns(TypeString)},
	{Name: "upper", Summary: "Converts to upper case.",
		Example: `upper(col.code)  # "ab-1" → "AB-1"`,
		Params:  []Param{{Name: "text", Types: stringOnly}}, Result: returns(TypeString)},
	{Name: "title", Summary: "Upper-cases the first letter of every word and lower-cases the rest.",
		Example: `title(col.city)  # "new YORK" → "New York"`,
		Params:  []Param{{Name: "text", Types: stringOnly}}, Result: returns(TypeString)},
	{Name: "person_name", Summary: "Title-cases a person's name, keeping honorifics, degrees and generational suffixes in their usual form (Mr., Mrs., Dr., MD, DDS, PhD, DVM, Jr., Sr., II, III, IV) and the Mc and O' prefixes.",
		Example: `person_name(col.name)  # "mR. DAVID o'neil md" → "Mr. David O'Neil MD"`,
		Params:  []Param{{Name: "text", Types: stringOnly}}, Result: returns(TypeString)},
	{Name: "strip_dangling", Summary: "Removes the listed punctuation and words from both ends, repeatedly, with the white space around them. Without a list it removes `,` `;` `&` `-` and `and`.",
		Example: `strip_dangling(col.hospital, [",", "and"])  # "and Sons, Smith and," → "Sons, Smith"`,
		Params: []Param{{Name: "text", Types: stringOnly},
			{Name: "words", Types: []Type{TypeStringList}, Constant: true, Optional: true, Default: ListValue(DefaultDanglingWords)}},
		Result: returns(TypeString)},
	{Name: "replace", Summary: "Replaces every occurrence of a substring.",
		Example: `replace(col.amount, "$", "")  # "$12" → "12"`,
		Params: []Param{{Name: "text", Types: stringOnly}, {Name: "old", Types: stringOnly, Constant: true},
			{Name: "new", Types: stringOnly, Constant: true}},
		Result: returns(TypeString)},
	{Name: "regex_replace", Summary: "Replaces every match of a regular expression (RE2 syntax); the replacement may use $1 for groups.",
		Example: `regex_replace(col.phone, "[^0-9]", "")  # "(555) 010-99" → "55501099"`,
		Params: []Param{{Name: "text", Types: stringOnly}, {Name: "pattern", Types: stringOnly, Constant: true},
			{Name: "replacement", Types: stringOnly, Constant: true}},
		Result: returns(TypeString)},
	{Name: "substr", Summary: "Takes length characters starting at start (0-based); a negative start counts from the end, and without a length it takes the rest.",
		Example: `substr(col.zip, 0, 3)  # "75012" → "750"`,
		Params: []Param{{Name: "text", Types: stringOnly}, {Name: "start", Types: intOnly, Constant: true},
			{Name: "length", Types: intOnly, Constant: true, Optional: true, Default: IntValue(-1)}},
		Result: returns(TypeString)},
	{Name: "concat", Summary: "Joins the text form of its arguments; null if any argument is null.",
		Example: `concat(col.first, " ", col.last)  # "Ann", "Lee" → "Ann Lee"`,
		Params:  []Param{{Name: "value"}}, Variadic: true, Result: returns(TypeString)},
	{Name: "format", Summary: "Formats values with a printf-style layout: %s (text), %d (integer), %f or %.2f (number), %v (any), %% (a percent sign).",
		Example: `format("%s-%04d", col.ward, col.room)  # "B", 7 → "B-0007"`,
		Params:  []Param{{Name: "layout", Types: stringOnly, Constant: true}, {Name: "value"}}, Variadic: true,
		Result: returns(TypeString)},
	{Name: "coalesce", Summary: "Returns the first argument that is not null.",
		Example: `coalesce(col.nickname, col.name, "unknown")`,
		Params:  []Param{{Name: "value"}}, Variadic: true,
		Result: func(args []Type) (Type, error) {
			t := TypeNull
			for _, a := range args {
				c, ok := CommonType(t, a)
				if !ok {
					return TypeInvalid, fmt.Errorf("coalesce needs arguments of one type, got %s and %s", t, a)
				}
				t = c
			}
			return t, nil
		}},
	{Name: "round", Summary: "Rounds half away from zero to the given number of decimal places (0 by default). Integers are returned unchanged.",
		Example: `round(col.billing_amount, 2)  # 18856.2813 → 18856.28`,
		Params: []Param{{Name: "number", Types: numericTypes},
			{Name: "digits", Types: intOnly, Constant: true, Optional: true, Default: IntValue(0)}},
		Result: func(args []Type) (Type, error) {
			if args[0].IsInteger() {
				return args[0], nil
			}
			return TypeFloat64, nil
		}},
	{Name: "abs", Summary: "The absolute value.",
		Example: `abs(col.balance)  # -3.5 → 3.5`,
		Params:  []Param{{Name: "number", Types: numericTypes}},
		Result: func(args []Type) (Type, error) {
			if args[0] == TypeDecimal128 {
				return TypeFloat64, nil
			}
			return args[0], nil
		}},
	{Name: "parse_date", Summary: "Parses text as a date with a Go layout (2006-01-02 is the reference date), as a date column's cast does: surrounding spaces are ignored, and text that does not match is null.",
		Example: `parse_date(col.visit, "02/01/2006")  # "31/01/2024" → 2024-01-31`,
		Params:  []Param{{Name: "text", Types: stringOnly}, {Name: "layout", Types: stringOnly, Constant: true}},
		Result:  returns(TypeDate)},
	{Name: "parse_timestamp", Summary: "Parses text as a timestamp with a Go layout, in the given IANA zone when the layout has none (UTC by default), as a timestamp column's cast does: surrounding spaces are ignored, and text that does not match is null.",
		Example: `parse_timestamp(col.seen, "2006-01-02 15:04", "Europe/Paris")`,
		Params: []Param{{Name: "text", Types: stringOnly}, {Name: "layout", Types: stringOnly, Constant: true},
			{Name: "zone", Types: stringOnly, Constant: true, Optional: true, Default: StringValue("UTC")}},
		Result: returns(TypeTimestamp)},
	{Name: "days_between", Summary: "Whole days from the first date or timestamp to the second (negative when the second is earlier).",
		Example: `days_between(col.admitted_on, col.discharged_on)  # 2024-01-31, 2024-02-02 → 2`,
		Params:  []Param{{Name: "from", Types: temporal}, {Name: "to", Types: temporal}},
		Result:  returns(TypeInt32)},
	{Name: "contains", Summary: "Whether the text contains the substring, or whether a list of strings contains the value.",
		Example: `contains(["A+", "A-", "B+"], col.blood_type)`,
		Params:  []Param{{Name: "haystack", Types: []Type{TypeString, TypeStringList}}, {Name: "needle", Types: stringOnly}},
		Result:  returns(TypeBool)},
	{Name: "length", Summary: "The number of characters.",
		Example: `length(col.name)  # "Zoë" → 3`,
		Params:  []Param{{Name: "text", Types: stringOnly}}, Result: returns(TypeInt32)},
	{Name: "is_null", Summary: "Whether the value is null. Never null itself.",
		Example: `is_null(col.discharged_on)`,
		Params:  []Param{{Name: "value"}}, Result: returns(TypeBool)},
	{Name: "sha256", Summary: "The SHA-256 of the value's text form, as 64 hexadecimal digits: a stable pseudonym for a sensitive value (concatenate a secret salt to resist guessing).",
		Example: `sha256(concat(var.salt, col.name))`,
		Params:  []Param{{Name: "value"}}, Result: returns(TypeString)},
}

// Builtin returns the builtin function with the given name.
func Builtin(name string) (*Function, bool) {
	for _, f := range builtins {
		if f.Name == name {
			return f, true
		}
	}
	return nil, false
}

// Builtins returns every builtin function, sorted by name.
func Builtins() []*Function {
	out := append([]*Function(nil), builtins...)
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}
