package eval

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"runner/stages/plan"
	"runner/stages/stagetest"
)

// batchRows is the size of the benchmark batches, the engine's default.
const batchRows = 8192

var (
	firstNames = []string{"Bobby", "Leslie", "Danny", "Andrew", "Adrienne", "Emily", "Connor", "Natalie", "Kevin", "Tyler", "Mary-Jane", "David"}
	lastNames  = []string{"Jackson", "Terry", "Smith", "Watts", "Bell", "Jones", "Hansen", "Gamble", "Simmons", "Taylor", "McDonald", "O'Neil"}
	extras     = []string{"Mr.", "Mrs.", "Ms.", "Dr.", "MD", "DDS", "PhD", "Jr.", "III"}
	hospitals  = []string{"Sons and Miller", "Kim Inc", "Cook PLC", "Hernandez Rogers and Vang,", "and Sons Smith",
		"Nelson Walker Myers, and", "and Howell Brooks, Rogers", "Group Delgado", "Evans Ltd", "Cline-Williams"}
)

// scramble writes s in the dataset's random casing.
func scramble(rng *rand.Rand, s string) string {
	b := []byte(s)
	for i, c := range b {
		if rng.IntN(2) == 0 {
			b[i] = upperTable[c]
		} else {
			b[i] = lowerTable[c]
		}
	}
	return string(b)
}

// benchNames returns n names shaped like the dataset's: mixed case,
// sometimes an honorific or a suffix, sometimes doubled spaces.
func benchNames(n int) []string {
	rng := rand.New(rand.NewPCG(1, 2))
	out := make([]string, n)
	for i := range out {
		name := firstNames[rng.IntN(len(firstNames))] + " " + lastNames[rng.IntN(len(lastNames))]
		switch rng.IntN(8) {
		case 0:
			name = extras[rng.IntN(4)] + " " + name
		case 1:
			name += " " + extras[4+rng.IntN(5)]
		case 2:
			name = " " + strings.Replace(name, " ", "  ", 1) + " "
		}
		out[i] = scramble(rng, name)
	}
	return out
}

func benchHospitals(n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = hospitals[i%len(hospitals)]
	}
	return out
}

// benchColumns builds the columns the benchmarks read.
func benchColumns(mem memory.Allocator) map[string]arrow.Array {
	rng := rand.New(rand.NewPCG(3, 4))
	cols := map[string]arrow.Array{
		"name":     stringsArray(mem, benchNames(batchRows)),
		"hospital": stringsArray(mem, benchHospitals(batchRows)),
	}
	ages, rooms := array.NewInt32Builder(mem), array.NewInt32Builder(mem)
	bills, rates := array.NewFloat64Builder(mem), array.NewFloat64Builder(mem)
	in, out := array.NewDate32Builder(mem), array.NewDate32Builder(mem)
	dates, blood := array.NewStringBuilder(mem), array.NewStringBuilder(mem)
	bloodTypes := []string{"A+", "A-", "B+", "B-", "AB+", "AB-", "O+", "O-"}
	for i := 0; i < batchRows; i++ {
		ages.Append(int32(rng.IntN(140) - 10))
		rooms.Append(int32(100 + rng.IntN(400)))
		bills.Append(rng.Float64()*50000 - 1000)
		rates.Append(rng.Float64() + 0.5)
		d := arrow.Date32(17897 + rng.IntN(1800))
		in.Append(d)
		out.Append(d + arrow.Date32(rng.IntN(30)))
		dates.Append(d.FormattedString())
		blood.Append(bloodTypes[rng.IntN(len(bloodTypes))])
	}
	for name, b := range map[string]array.Builder{"age": ages, "room": rooms, "billing": bills, "rate": rates,
		"admitted_on": in, "discharged_on": out, "admitted_text": dates, "blood_type": blood} {
		cols[name] = b.NewArray()
		b.Release()
	}
	return cols
}

type benchCase struct {
	name string
	expr *plan.Expr
}

func benchCases() []benchCase {
	name, hospital := colE("name", tStr), colE("hospital", tStr)
	age, room := colE("age", tI32), colE("room", tI32)
	bill, rate := colE("billing", tF64), colE("rate", tF64)
	return []benchCase{
		{"trim", callE("trim", name)},
		{"collapse_spaces", callE("collapse_spaces", name)},
		{"lower", callE("lower", name)},
		{"upper", callE("upper", name)},
		{"title", callE("title", name)},
		{"person_name", callE("person_name", name)},
		{"clean_name", callE("person_name", callE("collapse_spaces", callE("trim", name)))},
		{"strip_dangling", callE("strip_dangling", hospital, listE(",", "and"))},
		{"replace", callE("replace", hospital, strE(" and "), strE(" & "))},
		{"regex_replace", callE("regex_replace", name, strE(`[aeiou]+`), strE("_"))},
		{"substr", callE("substr", name, intE(1), intE(4))},
		{"length", callE("length", name)},
		{"concat", callE("concat", name, strE(" #"), room)},
		{"format", callE("format", strE("%s-%04d"), hospital, room)},
		{"sha256", callE("sha256", name)},
		{"contains_list", callE("contains", listE("A+", "A-", "B+", "B-", "AB+", "AB-", "O+", "O-"), colE("blood_type", tStr))},
		{"parse_date", callE("parse_date", colE("admitted_text", tStr), strE("2006-01-02"))},
		{"days_between", callE("days_between", colE("admitted_on", tDate), colE("discharged_on", tDate))},
		{"round", callE("round", bill, intE(2))},
		{"compare_int32_literal", binE(plan.OpGe, age, intE(0))},
		{"compare_float_columns", binE(plan.OpLt, bill, rate)},
		{"compare_strings", binE(plan.OpEq, colE("blood_type", tStr), strE("O+"))},
		{"compare_dates", binE(plan.OpGe, colE("discharged_on", tDate), colE("admitted_on", tDate))},
		{"add_int32", binE(plan.OpAdd, age, room)},
		{"mul_float", binE(plan.OpMul, bill, rate)},
		{"div_int", binE(plan.OpDiv, room, age)},
		{"assert_age_range", binE(plan.OpAnd, binE(plan.OpGe, age, intE(0)), binE(plan.OpLe, age, intE(120)))},
		{"coalesce", callE("coalesce", callE("regex_replace", name, strE("^X"), strE("")), hospital)},
		{"conditional", condE(binE(plan.OpGt, age, intE(65)), strE("senior"), hospital)},
	}
}

// BenchmarkEval evaluates each kernel over batches of 8192 rows. allocs/op
// counts allocations per batch; none of them grows with the rows.
func BenchmarkEval(b *testing.B) {
	for _, bc := range benchCases() {
		b.Run(bc.name, func(b *testing.B) {
			mem := stagetest.Allocator(b)
			cols := benchColumns(mem)
			defer func() {
				for _, c := range cols {
					c.Release()
				}
			}()
			p, err := Compile(bc.expr)
			if err != nil {
				b.Fatal(err)
			}
			env := Env{Rows: batchRows, Columns: func(name string) arrow.Array { return cols[name] }}
			b.ReportAllocs()
			cpu := cpuTime()
			for b.Loop() {
				out, err := p.Eval(mem, env)
				if err != nil {
					b.Fatal(err)
				}
				out.Release()
			}
			reportPerRow(b, cpuTime()-cpu, batchRows)
		})
	}
}

// reportPerRow reports the wall time per row and, where it is known, the
// CPU time per row.
func reportPerRow(b *testing.B, cpu time.Duration, rows int) {
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*rows), "ns/row")
	if cpu > 0 {
		b.ReportMetric(float64(cpu.Nanoseconds())/float64(b.N*rows), "cpu-ns/row")
	}
}

// TestNoPerRowAllocation checks that no kernel allocates per row: a batch
// of 8192 rows allocates about as often as a batch of 64 (buffer growth may
// add a few).
func TestNoPerRowAllocation(t *testing.T) {
	mem := stagetest.Allocator(t)
	cols := benchColumns(mem)
	defer func() {
		for _, c := range cols {
			c.Release()
		}
	}()
	for _, bc := range benchCases() {
		if bc.name == "regex_replace" || bc.name == "coalesce" {
			continue // package regexp allocates for every row that matches
		}
		p, err := Compile(bc.expr)
		if err != nil {
			t.Fatal(err)
		}
		allocs := func(rows int) float64 {
			sliced := map[string]arrow.Array{}
			for name, c := range cols {
				sliced[name] = array.NewSlice(c, 0, int64(rows))
			}
			defer func() {
				for _, c := range sliced {
					c.Release()
				}
			}()
			env := Env{Rows: rows, Columns: func(name string) arrow.Array { return sliced[name] }}
			return testing.AllocsPerRun(5, func() {
				out, err := p.Eval(mem, env)
				if err != nil {
					t.Fatal(err)
				}
				out.Release()
			})
		}
		small, large := allocs(64), allocs(batchRows)
		if large > small+8 {
			t.Errorf("%s: %v allocations for 64 rows, %v for %d: it allocates per row", bc.name, small, large, batchRows)
		}
	}
}

func ExampleCompile() {
	mem := memory.NewGoAllocator()
	b := array.NewStringBuilder(mem)
	b.AppendValues([]string{"mR. DAVID pIERce Md", "  kEVIn   SiMmoNs Jr. "}, nil)
	names := b.NewArray()
	b.Release()
	defer names.Release()

	// clean = [trim, collapse_spaces, person_name], as the language
	// compiles it.
	self := &plan.Expr{Kind: plan.ExprSelf, Type: plan.TypeString}
	clean := self
	for _, fn := range []string{"trim", "collapse_spaces", "person_name"} {
		clean = &plan.Expr{Kind: plan.ExprCall, Func: fn, Type: plan.TypeString, Args: []*plan.Expr{clean}}
	}
	p, err := Compile(clean)
	if err != nil {
		fmt.Println(err)
		return
	}
	out, err := p.Eval(mem, Env{Rows: names.Len(), Self: names})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer out.Release()
	for i := 0; i < out.Len(); i++ {
		fmt.Println(out.(*array.String).Value(i))
	}
	// Output:
	// Mr. David Pierce MD
	// Kevin Simmons Jr.
}
