package sample

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"runner/stages/stagetest"
	"runner/stages/stagetest/golden"
)

func generate(t testing.TB, opts Options) ([]byte, Summary) {
	t.Helper()
	var buf bytes.Buffer
	sum, err := Write(&buf, opts)
	if err != nil {
		t.Fatalf("Write(%+v): %v", opts, err)
	}
	return buf.Bytes(), sum
}

func parse(t *testing.T, data []byte) [][]string {
	t.Helper()
	records, err := csv.NewReader(bytes.NewReader(data)).ReadAll()
	if err != nil {
		t.Fatalf("the output is not valid CSV: %v", err)
	}
	return records
}

// TestDeterministic pins the output for a seed: the first lines as text,
// and 10,000 rows by their SHA-256. A change to either changes every
// file the project generates.
func TestDeterministic(t *testing.T) {
	data, _ := generate(t, Options{Rows: 10_000, Seed: 1})
	again, _ := generate(t, Options{Rows: 10_000, Seed: 1})
	if !bytes.Equal(data, again) {
		t.Fatal("two runs with the same options wrote different bytes")
	}
	other, _ := generate(t, Options{Rows: 10_000, Seed: 2})
	if bytes.Equal(data, other) {
		t.Fatal("seeds 1 and 2 wrote the same bytes")
	}
	if got, want := bytes.Count(data, []byte("\r\n")), 10_001; got != want || bytes.Count(data, []byte("\n")) != want {
		t.Errorf("%d lines end in CRLF, want all %d, as in the real file", got, want)
	}
	// The golden copy has LF line ends, so that no checkout setting can
	// change it; the hash below covers the CRLFs.
	lines := strings.SplitAfterN(string(data), "\r\n", 6)
	golden.Check(t, filepath.Join("testdata", "seed1-head.csv"), []byte(strings.ReplaceAll(strings.Join(lines[:5], ""), "\r\n", "\n")))
	sum := sha256.Sum256(data)
	golden.Check(t, filepath.Join("testdata", "seed1-10000rows.sha256"), []byte(hex.EncodeToString(sum[:])+"\n"))
}

// TestPrefixStable checks that a shorter file is a prefix of a longer
// one with the same seed: rows do not depend on how many follow.
func TestPrefixStable(t *testing.T) {
	short, _ := generate(t, Options{Rows: 1_000, Seed: 9})
	long, _ := generate(t, Options{Rows: 3_000, Seed: 9})
	if !bytes.HasPrefix(long, short) {
		t.Fatal("1,000 rows are not the start of 3,000 rows with the same seed")
	}
}

func TestHeaderMatchesRealFile(t *testing.T) {
	f, err := os.Open(stagetest.RealDataset(t))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	line, err := bufio.NewReader(f).ReadString('\n')
	if err != nil {
		t.Fatal(err)
	}
	data, _ := generate(t, Options{Rows: 1, Seed: 1})
	got, _, _ := strings.Cut(string(data), "\n")
	if got+"\n" != line {
		t.Errorf("header = %q, want the real file's %q", got+"\n", line)
	}
}

// domains checks every field of a row; it returns what is wrong, or "".
type domains struct {
	first, last, companyWords map[string]bool
	name                      *regexp.Regexp
	sets                      map[int]map[string]bool
}

func newDomains() *domains {
	d := &domains{
		first: map[string]bool{}, last: map[string]bool{},
		companyWords: map[string]bool{"and": true, "Sons": true},
		name: regexp.MustCompile(`^(?i)(?:(?:mr\.|mrs\.|ms\.|dr\.|miss) )?([a-z]+) ([a-z]+)` +
			`(?: (?:md|dds|dvm|phd|jr\.|ii|iii|iv))?$`),
		sets: map[int]map[string]bool{},
	}
	for _, n := range firstNames {
		d.first[strings.ToLower(n)] = true
	}
	for _, n := range lastNames {
		d.last[strings.ToLower(n)] = true
	}
	for _, w := range companySuffixes {
		d.companyWords[w] = true
	}
	for col, values := range map[int][]string{2: genders, 3: bloodTypes, 4: conditions, 8: insurers,
		11: admissionTypes, 13: medications, 14: testResults} {
		d.sets[col] = map[string]bool{}
		for _, v := range values {
			d.sets[col][v] = true
		}
	}
	return d
}

func (d *domains) check(r []string) string {
	if len(r) != len(header) {
		return fmt.Sprintf("%d fields", len(r))
	}
	if m := d.name.FindStringSubmatch(r[0]); m == nil || !d.first[strings.ToLower(m[1])] || !d.last[strings.ToLower(m[2])] {
		return fmt.Sprintf("name %q", r[0])
	}
	if age, err := strconv.Atoi(r[1]); err != nil || age < 13 || age > 89 {
		return fmt.Sprintf("age %q", r[1])
	}
	for col, set := range d.sets {
		if !set[r[col]] {
			return fmt.Sprintf("%s %q", header[col], r[col])
		}
	}
	admitted, err1 := time.Parse(time.DateOnly, r[5])
	discharged, err2 := time.Parse(time.DateOnly, r[12])
	if err1 != nil || err2 != nil || admitted.Before(time.Date(2019, 5, 8, 0, 0, 0, 0, time.UTC)) ||
		admitted.After(time.Date(2024, 5, 7, 0, 0, 0, 0, time.UTC)) {
		return fmt.Sprintf("dates %q, %q", r[5], r[12])
	}
	if stay := discharged.Sub(admitted).Hours() / 24; stay < 1 || stay > 30 {
		return fmt.Sprintf("stay of %v days", stay)
	}
	doctor := strings.Split(r[6], " ")
	if len(doctor) != 2 || !slices.Contains(firstNames, doctor[0]) || !slices.Contains(lastNames, doctor[1]) {
		return fmt.Sprintf("doctor %q", r[6])
	}
	if !d.hospital(r[7]) {
		return fmt.Sprintf("hospital %q", r[7])
	}
	amount, err := strconv.ParseFloat(r[9], 64)
	if err != nil || strconv.FormatFloat(amount, 'f', -1, 64) != r[9] ||
		!(amount >= 10 && amount < 52760.1 || amount >= -2010.1 && amount < -10) {
		return fmt.Sprintf("billing amount %q", r[9])
	}
	if room, err := strconv.Atoi(r[10]); err != nil || room < 101 || room > 500 {
		return fmt.Sprintf("room %q", r[10])
	}
	return ""
}

// hospital accepts the real file's shapes: "Lee-Cruz", two or three words
// of last names, company words and "and", with at most one comma.
func (d *domains) hospital(h string) bool {
	if a, b, ok := strings.Cut(h, "-"); ok {
		return d.last[strings.ToLower(a)] && d.last[strings.ToLower(b)] && !strings.Contains(h, " ")
	}
	if strings.Count(h, ",") > 1 {
		return false
	}
	words := strings.Split(strings.Replace(h, ",", "", 1), " ")
	if len(words) < 2 || len(words) > 4 {
		return false
	}
	names := 0
	for _, w := range words {
		switch {
		case d.last[strings.ToLower(w)] && w != strings.ToLower(w):
			names++
		case !d.companyWords[w]:
			return false
		}
	}
	return names >= 1
}

func dangling(h string) bool {
	return strings.HasPrefix(h, "and ") || strings.HasSuffix(h, " and") || strings.HasSuffix(h, ",")
}

func decorated(name string) bool { return strings.Count(name, " ") > 1 }

// count recomputes a Summary from the rows alone.
func count(rows [][]string) Summary {
	var s Summary
	seen := map[string]bool{}
	seenExceptAge := map[string]bool{}
	for _, r := range rows {
		s.Rows++
		if strings.HasPrefix(r[9], "-") {
			s.NegativeAmounts++
		}
		if dangling(r[7]) {
			s.DanglingHospitals++
		}
		if decorated(r[0]) {
			s.DecoratedNames++
		}
		all := strings.Join(r, "\x00")
		if seen[all] {
			s.ExactDuplicates++
			continue
		}
		seen[all] = true
		exceptAge := strings.Join(slices.Delete(slices.Clone(r), 1, 2), "\x00")
		if seenExceptAge[exceptAge] {
			s.NearDuplicates++
		}
		seenExceptAge[exceptAge] = true
	}
	return s
}

// TestRowsAndSummary parses the output, checks every value against its
// domain and recounts the Summary independently, for default and extreme
// shares.
func TestRowsAndSummary(t *testing.T) {
	tests := []struct {
		name string
		opts Options
	}{
		{name: "defaults", opts: Options{Rows: 55_500, Seed: 1}},
		{name: "no dirt", opts: Options{Rows: 5_000, Seed: 2, DuplicateShare: None, NearDuplicateShare: None, NegativeShare: None}},
		{name: "mostly copies", opts: Options{Rows: 20_000, Seed: 3, DuplicateShare: 0.45, NearDuplicateShare: 0.5, NegativeShare: 0.5}},
		{name: "only near-duplicates", opts: Options{Rows: 20_000, Seed: 4, DuplicateShare: None, NearDuplicateShare: 1}},
		{name: "one row", opts: Options{Rows: 1, Seed: 5, DuplicateShare: 1, NearDuplicateShare: None}},
		{name: "no rows", opts: Options{Seed: 6}},
	}
	d := newDomains()
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			data, sum := generate(t, tc.opts)
			records := parse(t, data)
			if diff := cmp.Diff(header, records[0]); diff != "" {
				t.Fatalf("header (-want +got):\n%s", diff)
			}
			rows := records[1:]
			for i, r := range rows {
				if problem := d.check(r); problem != "" {
					t.Fatalf("row %d: %s out of its domain: %q", i+1, problem, r)
				}
			}
			if diff := cmp.Diff(count(rows), sum); diff != "" {
				t.Errorf("Summary differs from a recount (-recount +Summary):\n%s", diff)
			}
			if sum.Rows != tc.opts.Rows {
				t.Errorf("Rows = %d, want %d", sum.Rows, tc.opts.Rows)
			}
		})
	}
}

// TestCopiesReachBack checks that duplicates copy rows from all over the
// file, not only recent ones, as in the real export.
func TestCopiesReachBack(t *testing.T) {
	data, _ := generate(t, Options{Rows: 55_500, Seed: 1})
	rows := parse(t, data)[1:]
	firstAt := map[string]int{}
	var distances []int
	for i, r := range rows {
		k := strings.Join(r, "\x00")
		if at, ok := firstAt[k]; ok {
			distances = append(distances, i-at)
			continue
		}
		firstAt[k] = i
	}
	slices.Sort(distances)
	if median := distances[len(distances)/2]; median < poolSize*2 {
		t.Errorf("median distance from a duplicate to its original = %d rows, want well beyond the %d-row pool", median, poolSize)
	}
}

// TestShares checks that the counts at 555,000 rows are within five
// standard deviations of the shares asked for (the output is fixed by the
// seed, so this never flakes).
func TestShares(t *testing.T) {
	if testing.Short() {
		t.Skip("555,000 rows")
	}
	const rows = 555_000
	_, sum := generate(t, Options{Rows: rows, Seed: 7})
	// A dangling hospital is 4 of the 6 "and Sons" orders (55 per
	// thousand) and 8 of the 12 three-name orders (336 per thousand).
	danglingShare := (55*4.0/6 + 336*8.0/12) / 1000
	tests := []struct {
		name  string
		got   int
		share float64
	}{
		{name: "exact duplicates", got: sum.ExactDuplicates, share: defaultDuplicateShare},
		{name: "near-duplicates", got: sum.NearDuplicates, share: defaultNearDuplicateShare},
		{name: "negative amounts", got: sum.NegativeAmounts, share: defaultNegativeShare},
		{name: "dangling hospitals", got: sum.DanglingHospitals, share: danglingShare},
		{name: "decorated names", got: sum.DecoratedNames, share: (honorificOnly + suffixOnly + both) / 100_000.0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			want := tc.share * rows
			sigma := math.Sqrt(want * (1 - tc.share))
			if math.Abs(float64(tc.got)-want) > 5*sigma {
				t.Errorf("%d of %d rows, want %.0f ± %.0f", tc.got, rows, want, 5*sigma)
			}
		})
	}
}

func TestOptionErrors(t *testing.T) {
	tests := []struct {
		name    string
		opts    Options
		wantErr string
	}{
		{name: "negative rows", opts: Options{Rows: -1}, wantErr: "-1 rows"},
		{name: "share above one", opts: Options{Rows: 1, DuplicateShare: 1.5}, wantErr: "DuplicateShare is 1.5"},
		{name: "negative share", opts: Options{Rows: 1, NegativeShare: -0.2}, wantErr: "NegativeShare is -0.2"},
		{name: "not a number", opts: Options{Rows: 1, NearDuplicateShare: math.NaN()}, wantErr: "NearDuplicateShare is NaN"},
		{name: "copies above one", opts: Options{Rows: 1, DuplicateShare: 0.6, NearDuplicateShare: 0.6}, wantErr: "add up to more than 1"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Write(io.Discard, tc.opts)
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Fatalf("Write error = %v, want one containing %q", err, tc.wantErr)
			}
		})
	}
}

// failingWriter accepts limit bytes, then fails.
type failingWriter struct{ limit int }

var errFull = errors.New("disk full")

func (w *failingWriter) Write(p []byte) (int, error) {
	if len(p) > w.limit {
		n := w.limit
		w.limit = 0
		return n, errFull
	}
	w.limit -= len(p)
	return len(p), nil
}

func TestWriteError(t *testing.T) {
	tests := []struct {
		name       string
		rows       int
		limit      int
		stopsEarly bool
	}{
		// The buffer fills up and is written out while rows are added:
		// Write stops at the first failure.
		{name: "during the rows", rows: 20_000, limit: 1 << 20, stopsEarly: true},
		// Everything fits in the buffer, which fails when flushed.
		{name: "at the end", rows: 100, limit: 1_000},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			sum, err := Write(&failingWriter{limit: tc.limit}, Options{Rows: tc.rows, Seed: 1})
			if !errors.Is(err, errFull) {
				t.Fatalf("Write error = %v, want %v", err, errFull)
			}
			if stopped := sum.Rows < tc.rows; stopped != tc.stopsEarly || sum.Rows == 0 {
				t.Errorf("Summary.Rows = %d of %d after the failure; stopping early = %v, want %v",
					sum.Rows, tc.rows, stopped, tc.stopsEarly)
			}
		})
	}
}

// BenchmarkWrite reports rows written per second through a bufio.Writer
// to io.Discard; B/op shows memory does not grow with the row count.
func BenchmarkWrite(b *testing.B) {
	for _, rows := range []int{55_500, 555_000, 5_550_000} {
		b.Run(fmt.Sprintf("rows=%d", rows), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				w := bufio.NewWriter(io.Discard)
				if _, err := Write(w, Options{Rows: rows, Seed: 1}); err != nil {
					b.Fatal(err)
				}
			}
			perRow := float64(b.Elapsed().Nanoseconds()) / float64(b.N) / float64(rows)
			b.ReportMetric(perRow, "ns/row")
			b.ReportMetric(1e9/perRow, "rows/s")
		})
	}
}
