package eval

import (
	"bytes"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/bitutil"

	"runner/stages/plan"
)

// impl is how a builtin runs: a string-to-string function is a text step
// (calls of them that nest are fused into one pass); every other function
// has a kernel.
type impl struct {
	step   stepFactory
	kernel factory
	// seesNulls is set for the functions that look at nulls (is_null,
	// coalesce); every other function yields null for a null argument.
	seesNulls bool
}

// impls holds one implementation per builtin of plan.Builtins (a test
// checks that the two sets are equal). Read-only after initialisation.
var impls = map[string]impl{
	"trim":            {step: fixedStep(sameLength, appendTrim)},
	"collapse_spaces": {step: fixedStep(sameLength, appendCollapse)},
	"lower":           {step: fixedStep(caseLength, appendLower)},
	"upper":           {step: fixedStep(caseLength, appendUpper)},
	"title":           {step: fixedStep(caseLength, appendTitle)},
	"person_name":     {step: fixedStep(caseLength, appendPersonName)},
	"strip_dangling":  {step: stripDanglingStep},
	"replace":         {step: replaceStep},
	"substr":          {step: substrStep},
	"regex_replace":   {kernel: regexReplaceFactory},
	"concat":          {kernel: concatFactory},
	"format":          {kernel: formatFactory},
	"coalesce":        {kernel: coalesceFactory, seesNulls: true},
	"round":           {kernel: roundFactory},
	"abs":             {kernel: absFactory},
	"parse_date":      {kernel: parseDateFactory},
	"parse_timestamp": {kernel: parseTimestampFactory},
	"days_between":    {kernel: daysBetweenFactory},
	"contains":        {kernel: containsFactory},
	"length":          {kernel: lengthKernel},
	"is_null":         {kernel: isNullFactory, seesNulls: true},
	"sha256":          {kernel: sha256Factory},
}

func coalesceFactory(c *call) (kernel, error) { return coalesceKernel(c.result, c.types), nil }

// containsFactory: substring search, or membership of a list literal
// indexed once in a hash set.
func containsFactory(c *call) (kernel, error) {
	if c.types[0] == plan.TypeStringList {
		set := make(map[string]struct{}, len(c.consts[0].list))
		for _, s := range c.consts[0].list {
			set[s] = struct{}{}
		}
		return func(ec *evalCtx, args []value) (arrow.Array, error) {
			needle := viewStrings(args[1])
			return boolsOf(ec, func(i int) bool {
				_, ok := set[string(needle.at(i))]
				return ok
			}, args[1].arr), nil
		}, nil
	}
	return func(ec *evalCtx, args []value) (arrow.Array, error) {
		hay, needle := viewStrings(args[0]), viewStrings(args[1])
		return boolsOf(ec, func(i int) bool { return bytes.Contains(hay.at(i), needle.at(i)) }, args[0].arr, args[1].arr), nil
	}, nil
}

// boolsOf builds a bool array of f(i) for the rows valid in every one of
// arrs (the others are null).
func boolsOf(ec *evalCtx, f func(int) bool, arrs ...arrow.Array) arrow.Array {
	n := ec.rows
	validity := andValidity(ec.mem, n, arrs...)
	var vbits []byte
	if validity != nil {
		vbits = validity.Bytes()
	}
	vals := newBitmap(ec.mem, n)
	out := vals.Bytes()
	for i := 0; i < n; i++ {
		if validAt(vbits, 0, i) && f(i) {
			bitutil.SetBit(out, i)
		}
	}
	return makeArray(arrow.FixedWidthTypes.Boolean, n, validity, vals)
}

// isNullFactory: whether each value is null; never null itself.
func isNullFactory(*call) (kernel, error) {
	return func(ec *evalCtx, args []value) (arrow.Array, error) {
		n := ec.rows
		vals := newBitmap(ec.mem, n)
		v := args[0]
		switch {
		case v.arr == nil:
			bitutil.SetBitsTo(vals.Bytes(), 0, int64(n), v.sc.null)
		default:
			if bits, off := bitsOf(v.arr); bits != nil {
				bitutil.InvertBitmap(bits, off, n, vals.Bytes(), 0)
			}
		}
		return makeArray(arrow.FixedWidthTypes.Boolean, n, nil, vals), nil
	}, nil
}
