package schemas

import (
	"fmt"
	"math/big"
	"time"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"

	"runner/schemas/diag"
	"runner/stages/plan"
)

// settings decodes the attributes of one block whose values are known before
// any row is read. Each getter returns the default when the attribute is
// absent, null, unresolved or wrong, and collects every problem in diags, so
// a decoder reads like a list of its attributes.
type settings struct {
	ev       *evaluator
	block    string
	attrs    map[string]*hclsyntax.Attribute
	required map[string]bool
	diags    diag.Diagnostics
}

func newSettings(ev *evaluator, block string, c blockContent) *settings {
	return &settings{ev: ev, block: block, attrs: c.Attributes, required: c.Required}
}

func (s *settings) has(name string) bool {
	_, ok := s.attrs[name]
	return ok
}

// exprRange is the range of the attribute's value.
func (s *settings) exprRange(name string) hcl.Range {
	return s.attrs[name].Expr.Range()
}

// what names an attribute in messages: "source.path".
func (s *settings) what(name string) string { return s.block + "." + name }

// evaluated evaluates the attribute. ok is false when it is absent, null,
// unknown or failed to evaluate. A required attribute that is null is an
// error: null would otherwise stand for "not set" and slip past the check that
// it is there; noun says what it must be instead.
func (s *settings) evaluated(name, noun string) (cty.Value, bool) {
	attr, ok := s.attrs[name]
	if !ok {
		return cty.NilVal, false
	}
	v, ds := s.ev.eval(attr.Expr, s.what(name))
	s.diags = append(s.diags, ds...)
	if !ds.HasErrors() && v.IsNull() && s.required[name] {
		s.invalid(name, "%s is required and cannot be null; it must be %s.", s.what(name), noun)
	}
	if ds.HasErrors() || v.IsNull() || !v.IsWhollyKnown() {
		return cty.NilVal, false
	}
	return v, true
}

// value evaluates the attribute and converts it to ty (noun says what ty is,
// for the message). ok is false when the attribute is absent, null, unknown
// or could not be converted.
func (s *settings) value(name string, ty cty.Type, noun string) (cty.Value, bool) {
	v, ok := s.evaluated(name, noun)
	if !ok {
		return cty.NilVal, false
	}
	cv, err := convert.Convert(v, ty)
	if err != nil {
		s.wrongType(name, noun, v)
		return cty.NilVal, false
	}
	return cv, true
}

// exactStrOK reads a string that must be written as one: where strOK would
// turn a number or a bool into its text (42 into "42"), this reports it, for a
// setting where a number is surely a mistake. noun says what the string is.
func (s *settings) exactStrOK(name, noun string) (string, bool) {
	v, ok := s.evaluated(name, noun)
	if !ok {
		return "", false
	}
	if v.Type() != cty.String {
		s.wrongType(name, noun, v)
		return "", false
	}
	return v.AsString(), true
}

// wrongType reports a value that is not of the type the attribute needs.
func (s *settings) wrongType(name, noun string, v cty.Value) {
	s.diags = append(s.diags, errorAt(s.exprRange(name), "Incorrect value type",
		"%s must be %s; this is %s.", s.what(name), noun, friendlyType(v.Type())))
}

func (s *settings) str(name, def string) string {
	if v, ok := s.strOK(name); ok {
		return v
	}
	return def
}

// strOK reads a string; ok is false when it is absent or not valid, so that
// a caller validating the text does not pile a second problem onto the first.
func (s *settings) strOK(name string) (string, bool) {
	v, ok := s.value(name, cty.String, "a string")
	if !ok {
		return "", false
	}
	return v.AsString(), true
}

func (s *settings) boolean(name string, def bool) bool {
	v, ok := s.value(name, cty.Bool, "true or false")
	if !ok {
		return def
	}
	return v.True()
}

// integer reads a whole number from lo to hi.
func (s *settings) integer(name string, def, lo, hi int64) int64 {
	v, ok := s.value(name, cty.Number, "a number")
	if !ok {
		return def
	}
	n, exact := wholeNumber(v.AsBigFloat())
	if !exact || n < lo || n > hi {
		s.invalid(name, "%s must be a whole number from %d to %d; got %s.", s.what(name), lo, hi, v.AsBigFloat().Text('g', -1))
		return def
	}
	return n
}

// strs reads a list of strings.
func (s *settings) strs(name string, def []string) []string {
	v, ok := s.value(name, cty.List(cty.String), "a list of strings")
	if !ok {
		return def
	}
	out := []string{}
	for _, e := range v.AsValueSlice() {
		if e.IsNull() {
			s.invalid(name, "%s cannot hold null; write \"\" for an empty string.", s.what(name))
			return def
		}
		out = append(out, e.AsString())
	}
	return out
}

// char reads a one-byte character; "" gives 0 when allowEmpty.
func (s *settings) char(name string, def byte, allowEmpty bool) byte {
	if !s.has(name) {
		return def
	}
	v := s.str(name, string(def))
	switch {
	case v == "" && allowEmpty:
		return 0
	case len(v) != 1 || v == "\n" || v == "\r":
		want := "one single-byte character other than a line break"
		if allowEmpty {
			want += `, or "" to turn it off`
		}
		s.invalid(name, "%s must be %s; %q is %s.", s.what(name), want, v, plural(len(v), "byte"))
		return def
	}
	return v[0]
}

// duration reads a positive Go duration such as "30s" or "2m".
func (s *settings) duration(name string, def time.Duration) time.Duration {
	if !s.has(name) {
		return def
	}
	text := s.str(name, "")
	d, err := time.ParseDuration(text)
	switch {
	case err != nil:
		s.invalid(name, "%s must be a duration such as \"30s\", \"2m\" or \"1h30m\"; %q is not one.", s.what(name), text)
		return def
	case d <= 0:
		s.invalid(name, "%s must be longer than zero; got %q.", s.what(name), text)
		return def
	}
	return d
}

// limit reads a tolerance: a share in (0, 1), a whole count, 0 for none, or
// "unlimited".
func (s *settings) limit(name string, def plan.Limit) plan.Limit {
	attr, ok := s.attrs[name]
	if !ok {
		return def
	}
	if hcl.ExprAsKeyword(attr.Expr) == "unlimited" {
		return plan.Limit{Unlimited: true}
	}
	v, ok := s.evaluated(name, "a tolerance")
	if !ok {
		return def
	}
	if v.Type() == cty.String && v.AsString() == "unlimited" {
		return plan.Limit{Unlimited: true}
	}
	if v.Type() != cty.Number {
		s.invalid(name, "%s is a share of rows below 1 (0.01), a whole number of rows (100), 0 for none, or \"unlimited\"; this is %s.", s.what(name), friendlyType(v.Type()))
		return def
	}
	f := v.AsBigFloat()
	n, whole := wholeNumber(f)
	share, _ := f.Float64()
	switch {
	case f.Sign() < 0:
		s.invalid(name, "%s cannot be negative. Use 0 to tolerate no bad rows, a share below 1 (0.01 is 1%%), or a whole number of rows.", s.what(name))
	case share > 0 && share < 1:
		return plan.Limit{Share: share}
	case whole:
		return plan.Limit{Count: n}
	default:
		s.invalid(name, "%s is either a share below 1 (0.01 is 1%%) or a whole number of rows; %s is neither.", s.what(name), f.Text('g', -1))
	}
	return def
}

// keywordExpr reads one keyword, written as a string ("replace") or bare
// (replace). summary heads a diagnostic ("Invalid mode") and noun names the
// value in its detail ("mode"). ok is false when expr is not one of
// spellings (reported) or not known.
func (s *settings) keywordExpr(expr hclsyntax.Expression, what, summary, noun string, spellings []string) (string, bool) {
	word := hcl.ExprAsKeyword(expr)
	if word == "" {
		v, ds := s.ev.eval(expr, what)
		s.diags = append(s.diags, ds...)
		if ds.HasErrors() || v.IsNull() || !v.IsWhollyKnown() {
			return "", false
		}
		if v.Type() != cty.String {
			s.diags = append(s.diags, errorAt(expr.Range(), summary,
				"%s must be one of %s; this is %s.", what, quotedList(spellings, "or"), friendlyType(v.Type())))
			return "", false
		}
		word = v.AsString()
	}
	for _, sp := range spellings {
		if sp == word {
			return word, true
		}
	}
	s.diags = append(s.diags, errorAt(expr.Range(), summary,
		"%q is not %s %s.%s Use %s.", word, article(noun), noun, didYouMean(word, spellings), quotedList(spellings, "or")))
	return "", false
}

// keywordSetting reads an enum attribute through plan.ParseKeyword, so the
// accepted spellings are the plan's own; noun names a value in messages.
func keywordSetting[E interface {
	~uint8
	String() string
}](s *settings, name, noun string, candidates []E, def E) E {
	attr, ok := s.attrs[name]
	if !ok {
		return def
	}
	word, ok := s.keywordExpr(attr.Expr, s.what(name), "Invalid "+name, noun, plan.Spellings(candidates))
	if !ok {
		return def
	}
	v, _ := plan.ParseKeyword(word, candidates)
	return v
}

func (s *settings) invalid(name, detail string, args ...any) {
	s.diags = append(s.diags, errorAt(s.exprRange(name), "Invalid "+name, detail, args...))
}

// wholeNumber returns f as an int64 when it is a whole number that fits.
func wholeNumber(f *big.Float) (int64, bool) {
	if !f.IsInt() {
		return 0, false
	}
	n, acc := f.Int64()
	return n, acc == big.Exact
}

// friendlyType names a cty type for messages: "a string", "a number".
func friendlyType(t cty.Type) string {
	switch {
	case t == cty.String:
		return "a string"
	case t == cty.Number:
		return "a number"
	case t == cty.Bool:
		return "a boolean"
	case t.IsListType(), t.IsTupleType(), t.IsSetType():
		return "a list"
	case t.IsObjectType(), t.IsMapType():
		return "an object"
	}
	return fmt.Sprintf("a value of type %s", t.FriendlyName())
}
