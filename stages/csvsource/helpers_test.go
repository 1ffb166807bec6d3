package csvsource

import (
	"bytes"
	"cmp"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/apache/arrow-go/v18/arrow/array"

	"runner/stages"
	"runner/stages/stagetest"
)

// result is everything a Reader produced, in the form the golden files
// hold.
type result struct {
	Header  []string    `json:"header,omitempty"`
	Rows    []resultRow `json:"rows,omitempty"`
	Rejects []rejectRow `json:"rejects,omitempty"`
	Stats   *Stats      `json:"stats,omitempty"`
	Error   string      `json:"error,omitempty"`
}

type resultRow struct {
	Origin string `json:"origin"`
	// Cells holds the selected fields; nil is null.
	Cells []*string `json:"cells"`
	Raw   string    `json:"raw"`
	// origin and raw in exact form, for the coverage check.
	origin stages.Origin
	raw    []byte
}

type rejectRow struct {
	Origin string `json:"origin"`
	Column string `json:"column,omitempty"`
	Value  string `json:"value,omitempty"`
	Reason string `json:"reason"`
	Raw    string `json:"raw"`
	origin stages.Origin
	raw    []byte
}

// readAll opens cfg with a read buffer of bufSize bytes and collects every
// batch and reject. An error from Open or Next ends up in Error.
func readAll(t testing.TB, cfg Config, bufSize int) result {
	t.Helper()
	mem := stagetest.Allocator(t)
	r, err := open(t.Context(), cfg, mem, bufSize)
	if err != nil {
		return result{Error: err.Error()}
	}
	defer func() {
		if err := r.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	}()
	res := result{Header: r.Header()}
	schema := r.Schema()
	if n := schema.NumFields(); schema.Field(n-2).Name != stages.OriginColumn || schema.Field(n-1).Name != stages.RawColumn {
		t.Fatalf("schema does not end with the origin and raw columns: %v", schema)
	}
	for r.Next() {
		batch := r.RecordBatch()
		ncols := int(batch.NumCols())
		origins := batch.Column(ncols - 2).(*array.Int64)
		raws := batch.Column(ncols - 1).(*array.Binary)
		for i := range int(batch.NumRows()) {
			row := resultRow{
				origin: stages.Origin(origins.Value(i)),
				raw:    bytes.Clone(raws.Value(i)),
			}
			row.Origin, row.Raw = row.origin.String(), escapeInvalid(row.raw)
			for c := range ncols - 2 {
				col := batch.Column(c).(*array.String)
				if col.IsNull(i) {
					row.Cells = append(row.Cells, nil)
					continue
				}
				v := col.Value(i)
				row.Cells = append(row.Cells, &v)
			}
			res.Rows = append(res.Rows, row)
		}
		for _, rej := range r.Rejects() {
			if rej.Stage != StageID {
				t.Errorf("reject of %s has stage %q, want %q", rej.Origin, rej.Stage, StageID)
			}
			res.Rejects = append(res.Rejects, rejectRow{
				Origin: rej.Origin.String(), Column: rej.Column, Value: rej.Value, Reason: rej.Reason, Raw: escapeInvalid(rej.Raw),
				origin: rej.Origin, raw: rej.Raw,
			})
		}
	}
	if err := r.Err(); err != nil {
		res.Error = err.Error()
	}
	stats := r.Stats()
	if got, want := stats.Rows, int64(len(res.Rows)+len(res.Rejects)); got != want {
		t.Errorf("Stats().Rows = %d, want %d emitted + %d rejected", got, len(res.Rows), len(res.Rejects))
	}
	if got := stats.Rejected; got != int64(len(res.Rejects)) {
		t.Errorf("Stats().Rejected = %d, want %d", got, len(res.Rejects))
	}
	res.Stats = &stats
	return res
}

// escapeInvalid renders raw text for a golden file: bytes that are not
// UTF-8 as \xNN (and a backslash as \\), so JSON keeps them exactly.
func escapeInvalid(raw []byte) string {
	var b strings.Builder
	for len(raw) > 0 {
		c, size := utf8.DecodeRune(raw)
		switch {
		case c == utf8.RuneError && size <= 1:
			fmt.Fprintf(&b, "\\x%02x", raw[0])
		case c == '\\':
			b.WriteString("\\\\")
		default:
			b.Write(raw[:size])
		}
		raw = raw[size:]
	}
	return b.String()
}

// checkCoverage verifies, independently of the parser, that no record was
// lost or invented: every record's raw text is the file's text at its
// origin, records come in file order without overlapping, and every line
// no record covers is blank, a comment, or the header.
func checkCoverage(t testing.TB, cfg Config, res result) {
	t.Helper()
	type record struct {
		origin stages.Origin
		raw    []byte
		long   bool
	}
	var records []record
	for _, r := range res.Rows {
		records = append(records, record{origin: r.origin, raw: r.raw})
	}
	for _, r := range res.Rejects {
		records = append(records, record{origin: r.origin, raw: r.raw, long: len(r.raw) == cfg.MaxRecordBytes})
	}
	// Rows and rejects are each in order; merge them by origin.
	slices.SortFunc(records, func(a, b record) int { return cmp.Compare(a.origin, b.origin) })

	files := make([][][]byte, len(cfg.Paths))
	covered := make([][]bool, len(cfg.Paths))
	for i, p := range cfg.Paths {
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		data = bytes.TrimPrefix(data, []byte("\xEF\xBB\xBF"))
		files[i] = bytes.Split(data, []byte("\n"))
		covered[i] = make([]bool, len(files[i]))
	}
	for _, rec := range records {
		f, l := rec.origin.File(), rec.origin.Line()
		if f >= len(files) || l < 1 || l > len(files[f]) {
			t.Errorf("%s: no such line in %d files", rec.origin, len(files))
			continue
		}
		n := bytes.Count(rec.raw, []byte("\n")) + 1
		if l-1+n > len(files[f]) {
			t.Errorf("%s: raw text %q runs past the end of the file", rec.origin, rec.raw)
			continue
		}
		want := bytes.Join(files[f][l-1:l-1+n], []byte("\n"))
		want = bytes.TrimSuffix(want, []byte("\r"))
		ok := bytes.Equal(rec.raw, want) || (rec.long && n == 1 && bytes.HasPrefix(want, rec.raw))
		if !ok {
			t.Errorf("%s: raw text %q, the file has %q", rec.origin, rec.raw, want)
		}
		for i := l - 1; i < l-1+n; i++ {
			if covered[f][i] {
				t.Errorf("%s: file %d line %d belongs to two records", rec.origin, f, i+1)
			}
			covered[f][i] = true
		}
	}
	for f, lines := range files {
		header := cfg.Header
		for i, line := range lines {
			if covered[f][i] || i == len(lines)-1 && len(line) == 0 {
				continue
			}
			blank := len(line) == 0 || string(line) == "\r"
			comment := cfg.Comment != 0 && len(line) > 0 && line[0] == cfg.Comment
			switch {
			case blank, comment:
			case header:
				header = false // the first other line is the header
			default:
				t.Errorf("file %d line %d %q is in no row and no reject", f, i+1, line)
			}
		}
	}
}

// refParse is a plain character-by-character RFC 4180 parser, written
// independently of the reader's, to check the cells of emitted rows.
func refParse(raw []byte, delim, quote byte) ([]string, bool) {
	var fields []string
	var cur []byte
	inQuotes, closed, fieldStart := false, false, true
	for i := 0; i < len(raw); i++ {
		c := raw[i]
		switch {
		case inQuotes && c == quote && i+1 < len(raw) && raw[i+1] == quote:
			cur = append(cur, quote)
			i++
		case inQuotes && c == quote:
			inQuotes, closed = false, true
		case inQuotes:
			cur = append(cur, c)
		case c == delim:
			fields = append(fields, string(cur))
			cur, closed, fieldStart = nil, false, true
		case closed:
			return nil, false
		case quote != 0 && c == quote:
			if !fieldStart {
				return nil, false
			}
			inQuotes, fieldStart = true, false
		default:
			cur = append(cur, c)
			fieldStart = false
		}
	}
	if inQuotes {
		return nil, false
	}
	return append(fields, string(cur)), true
}
