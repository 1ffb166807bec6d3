package csvsource

import (
	"context"
	"encoding/json"
	"errors"
	"path/filepath"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"runner/stages/stagetest"
	"runner/stages/stagetest/golden"
)

// quoted is the dialect most corpus files use: a header and RFC 4180
// double quotes.
var quoted = Config{Header: true, Quote: '"'}

// with returns base with the given changes applied.
func with(base Config, change func(*Config)) Config {
	change(&base)
	return base
}

// corpus lists the files in testdata/corpus with the configuration each is
// read with; testdata/golden/<name>.json holds what the reader must
// produce.
var corpus = []struct {
	name  string
	files []string
	cfg   Config
}{
	{name: "ragged", files: []string{"ragged.csv"}, cfg: quoted},
	{name: "bare_quote", files: []string{"bare_quote.csv"}, cfg: quoted},
	{name: "text_after_quote", files: []string{"text_after_quote.csv"}, cfg: quoted},
	{name: "unterminated_mid", files: []string{"unterminated_mid.csv"}, cfg: quoted},
	{name: "unterminated_mid_noquote_after", files: []string{"unterminated_mid_noquote_after.csv"}, cfg: quoted},
	{name: "unterminated_eof", files: []string{"unterminated_eof.csv"}, cfg: quoted},
	{name: "unterminated_eof_no_newline", files: []string{"unterminated_eof_no_newline.csv"}, cfg: quoted},
	{name: "bom", files: []string{"bom.csv"}, cfg: quoted},
	{name: "bom_no_header", files: []string{"bom.csv"}, cfg: Config{FieldNames: []string{"a", "b"}, Quote: '"'}},
	{name: "crlf", files: []string{"crlf.csv"}, cfg: quoted},
	{name: "empty", files: []string{"empty.csv"}, cfg: quoted},
	{name: "empty_no_header", files: []string{"empty.csv"}, cfg: Config{FieldNames: []string{"a"}}},
	{name: "only_comments", files: []string{"only_comments.csv"}, cfg: with(quoted, func(c *Config) { c.Comment = '#' })},
	{name: "header_only", files: []string{"header_only.csv"}, cfg: quoted},
	{name: "header_only_no_newline", files: []string{"header_only_no_newline.csv"}, cfg: quoted},
	{name: "duplicate_header", files: []string{"duplicate_header.csv"}, cfg: quoted},
	{name: "duplicate_field_names", files: []string{"no_header.csv"}, cfg: Config{FieldNames: []string{"id", "id", "age"}}},
	{name: "header_bad_quote", files: []string{"header_bad_quote.csv"}, cfg: quoted},
	{name: "header_after_comments", files: []string{"header_after_comments.csv"}, cfg: with(quoted, func(c *Config) { c.Comment = '#' })},
	{name: "invalid_utf8", files: []string{"invalid_utf8.csv"}, cfg: quoted},
	{name: "invalid_utf8_not_selected", files: []string{"invalid_utf8.csv"}, cfg: with(quoted, func(c *Config) { c.Select = []string{"id"} })},
	{name: "embedded_newlines", files: []string{"embedded_newlines.csv"}, cfg: quoted},
	{name: "comments", files: []string{"comments.csv"}, cfg: with(quoted, func(c *Config) { c.Comment = '#' })},
	{name: "blank_lines", files: []string{"blank_lines.csv"}, cfg: quoted},
	{name: "semicolon", files: []string{"semicolon.csv"}, cfg: with(quoted, func(c *Config) { c.Delimiter = ';' })},
	{name: "tab", files: []string{"tab.tsv"}, cfg: with(quoted, func(c *Config) { c.Delimiter = '\t' })},
	{name: "null_values", files: []string{"null_values.csv"}, cfg: with(quoted, func(c *Config) { c.NullValues = []string{"", "NA", "N/A"} })},
	{name: "quoted_doubled", files: []string{"quoted_doubled.csv"}, cfg: quoted},
	{name: "no_trailing_newline", files: []string{"no_trailing_newline.csv"}, cfg: quoted},
	{name: "long_record", files: []string{"long_record.csv"}, cfg: with(quoted, func(c *Config) { c.MaxRecordBytes = 40 })},
	{name: "no_header", files: []string{"no_header.csv"}, cfg: Config{FieldNames: []string{"id", "name", "age"}, Quote: '"'}},
	{name: "no_quoting", files: []string{"no_quoting.csv"}, cfg: Config{Header: true}},
	{name: "lone_cr", files: []string{"lone_cr.csv"}, cfg: quoted},
	{name: "select", files: []string{"ragged.csv"}, cfg: with(quoted, func(c *Config) { c.Select = []string{"age", "id"} })},
	{name: "select_missing", files: []string{"ragged.csv"}, cfg: with(quoted, func(c *Config) { c.Select = []string{"id", "nmae"} })},
	{name: "select_twice", files: []string{"ragged.csv"}, cfg: with(quoted, func(c *Config) { c.Select = []string{"id", "id"} })},
	{name: "two_files", files: []string{"part1.csv", "part2.csv"}, cfg: quoted},
	{name: "two_files_header_differs", files: []string{"part1.csv", "part_other.csv"}, cfg: quoted},
	{name: "two_files_header_count_differs", files: []string{"part1.csv", "ragged.csv"}, cfg: quoted},
	{name: "reserved_name", files: []string{"reserved_name.csv"}, cfg: quoted},
	{name: "reserved_name_not_selected", files: []string{"reserved_name.csv"}, cfg: with(quoted, func(c *Config) { c.Select = []string{"id"} })},
	{name: "missing_file", files: []string{"part1.csv", "no_such_file.csv"}, cfg: quoted},
}

func TestCorpus(t *testing.T) {
	for _, tc := range corpus {
		t.Run(tc.name, func(t *testing.T) {
			cfg := tc.cfg
			for _, f := range tc.files {
				cfg.Paths = append(cfg.Paths, filepath.Join("testdata", "corpus", f))
			}
			goldenPath := filepath.Join("testdata", "golden", tc.name+".json")
			got := readAll(t, cfg, readBufferSize)
			golden.Check(t, goldenPath, resultJSON(t, got))
			if got.Error == "" {
				norm, err := cfg.normalize()
				if err != nil {
					t.Fatal(err)
				}
				checkCoverage(t, norm, got)
			}
			// Batch sizes and read sizes must not change what is read:
			// records straddling reads and batches are the hard cases.
			for _, rows := range []int{1, 7, 100000} {
				for _, bufSize := range []int{1, 5, 64, readBufferSize} {
					cfg := with(cfg, func(c *Config) { c.BatchRows = rows })
					again := readAll(t, cfg, bufSize)
					if diff := cmp.Diff(got, again, cmpopts.IgnoreUnexported(resultRow{}, rejectRow{}), cmpopts.IgnoreFields(result{}, "Stats")); diff != "" {
						t.Errorf("batch_rows %d, read buffer %d: differs from %s (-want +got):\n%s", rows, bufSize, goldenPath, diff)
					}
				}
			}
		})
	}
}

// resultJSON is what the golden file of a read holds.
func resultJSON(t *testing.T, res result) []byte {
	t.Helper()
	data, err := json.MarshalIndent(res, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	return append(data, '\n')
}

func TestReadHeader(t *testing.T) {
	corpusPath := func(name string) string { return filepath.Join("testdata", "corpus", name) }
	tests := []struct {
		name    string
		path    string
		cfg     Config
		want    []string
		wantErr string
	}{
		{name: "header", path: corpusPath("bom.csv"), cfg: quoted, want: []string{"id", "name"}},
		{name: "quoted header", path: corpusPath("header_after_comments.csv"), cfg: with(quoted, func(c *Config) { c.Comment = '#' }), want: []string{"id", "name"}},
		{name: "field names", path: corpusPath("no_header.csv"), cfg: Config{FieldNames: []string{"a", "b", "c"}}, want: []string{"a", "b", "c"}},
		{name: "generated names", path: corpusPath("no_header.csv"), cfg: Config{Quote: '"'}, want: []string{"column_1", "column_2", "column_3"}},
		{name: "empty", path: corpusPath("empty.csv"), cfg: quoted, wantErr: "testdata/corpus/empty.csv: the file is empty; expected a header line"},
		{name: "empty without header", path: corpusPath("empty.csv"), cfg: Config{}, wantErr: "testdata/corpus/empty.csv: the file is empty; expected a record to count its fields"},
		{name: "missing", path: corpusPath("nope.csv"), cfg: quoted, wantErr: "csv source: open testdata/corpus/nope.csv: no such file or directory"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ReadHeader(tc.path, tc.cfg)
			if tc.wantErr != "" {
				if err == nil || err.Error() != tc.wantErr {
					t.Fatalf("ReadHeader error = %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("ReadHeader (-want +got):\n%s", diff)
			}
		})
	}
}

func TestConfigErrors(t *testing.T) {
	path := filepath.Join("testdata", "corpus", "part1.csv")
	tests := []struct {
		name    string
		cfg     Config
		wantErr string
	}{
		{name: "no paths", cfg: Config{Header: true}, wantErr: "csv source: no files to read"},
		{name: "no field names", cfg: Config{Paths: []string{path}}, wantErr: "csv source: header is false, so field_names must name the fields"},
		{name: "delimiter is quote", cfg: Config{Paths: []string{path}, Header: true, Delimiter: '"', Quote: '"'}, wantErr: `csv source: the delimiter and the quote are both '"'`},
		{name: "newline delimiter", cfg: Config{Paths: []string{path}, Header: true, Delimiter: '\n'}, wantErr: "csv source: the delimiter, quote and comment characters cannot be line breaks"},
		{name: "comment is delimiter", cfg: Config{Paths: []string{path}, Header: true, Comment: ','}, wantErr: "csv source: the comment character ',' is also the delimiter or the quote"},
		{name: "misspelt field", cfg: Config{Paths: []string{path}, Header: true, Select: []string{"id", "nmae"}},
			wantErr: `csv source: testdata/corpus/part1.csv has no field "nmae" (did you mean "name"?); its fields are "id", "name"`},
		{name: "unrelated field", cfg: Config{Paths: []string{path}, Header: true, Select: []string{"hospital"}},
			wantErr: `csv source: testdata/corpus/part1.csv has no field "hospital"; its fields are "id", "name"`},
		{name: "huge records", cfg: Config{Paths: []string{path}, Header: true, MaxRecordBytes: 1 << 30}, wantErr: "csv source: max_record_bytes is 1073741824, the most accepted is 268435456"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r, err := Open(t.Context(), tc.cfg, stagetest.Allocator(t))
			if err == nil {
				r.Close()
				t.Fatalf("Open succeeded, want error %q", tc.wantErr)
			}
			if err.Error() != tc.wantErr {
				t.Errorf("Open error = %q, want %q", err, tc.wantErr)
			}
		})
	}
}

func TestCancel(t *testing.T) {
	mem := stagetest.Allocator(t)
	ctx, cancel := context.WithCancel(t.Context())
	cfg := Config{Paths: []string{filepath.Join("testdata", "corpus", "ragged.csv")}, Header: true, Quote: '"', BatchRows: 1}
	r, err := Open(ctx, cfg, mem)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if !r.Next() {
		t.Fatalf("first Next = false (%v), want a batch", r.Err())
	}
	cancel()
	if r.Next() {
		t.Fatal("Next after cancel = true, want false")
	}
	if !errors.Is(r.Err(), context.Canceled) {
		t.Errorf("Err after cancel = %v, want context.Canceled", r.Err())
	}
	if r.Next() {
		t.Error("Next after an error = true, want false")
	}
}

// TestRetainedBatch checks the ownership rule: a batch retained by the
// caller stays valid, and unchanged, after the reader moves on and closes.
func TestRetainedBatch(t *testing.T) {
	mem := stagetest.Allocator(t)
	cfg := Config{Paths: []string{filepath.Join("testdata", "corpus", "part1.csv")}, Header: true, BatchRows: 1}
	r, err := Open(t.Context(), cfg, mem)
	if err != nil {
		t.Fatal(err)
	}
	if !r.Next() {
		t.Fatal(r.Err())
	}
	first := r.RecordBatch()
	first.Retain()
	defer first.Release()
	for r.Next() {
	}
	if err := r.Close(); err != nil {
		t.Fatal(err)
	}
	if got := first.Column(1).(*array.String).Value(0); got != "Ann" {
		t.Errorf("retained batch holds %q, want %q", got, "Ann")
	}
}

func TestCloseMidStream(t *testing.T) {
	mem := stagetest.Allocator(t)
	cfg := Config{Paths: []string{filepath.Join("testdata", "corpus", "part1.csv")}, Header: true, BatchRows: 1}
	r, err := Open(t.Context(), cfg, mem)
	if err != nil {
		t.Fatal(err)
	}
	if !r.Next() {
		t.Fatal(r.Err())
	}
	if err := r.Close(); err != nil {
		t.Fatal(err)
	}
	if r.Next() {
		t.Error("Next after Close = true, want false")
	}
	if err := r.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
}
