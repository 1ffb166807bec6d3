package dedup

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"runner/stages/hashset"
	"runner/stages/plan"
	"runner/stages/rowhash"
	"runner/stages/sample"
	"runner/stages/stagetest"
)

// keysOf turns letters into keys: equal letters, equal keys.
func keysOf(letters string) []rowhash.Hash {
	keys := make([]rowhash.Hash, len(letters))
	for i, c := range letters {
		keys[i] = rowhash.Hash{Hi: uint64(c) * 0x9E3779B97F4A7C15, Lo: uint64(c)<<32 | 7}
	}
	return keys
}

func ordinalsFrom(first, n int) []uint64 {
	ords := make([]uint64, n)
	for i := range ords {
		ords[i] = uint64(first + i)
	}
	return ords
}

// run feeds keys through a Dedup in batches of batch rows, both passes for
// keep = "last", and returns every keep flag and the rows dropped.
func run(t *testing.T, keep plan.Keep, keys []rowhash.Hash, batch int) ([]bool, int) {
	t.Helper()
	d := New(keep, 0)
	if keep == plan.KeepLast {
		for start := 0; start < len(keys); start += batch {
			end := min(start+batch, len(keys))
			if err := d.Observe(keys[start:end], ordinalsFrom(start, end-start)); err != nil {
				t.Fatal(err)
			}
		}
	}
	flags := make([]bool, len(keys))
	dropped := 0
	for start := 0; start < len(keys); start += batch {
		end := min(start+batch, len(keys))
		n, err := d.Select(keys[start:end], ordinalsFrom(start, end-start), flags[start:end])
		if err != nil {
			t.Fatal(err)
		}
		dropped += n
	}
	return flags, dropped
}

func flagString(flags []bool) string {
	var b strings.Builder
	for _, f := range flags {
		if f {
			b.WriteByte('+')
		} else {
			b.WriteByte('-')
		}
	}
	return b.String()
}

func TestSelect(t *testing.T) {
	tests := []struct {
		name string
		keep plan.Keep
		rows string
		want string // + kept, - dropped
	}{
		{name: "first: nothing repeats", keep: plan.KeepFirst, rows: "abcd", want: "++++"},
		{name: "first: later repeats drop", keep: plan.KeepFirst, rows: "abacbba", want: "++-+---"},
		{name: "first: one key", keep: plan.KeepFirst, rows: "aaaa", want: "+---"},
		{name: "first: empty", keep: plan.KeepFirst, rows: "", want: ""},
		{name: "last: nothing repeats", keep: plan.KeepLast, rows: "abcd", want: "++++"},
		{name: "last: earlier repeats drop", keep: plan.KeepLast, rows: "abacbba", want: "---+-++"},
		{name: "last: one key", keep: plan.KeepLast, rows: "aaaa", want: "---+"},
		{name: "last: empty", keep: plan.KeepLast, rows: "", want: ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			flags, dropped := run(t, tc.keep, keysOf(tc.rows), max(1, len(tc.rows)))
			if got := flagString(flags); got != tc.want {
				t.Errorf("keep flags = %s, want %s", got, tc.want)
			}
			if want := strings.Count(tc.want, "-"); dropped != want {
				t.Errorf("dropped = %d, want %d", dropped, want)
			}
		})
	}
}

// TestBatchBoundaries feeds the same stream in batches of 1, 7 and all at
// once: the decisions must not change.
func TestBatchBoundaries(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	pool := make([]rowhash.Hash, 400)
	for i := range pool {
		pool[i] = rowhash.Hash{Hi: rng.Uint64(), Lo: rng.Uint64()}
	}
	keys := make([]rowhash.Hash, 1_000)
	for i := range keys {
		keys[i] = pool[rng.IntN(len(pool))]
	}
	tests := []struct {
		name string
		keep plan.Keep
	}{
		{name: "first", keep: plan.KeepFirst},
		{name: "last", keep: plan.KeepLast},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			want, wantDropped := run(t, tc.keep, keys, len(keys))
			for _, batch := range []int{1, 7} {
				got, dropped := run(t, tc.keep, keys, batch)
				if !slices.Equal(got, want) || dropped != wantDropped {
					t.Errorf("batches of %d: %d dropped and flags\n%s\nwant %d dropped and\n%s",
						batch, dropped, flagString(got), wantDropped, flagString(want))
				}
			}
		})
	}
}

// TestObserveInAnyOrder feeds keep = "last" its first pass backwards.
func TestObserveInAnyOrder(t *testing.T) {
	keys := keysOf("abacbbad")
	d := New(plan.KeepLast, 0)
	for i := len(keys) - 1; i >= 0; i-- {
		if err := d.Observe(keys[i:i+1], []uint64{uint64(i)}); err != nil {
			t.Fatal(err)
		}
	}
	flags := make([]bool, len(keys))
	if _, err := d.Select(keys, ordinalsFrom(0, len(keys)), flags); err != nil {
		t.Fatal(err)
	}
	if got, want := flagString(flags), "---+-+++"; got != want {
		t.Errorf("keep flags = %s, want %s", got, want)
	}
}

func TestErrors(t *testing.T) {
	tooFar := []uint64{1 << 32}
	tests := []struct {
		name    string
		keep    plan.Keep
		call    func(d *Dedup) error
		wantErr string
	}{
		{name: "observe with keep first", keep: plan.KeepFirst,
			call:    func(d *Dedup) error { return d.Observe(keysOf("a"), []uint64{0}) },
			wantErr: `Observe is the first pass of keep = "last", not of keep = "first"`},
		{name: "observe past the ordinal limit", keep: plan.KeepLast,
			call:    func(d *Dedup) error { return d.Observe(keysOf("a"), tooFar) },
			wantErr: `row 4294967296 is past the limit of keep = "last", which tracks at most 4294967296 rows`},
		{name: "select past the ordinal limit", keep: plan.KeepLast,
			call: func(d *Dedup) error {
				if err := d.Observe(keysOf("a"), []uint64{0}); err != nil {
					return err
				}
				_, err := d.Select(keysOf("a"), tooFar, make([]bool, 1))
				return err
			},
			wantErr: `row 4294967296 is past the limit`},
		{name: "select before observe", keep: plan.KeepLast,
			call: func(d *Dedup) error {
				_, err := d.Select(keysOf("ab"), []uint64{5, 6}, make([]bool, 2))
				return err
			},
			wantErr: `the key of row 5 was never observed`},
		{name: "observe lengths differ", keep: plan.KeepLast,
			call:    func(d *Dedup) error { return d.Observe(keysOf("ab"), []uint64{0}) },
			wantErr: "1 ordinals for 2 keys"},
		{name: "keep flags too short", keep: plan.KeepFirst,
			call: func(d *Dedup) error {
				_, err := d.Select(keysOf("ab"), nil, make([]bool, 1))
				return err
			},
			wantErr: "1 keep flags for 2 keys"},
		{name: "select lengths differ", keep: plan.KeepLast,
			call: func(d *Dedup) error {
				_, err := d.Select(keysOf("ab"), nil, make([]bool, 2))
				return err
			},
			wantErr: "0 ordinals for 2 keys"},
		{name: "unknown keep policy", keep: plan.Keep(9),
			call: func(d *Dedup) error {
				_, err := d.Select(keysOf("a"), nil, make([]bool, 1))
				return err
			},
			wantErr: "unknown keep policy 9"},
		{name: "observe with an unknown keep policy", keep: plan.Keep(9),
			call:    func(d *Dedup) error { return d.Observe(keysOf("a"), []uint64{0}) },
			wantErr: `not of unknown keep policy 9`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.call(New(tc.keep, 0))
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Fatalf("error = %v, want one containing %q", err, tc.wantErr)
			}
		})
	}
}

// csvBatches reads CSV into batches of Arrow strings, one column per CSV
// field, as the CSV source hands them on, and returns the rows' text too.
func csvBatches(t *testing.T, mem memory.Allocator, in io.Reader, batchRows int) ([]arrow.RecordBatch, [][]string) {
	t.Helper()
	r := csv.NewReader(in)
	header, err := r.Read()
	if err != nil {
		t.Fatalf("read header: %v", err)
	}
	fields := make([]arrow.Field, len(header))
	for i, name := range header {
		fields[i] = arrow.Field{Name: name, Type: arrow.BinaryTypes.String}
	}
	b := array.NewRecordBuilder(mem, arrow.NewSchema(fields, nil))
	defer b.Release()
	var batches []arrow.RecordBatch
	var rows [][]string
	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("read row %d: %v", len(rows)+1, err)
		}
		rows = append(rows, rec)
		for i, v := range rec {
			b.Field(i).(*array.StringBuilder).Append(v)
		}
		if len(rows)%batchRows == 0 {
			batches = append(batches, b.NewRecordBatch())
		}
	}
	if len(rows)%batchRows != 0 {
		batches = append(batches, b.NewRecordBatch())
	}
	t.Cleanup(func() {
		for _, batch := range batches {
			batch.Release()
		}
	})
	return batches, rows
}

func hashAll(t *testing.T, batches []arrow.RecordBatch, columns []string) []rowhash.Hash {
	t.Helper()
	h, err := rowhash.New(batches[0].Schema(), columns)
	if err != nil {
		t.Fatal(err)
	}
	var keys []rowhash.Hash
	for _, b := range batches {
		keys = h.Hash(b, keys)
	}
	return keys
}

// TestRealDataset dedups the real hospital admissions file on every
// column: 534 rows repeat an earlier row exactly, and among the rows kept
// 4,966 equal an earlier kept row in every column but Age.
func TestRealDataset(t *testing.T) {
	f, err := os.Open(stagetest.RealDataset(t))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	checkDataset(t, f, 534, 4_966)
}

// TestGeneratedDataset does the same on generated data, whose Summary
// says what dedup must find; it runs where the real file is absent.
func TestGeneratedDataset(t *testing.T) {
	var buf bytes.Buffer
	sum, err := sample.Write(&buf, sample.Options{Rows: 55_500, Seed: 42})
	if err != nil {
		t.Fatal(err)
	}
	checkDataset(t, &buf, sum.ExactDuplicates, sum.NearDuplicates)
}

// checkDataset dedups a CSV file on every column with both keep policies
// and checks that exactDups rows are dropped, that the survivors are the
// first or last occurrences, and that nearDups survivors repeat an earlier
// survivor in every column but Age.
func checkDataset(t *testing.T, in io.Reader, exactDups, nearDups int) {
	t.Helper()
	mem := stagetest.Allocator(t)
	batches, rows := csvBatches(t, mem, in, 4096)
	header := make([]string, 0, batches[0].NumCols())
	for _, f := range batches[0].Schema().Fields() {
		header = append(header, f.Name)
	}
	exceptAge := slices.DeleteFunc(slices.Clone(header), func(s string) bool { return s == "Age" })
	keys := hashAll(t, batches, header)
	nearKeys := hashAll(t, batches, exceptAge)

	// The reference: each row's text, the first and last time it occurs.
	firstSeen, lastSeen := map[string]int{}, map[string]int{}
	for i, r := range rows {
		k := strings.Join(r, "\x00")
		if _, ok := firstSeen[k]; !ok {
			firstSeen[k] = i
		}
		lastSeen[k] = i
	}

	tests := []struct {
		name string
		keep plan.Keep
		// survivor reports whether row i is the one its policy keeps.
		survivor func(i int) bool
	}{
		{name: "first", keep: plan.KeepFirst,
			survivor: func(i int) bool { return firstSeen[strings.Join(rows[i], "\x00")] == i }},
		{name: "last", keep: plan.KeepLast,
			survivor: func(i int) bool { return lastSeen[strings.Join(rows[i], "\x00")] == i }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			flags, dropped := run(t, tc.keep, keys, 8192)
			if wantKept := len(rows) - exactDups; dropped != exactDups || len(flags)-dropped != wantKept {
				t.Errorf("dropped %d and kept %d rows, want %d and %d", dropped, len(flags)-dropped, exactDups, wantKept)
			}
			for i, kept := range flags {
				if kept != tc.survivor(i) {
					t.Fatalf("row %d (line %d) kept = %v, want %v", i, i+2, kept, !kept)
				}
			}
			near := hashset.NewSet(0)
			found := 0
			for i, kept := range flags {
				if kept && !near.Insert(nearKeys[i]) {
					found++
				}
			}
			if found != nearDups {
				t.Errorf("%d kept rows repeat an earlier one in every column but Age, want %d", found, nearDups)
			}
		})
	}
}

// streamKeys returns n keys in which about one row in a hundred repeats an
// earlier key, the share of duplicates in the real file.
func streamKeys(n int) []rowhash.Hash {
	rng := rand.New(rand.NewPCG(uint64(n), 9))
	keys := make([]rowhash.Hash, n)
	for i := range keys {
		if i > 0 && rng.IntN(100) == 0 {
			keys[i] = keys[rng.IntN(i)]
			continue
		}
		keys[i] = rowhash.Hash{Hi: rng.Uint64(), Lo: rng.Uint64()}
	}
	return keys
}

// BenchmarkSelect runs dedup over 5.55 million rows in batches of 8192,
// a size hint of the row count, and reports the time per row (both passes
// for keep = "last") and the memory per row.
func BenchmarkSelect(b *testing.B) {
	const rows, batchRows = 5_550_000, 8192
	keys := streamKeys(rows)
	ords := ordinalsFrom(0, rows)
	flags := make([]bool, batchRows)
	for _, keep := range plan.Keeps {
		b.Run(fmt.Sprintf("keep=%s", keep), func(b *testing.B) {
			b.ReportAllocs()
			var d *Dedup
			for b.Loop() {
				d = New(keep, rows)
				if keep == plan.KeepLast {
					for start := 0; start < rows; start += batchRows {
						end := min(start+batchRows, rows)
						if err := d.Observe(keys[start:end], ords[start:end]); err != nil {
							b.Fatal(err)
						}
					}
				}
				for start := 0; start < rows; start += batchRows {
					end := min(start+batchRows, rows)
					if _, err := d.Select(keys[start:end], ords[start:end], flags[:end-start]); err != nil {
						b.Fatal(err)
					}
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/rows, "ns/row")
			b.ReportMetric(float64(d.Bytes())/rows, "bytes/row")
		})
	}
}
