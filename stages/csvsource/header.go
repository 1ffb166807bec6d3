package csvsource

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"unicode/utf8"

	"runner/stages/plan"
)

// headerBufferSize is the first read of ReadHeader: a header line is
// rarely longer, and the buffer grows when it is.
const headerBufferSize = 64 << 10

// ReadHeader returns the field names of the file at path, as `runner plan`
// and `runner init` show them. When cfg.Header is false the names are
// cfg.FieldNames, or column_1, column_2, ... counted from the first record
// when there are none, so a pipeline can be started from a file without a
// header.
func ReadHeader(path string, cfg Config) ([]string, error) {
	cfg.Paths = []string{path}
	cfg, err := cfg.normalize()
	if err != nil {
		return nil, err
	}
	if !cfg.Header && len(cfg.FieldNames) > 0 {
		return cfg.FieldNames, nil
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("csv source: %w", err)
	}
	defer f.Close()
	s := &scanner{ctx: context.Background(), buf: make([]byte, headerBufferSize), limit: cfg.MaxRecordBytes + 2}
	s.reset(f, path)
	names, err := readHeader(s, cfg, newDialect(cfg.Delimiter, cfg.Quote))
	switch {
	case cfg.Header:
		return names, err
	case errors.Is(err, errEmpty):
		return nil, fmt.Errorf("%s: the file is empty; expected a record to count its fields", path)
	case err != nil:
		return nil, err
	}
	// Without a header, the first record only counts the fields.
	generated := make([]string, len(names))
	for i := range names {
		generated[i] = "column_" + strconv.Itoa(i+1)
	}
	return generated, nil
}

// errEmpty is wrapped by the error for a file with no header line.
var errEmpty = errors.New("the file is empty; expected a header line")

// readHeader parses the first record of the file s reads (after a
// byte-order mark, blank lines and comments) as field names, leaving s at
// the record after it.
func readHeader(s *scanner, cfg Config, d *dialect) ([]string, error) {
	if err := s.skipBOM(); err != nil {
		return nil, err
	}
	found, err := s.skipBlank(cfg.Comment)
	if err != nil {
		return nil, err
	}
	if !found {
		return nil, fmt.Errorf("%s: %w", s.path, errEmpty)
	}
	var fields []span
	for {
		var res parsed
		res, fields = d.parse(s.buf[:s.end], s.pos, s.eof, fields)
		switch {
		case res.status == statusMore && s.end-s.pos <= cfg.MaxRecordBytes+1:
			if err := s.fill(); err != nil {
				return nil, err
			}
			continue
		case res.status == statusMore || (res.status == statusRecord && res.end-s.pos > cfg.MaxRecordBytes):
			return nil, fmt.Errorf("%s:%d: the header is longer than %d bytes (max_record_bytes)", s.path, s.line, cfg.MaxRecordBytes)
		case res.status == statusBad:
			label := func(i int) string { return strconv.Itoa(i + 1) }
			return nil, fmt.Errorf("%s:%d: the header is not valid CSV: %s", s.path, s.line, faultReason(res, s.pos, d.quote, label))
		}
		names := make([]string, len(fields))
		for i, f := range fields {
			text := s.buf[f.start:f.end]
			if f.escaped {
				text = bytes.ReplaceAll(text, []byte{d.quote, d.quote}, []byte{d.quote})
			}
			if !utf8.Valid(text) {
				return nil, fmt.Errorf("%s:%d: header field %d is not valid UTF-8: save the file as UTF-8", s.path, s.line, i+1)
			}
			names[i] = string(text)
		}
		s.line += 1 + countBreaks(s.buf[s.pos:res.end], res)
		s.pos = res.next
		return names, nil
	}
}

// checkUnique returns an error naming the first name that appears twice,
// and both of its 1-based positions.
func checkUnique(what string, names []string) error {
	seen := make(map[string]int, len(names))
	for i, n := range names {
		if j, dup := seen[n]; dup {
			return fmt.Errorf("%s: %q appears twice, as field %d and field %d; every field needs its own name", what, n, j+1, i+1)
		}
		seen[n] = i
	}
	return nil
}

// compareHeaders returns an error naming the first difference between the
// header of path and the first file's.
func compareHeaders(first, path string, want, got []string) error {
	for i := range min(len(want), len(got)) {
		if want[i] != got[i] {
			return fmt.Errorf("%s: the header differs from %s's at field %d: %q here, %q there; every file must have the same header", path, first, i+1, got[i], want[i])
		}
	}
	if len(want) != len(got) {
		return fmt.Errorf("%s: the header has %d fields, %s's has %d; every file must have the same header", path, len(got), first, len(want))
	}
	return nil
}

// selectFields maps each selected name to its field index; an empty
// selection selects every field.
func selectFields(path string, header, selected []string) ([]int, error) {
	if len(selected) == 0 {
		sel := make([]int, len(header))
		for i := range sel {
			sel[i] = i
		}
		return sel, nil
	}
	index := make(map[string]int, len(header))
	for i, n := range header {
		index[n] = i
	}
	sel := make([]int, len(selected))
	picked := make(map[string]bool, len(selected))
	for c, name := range selected {
		i, ok := index[name]
		if !ok {
			return nil, fmt.Errorf("csv source: %s has no field %q%s; its fields are %s", path, name, didYouMean(name, header), quotedList(header))
		}
		if picked[name] {
			return nil, fmt.Errorf("csv source: field %q is selected twice", name)
		}
		picked[name] = true
		sel[c] = i
	}
	return sel, nil
}

func quotedList(names []string) string {
	q := make([]string, len(names))
	for i, n := range names {
		q[i] = strconv.Quote(n)
	}
	return strings.Join(q, ", ")
}

// didYouMean suggests the name closest to name, in the form
// ` (did you mean "Age"?)`; empty when none is close enough to be what was
// meant.
func didYouMean(name string, names []string) string {
	if s := plan.Suggest(name, names); s != "" {
		return fmt.Sprintf(" (did you mean %q?)", s)
	}
	return ""
}
