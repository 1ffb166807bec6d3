// Package sample owns the project's own hospital admissions data. The
// project never ships the real export, so tests, `make data`, demos and
// benchmarks generate CSV files shaped like it: the same header, the same
// value domains, the same dirt (exact duplicates, rows repeated with
// another age, negative amounts, names in random letter case with
// honorifics and suffixes, hospital names with a dangling "and" or ","),
// at any size.
//
// Output is deterministic: the same Rows and Seed give the same bytes on
// every platform and Go version. Randomness comes only from a PCG seeded
// with Seed, numbers are formatted with strconv, and nothing depends on
// map order.
//
// Every count in the Summary is true by construction. Base rows are
// distinct: each billing amount carries a unique 32-bit code in its low
// mantissa bits. An exact duplicate copies a base row; a near-duplicate
// copies one with an age that no other row with its other columns has.
// Copies are drawn from a fixed-size reservoir sample of the base rows so
// far, so they reach back across the whole file, as in the real export,
// while memory stays constant.
package sample

import (
	"bufio"
	"fmt"
	"io"
	"math"
	"math/bits"
	"math/rand/v2"
	"strconv"
	"strings"
	"time"
)

// None, as a share in Options, asks for no such rows at all (a zero share
// means the default).
const None = -1.0

// Options says what to generate.
type Options struct {
	Rows int
	Seed uint64
	// Shares of dirt; zero values mean the defaults that mirror the real
	// file, None means none.
	DuplicateShare     float64 // rows that repeat an earlier row exactly (default 534/55500)
	NearDuplicateShare float64 // rows that repeat an earlier row with another age (default 4966/55500)
	NegativeShare      float64 // negative billing amounts (default 108/55500)
}

// Summary counts what was written.
type Summary struct {
	// Rows is the number of data rows, without the header.
	Rows int
	// ExactDuplicates are rows equal to an earlier row.
	ExactDuplicates int
	// NearDuplicates are rows equal to an earlier distinct row in every
	// column but Age, and equal to no earlier row.
	NearDuplicates int
	// NegativeAmounts are rows with a negative Billing Amount.
	NegativeAmounts int
	// DanglingHospitals are rows whose Hospital starts with "and" or ends
	// with "and" or ",".
	DanglingHospitals int
	// DecoratedNames are rows whose Name has an honorific or a suffix.
	DecoratedNames int
}

const (
	defaultDuplicateShare     = 534.0 / 55500
	defaultNearDuplicateShare = 4966.0 / 55500
	defaultNegativeShare      = 108.0 / 55500

	// maxRows is the number of distinct codes billing amounts can carry.
	maxRows uint64 = 1 << 32
	// poolSize base rows are kept to copy duplicates from: about a
	// megabyte.
	poolSize = 4096
)

// header is the real file's header.
var header = []string{
	"Name", "Age", "Gender", "Blood Type", "Medical Condition", "Date of Admission", "Doctor",
	"Hospital", "Insurance Provider", "Billing Amount", "Room Number", "Admission Type",
	"Discharge Date", "Medication", "Test Results",
}

// Write writes opts.Rows rows of CSV after the header to w, with CRLF line
// ends like the real file, and returns what it wrote.
func Write(w io.Writer, opts Options) (Summary, error) {
	g, err := newGenerator(opts)
	if err != nil {
		return Summary{}, err
	}
	bw := bufio.NewWriterSize(w, 256<<10)
	if _, err := bw.WriteString(strings.Join(header, ",") + "\r\n"); err != nil {
		return Summary{}, fmt.Errorf("sample: write header: %w", err)
	}
	for range opts.Rows {
		if _, err := bw.Write(g.next()); err != nil {
			return g.sum, fmt.Errorf("sample: write row %d: %w", g.sum.Rows, err)
		}
	}
	if err := bw.Flush(); err != nil {
		return g.sum, fmt.Errorf("sample: write: %w", err)
	}
	return g.sum, nil
}

// share resolves one share of Options.
func share(name string, v, def float64) (float64, error) {
	switch {
	case v == 0:
		return def, nil
	case v == None:
		return 0, nil
	case v > 0 && v <= 1:
		return v, nil
	}
	return 0, fmt.Errorf("sample: %s is %v, want a share in (0, 1], 0 for the default or None", name, v)
}

// entry is a base row kept to be copied.
type entry struct {
	// line is the row's CSV text with its line end.
	line []byte
	// The Age field is line[ageStart:ageEnd].
	ageStart, ageEnd int
	// ages has bit a-minAge set for every age a that a row with this
	// row's other columns has: the row's own and its near-duplicates'.
	ages [2]uint64
	// What the Summary counts about the row.
	negative, dangling, decorated bool
}

type generator struct {
	rng *rand.PCG
	// Thresholds for a uniform draw in [0, 1): below dup an exact
	// duplicate, below near a near-duplicate.
	dup, near, negative float64
	// dates holds every date a row can have, dateLen bytes each, from
	// firstDay on.
	dates []byte
	pool  []entry
	bases uint64
	// code scrambles the base row number into the billing amount's code.
	code uint32
	// line is the row being written when it does not go to the pool.
	line []byte
	sum  Summary
}

func newGenerator(opts Options) (*generator, error) {
	if opts.Rows < 0 || uint64(opts.Rows) > maxRows {
		return nil, fmt.Errorf("sample: %d rows, want 0 to %d", opts.Rows, maxRows)
	}
	dup, err := share("DuplicateShare", opts.DuplicateShare, defaultDuplicateShare)
	if err != nil {
		return nil, err
	}
	near, err := share("NearDuplicateShare", opts.NearDuplicateShare, defaultNearDuplicateShare)
	if err != nil {
		return nil, err
	}
	negative, err := share("NegativeShare", opts.NegativeShare, defaultNegativeShare)
	if err != nil {
		return nil, err
	}
	if dup+near > 1 {
		return nil, fmt.Errorf("sample: DuplicateShare %v and NearDuplicateShare %v add up to more than 1", dup, near)
	}
	g := &generator{
		// The second word only picks the PCG stream; any constant will
		// do, and changing it would change every file.
		rng:      rand.NewPCG(opts.Seed, 0x5eed_ca5e_d00d_f00d),
		dup:      dup,
		near:     dup + near,
		negative: negative,
		dates:    dateTable(),
		pool:     make([]entry, 0, poolSize),
	}
	g.code = uint32(g.rng.Uint64())
	return g, nil
}

// The real file's dates: admissions from 2019-05-08 to 2024-05-07,
// discharges 1 to 30 days later.
const (
	admissionDays = 1827
	maxStay       = 30
	dateLen       = len("2006-01-02")
)

// The real file's ages: 13 to 89.
const (
	minAge = 13
	ages   = 89 - minAge + 1
)

func dateTable() []byte {
	first := time.Date(2019, time.May, 8, 0, 0, 0, 0, time.UTC)
	b := make([]byte, 0, (admissionDays+maxStay)*dateLen)
	for d := range admissionDays + maxStay {
		b = first.AddDate(0, 0, d).AppendFormat(b, "2006-01-02")
	}
	return b
}

func (g *generator) date(day int) []byte { return g.dates[day*dateLen : (day+1)*dateLen] }

// intn returns a uniform int in [0, n). The bias of the multiply-shift is
// below n/2^64, and unlike rand.IntN its algorithm is fixed here, so the
// output cannot change with the Go version.
func (g *generator) intn(n int) int {
	hi, _ := bits.Mul64(g.rng.Uint64(), uint64(n))
	return int(hi)
}

// unit returns a uniform float64 in [0, 1), exactly.
func (g *generator) unit() float64 { return float64(g.rng.Uint64()>>11) * 0x1p-53 }

func pick(g *generator, values []string) string { return values[g.intn(len(values))] }

// next returns the next row's text, valid until the following call.
func (g *generator) next() []byte {
	g.sum.Rows++
	u := g.unit()
	if u < g.near && len(g.pool) > 0 {
		e := &g.pool[g.intn(len(g.pool))]
		if u < g.dup {
			g.sum.ExactDuplicates++
			g.count(e)
			return e.line
		}
		if age, ok := g.newAge(e); ok {
			g.sum.NearDuplicates++
			g.count(e)
			g.line = append(g.line[:0], e.line[:e.ageStart]...)
			g.line = strconv.AppendInt(g.line, int64(age), 10)
			g.line = append(g.line, e.line[e.ageEnd:]...)
			return g.line
		}
	}
	return g.base()
}

func (g *generator) count(e *entry) {
	g.sum.NegativeAmounts += b2i(e.negative)
	g.sum.DanglingHospitals += b2i(e.dangling)
	g.sum.DecoratedNames += b2i(e.decorated)
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// newAge picks, uniformly, an age no row with e's other columns has yet,
// and records it.
func (g *generator) newAge(e *entry) (int, bool) {
	free := ages - bits.OnesCount64(e.ages[0]) - bits.OnesCount64(e.ages[1])
	if free == 0 {
		return 0, false
	}
	k := g.intn(free)
	for a := range ages {
		if e.ages[a/64]&(1<<(a%64)) != 0 {
			continue
		}
		if k == 0 {
			e.ages[a/64] |= 1 << (a % 64)
			return minAge + a, true
		}
		k--
	}
	panic("sample: free ages miscounted")
}

// base writes a new distinct row, into the pool when the reservoir takes
// it (every base row so far has the same chance to be there).
func (g *generator) base() []byte {
	slot := -1
	if g.bases < poolSize {
		// Room for nearly every row, so a slot's buffer rarely grows.
		g.pool = append(g.pool, entry{line: make([]byte, 0, 256)})
		slot = len(g.pool) - 1
	} else if j, _ := bits.Mul64(g.rng.Uint64(), g.bases+1); j < poolSize {
		slot = int(j)
	}
	var e entry
	b := g.line[:0]
	if slot >= 0 {
		b = g.pool[slot].line[:0]
	}

	b, e.decorated = g.patientName(b)
	randomCase(g, b)
	b = append(b, ',')
	e.ageStart = len(b)
	age := minAge + g.intn(ages)
	e.ages[(age-minAge)/64] = 1 << ((age - minAge) % 64)
	b = strconv.AppendInt(b, int64(age), 10)
	e.ageEnd = len(b)
	b = append(b, ',')
	b = append(b, pick(g, genders)...)
	b = append(b, ',')
	b = append(b, pick(g, bloodTypes)...)
	b = append(b, ',')
	b = append(b, pick(g, conditions)...)
	b = append(b, ',')
	admitted := g.intn(admissionDays)
	b = append(b, g.date(admitted)...)
	b = append(b, ',')
	b = append(b, pick(g, firstNames)...)
	b = append(b, ' ')
	b = append(b, pick(g, lastNames)...)
	b = append(b, ',')
	b, e.dangling = g.hospital(b)
	b = append(b, ',')
	b = append(b, pick(g, insurers)...)
	b = append(b, ',')
	b, e.negative = g.amount(b)
	b = append(b, ',')
	b = strconv.AppendInt(b, int64(101+g.intn(400)), 10)
	b = append(b, ',')
	b = append(b, pick(g, admissionTypes)...)
	b = append(b, ',')
	b = append(b, g.date(admitted+1+g.intn(maxStay))...)
	b = append(b, ',')
	b = append(b, pick(g, medications)...)
	b = append(b, ',')
	b = append(b, pick(g, testResults)...)
	b = append(b, "\r\n"...)

	e.line = b
	if slot >= 0 {
		g.pool[slot] = e
	} else {
		g.line = b
	}
	g.bases++
	g.count(&e)
	return b
}

var (
	genders        = []string{"Male", "Female"}
	bloodTypes     = []string{"A+", "A-", "B+", "B-", "AB+", "AB-", "O+", "O-"}
	conditions     = []string{"Arthritis", "Asthma", "Cancer", "Diabetes", "Hypertension", "Obesity"}
	insurers       = []string{"Aetna", "Blue Cross", "Cigna", "Medicare", "UnitedHealthcare"}
	admissionTypes = []string{"Elective", "Emergency", "Urgent"}
	medications    = []string{"Aspirin", "Ibuprofen", "Lipitor", "Paracetamol", "Penicillin"}
	testResults    = []string{"Abnormal", "Inconclusive", "Normal"}
)

// weighted is a word drawn with a weight: the real file's counts.
type weighted struct {
	word   string
	weight int
}

var (
	honorifics = []weighted{{"Mr.", 418}, {"Dr.", 326}, {"Mrs.", 276}, {"Ms.", 51}, {"Miss", 43}}
	suffixes   = []weighted{{"MD", 477}, {"DDS", 309}, {"DVM", 165}, {"Jr.", 147}, {"PhD", 113},
		{"II", 43}, {"III", 16}, {"IV", 3}}
)

func pickWeighted(g *generator, words []weighted) string {
	total := 0
	for _, w := range words {
		total += w.weight
	}
	r := g.intn(total)
	for _, w := range words {
		if r < w.weight {
			return w.word
		}
		r -= w.weight
	}
	panic("sample: weights miscounted")
}

// Per 100,000 names, as in the real file: 1,514 have an honorific only,
// 1,805 a suffix only and 494 both (3.8% in all).
const (
	honorificOnly = 1514
	suffixOnly    = 1805
	both          = 494
)

// patientName appends a patient's name and reports whether it has an
// honorific or a suffix. randomCase scrambles it afterwards.
func (g *generator) patientName(b []byte) ([]byte, bool) {
	r := g.intn(100_000)
	honorific := r < honorificOnly || r >= honorificOnly+suffixOnly && r < honorificOnly+suffixOnly+both
	suffix := r >= honorificOnly && r < honorificOnly+suffixOnly+both
	if honorific {
		b = append(b, pickWeighted(g, honorifics)...)
		b = append(b, ' ')
	}
	b = append(b, pick(g, firstNames)...)
	b = append(b, ' ')
	b = append(b, pick(g, lastNames)...)
	if suffix {
		b = append(b, ' ')
		b = append(b, pickWeighted(g, suffixes)...)
	}
	return b, honorific || suffix
}

// randomCase sets every letter of b to upper or lower case at random, as
// the real file's patient names are.
func randomCase(g *generator, b []byte) {
	var r uint64
	for i, c := range b {
		if i%64 == 0 {
			r = g.rng.Uint64()
		}
		lower := c | 0x20
		if lower < 'a' || lower > 'z' {
			continue
		}
		if r>>(i%64)&1 == 0 {
			b[i] = lower
		} else {
			b[i] = lower &^ 0x20
		}
	}
}

var companySuffixes = []string{"Inc", "Group", "Ltd", "PLC", "LLC"}

// sonsOrders are the orders of the words of "<Last> and Sons" found in the
// real file: the real export shuffled the words of its company names,
// which is where the dangling "and"s come from.
var sonsOrders = [6][3]int{{0, 1, 2}, {0, 2, 1}, {1, 0, 2}, {1, 2, 0}, {2, 0, 1}, {2, 1, 0}}

// hospital appends a hospital name in one of the real file's shapes, with
// their shares per thousand: "Lee-Cruz" (330), "Kim Inc" or "Inc Kim"
// (279), the words of "Kim and Sons" in any order (55), and the words of
// "Kim, Lee and Cruz" in any order that keeps the comma on a name (336).
// It reports whether the name starts or ends with "and" or ",".
func (g *generator) hospital(b []byte) ([]byte, bool) {
	switch r := g.intn(1000); {
	case r < 330:
		b = append(b, pick(g, lastNames)...)
		b = append(b, '-')
		return append(b, pick(g, lastNames)...), false
	case r < 330+279:
		k := g.intn(2 * len(companySuffixes))
		name, word := pick(g, lastNames), companySuffixes[k/2]
		if k%2 == 1 {
			name, word = word, name
		}
		b = append(b, name...)
		b = append(b, ' ')
		return append(b, word...), false
	case r < 330+279+55:
		words := [3]string{pick(g, lastNames), "and", "Sons"}
		order := sonsOrders[g.intn(len(sonsOrders))]
		for i, w := range order {
			if i > 0 {
				b = append(b, ' ')
			}
			b = append(b, words[w]...)
		}
		return b, order[0] == 1 || order[2] == 1
	}
	// Three names, the comma after one of them, "and" before, between or
	// after them.
	comma, and := g.intn(3), g.intn(4)
	b = append(b, '"')
	for i := range 3 {
		if i == and {
			b = append(b, "and "...)
		}
		b = append(b, pick(g, lastNames)...)
		if i == comma {
			b = append(b, ',')
		}
		if i < 2 {
			b = append(b, ' ')
		}
	}
	if and == 3 {
		b = append(b, " and"...)
	}
	b = append(b, '"')
	return b, and == 0 || and == 3 || comma == 2
}

// amount appends a billing amount like the real file's (shortest
// round-trip digits, positive amounts from 10 to 52,760, negative ones
// from -2,010 to -10) and reports whether it is negative. Its low 32
// mantissa bits are a scramble of the base row's number, so no two base
// rows have the same amount.
func (g *generator) amount(b []byte) ([]byte, bool) {
	negative := g.unit() < g.negative
	u := g.unit()
	var v float64
	// The conversions round each product, so no platform fuses the
	// multiply and add into one differently rounded instruction.
	if negative {
		v = -(10 + float64(u*2000))
	} else {
		v = 10 + float64(u*52750)
	}
	v = math.Float64frombits(math.Float64bits(v)&^0xFFFF_FFFF | uint64(scramble(uint32(g.bases)^g.code)))
	return strconv.AppendFloat(b, v, 'f', -1, 64), negative
}

// scramble is a bijection on uint32 (each step is invertible), so distinct
// row numbers give distinct codes that do not look sequential.
func scramble(x uint32) uint32 {
	x *= 0x9E3779B1
	x ^= x >> 15
	x *= 0x85EBCA77
	x ^= x >> 13
	return x
}
