// Package eval owns the evaluation of compiled expressions (plan.Expr) over
// whole Arrow arrays: the columnar kernels behind every operator and every
// builtin function of the pipeline language, and Compile, which turns an
// expression tree into a Program that evaluates one batch at a time.
//
// # Compiling
//
// Compile checks every node against the typing rules of package plan, picks
// one kernel per node and prepares what only has to be prepared once:
// regular expressions are compiled, word lists and string sets indexed, date
// layouts analysed, format layouts parsed. A subtree that reads no column is
// evaluated at compile time and becomes a literal, so kernels never run over
// constants only. Anything a kernel cannot run is a Compile error naming the
// function or operator and the source range, never a panic.
//
// # Evaluating
//
// Program.Eval runs the kernels bottom-up over Env.Rows rows. Literals stay
// scalars during the evaluation; kernels read them in place of an array
// (never materialising copies). The result follows the ownership rule of
// package stages: the caller owns it and releases it once. A bare column
// reference returns the column itself, retained. A Program is immutable, so
// one Program may evaluate several batches concurrently.
//
// # Types and nulls
//
// Each logical type has the Arrow type stages.ArrowType gives it. A
// decimal128 result (a column, a literal, or a conditional or coalesce of
// decimals) keeps its scale; decimals of different scales are brought to the
// largest. An expression of type null (the literal null) evaluates to an
// all-null utf8 array.
//
// Null semantics are SQL's: any operator or function with a null operand
// yields null, except is_null (never null), coalesce (the first non-null
// argument), && and || (three-valued logic: false && null is false, true ||
// null is true) and the conditional, which is null only when its condition
// is null or when the chosen branch is.
//
// Arithmetic follows plan.BinaryResult: integers (int32 widened) compute in
// int64, and a result that overflows int64 is null rather than wrapped;
// anything involving a float64 or a decimal computes in float64, decimals
// being read as unscaled / 10^scale; / always yields float64; dividing or
// taking the modulo by zero yields null; % on integers has the sign of the
// dividend. Comparisons between numbers compare their values: integers as
// int64, anything with a float64 or a decimal as float64 (so two decimals
// that differ only beyond float64's 15 to 17 significant digits compare
// equal), NaN equal to nothing. Strings compare bytewise; dates and
// timestamps compare by value, a date being midnight UTC when compared with
// a timestamp.
//
// # Speed
//
// Kernels loop over Arrow buffers directly. String kernels write straight
// into the output array's offsets and data buffers, with an ASCII fast path
// and a Unicode fallback, and allocate nothing per row; the one exception is
// regex_replace, whose rows that match allocate inside package regexp (a
// pattern that is plain text takes replace's kernel instead). Nested
// string-to-string functions, such as a column's clean list (trim,
// collapse_spaces, person_name), are fused at Compile into one pass that
// builds one array.
package eval
