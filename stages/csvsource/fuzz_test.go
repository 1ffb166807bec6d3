package csvsource

import (
	"os"
	"path/filepath"
	"testing"
)

// FuzzReader reads arbitrary bytes with a random dialect, batch size, read
// buffer and record limit. The reader must never panic or leak, and every
// line must end up in exactly one row or reject (checkCoverage); every row
// must hold the fields an independent parser finds in its raw text.
func FuzzReader(f *testing.F) {
	for _, tc := range corpus {
		data, err := os.ReadFile(filepath.Join("testdata", "corpus", tc.files[0]))
		if err == nil {
			f.Add(data, uint8(0), uint8(0), uint8(3), false, uint8(7))
		}
	}
	f.Add([]byte("a,\"b\nc\"\"\",d\r\n\"\n"), uint8(0), uint8(0), uint8(2), true, uint8(0))
	f.Add([]byte("\xef\xbb\xbfx;'y''';z\n#c\n\n"), uint8(1), uint8(1), uint8(2), false, uint8(200))
	delimiters := []byte{',', ';', '\t', '|'}
	quotes := []byte{'"', '\'', 0}
	f.Fuzz(func(t *testing.T, data []byte, delim, quote, nfields uint8, header bool, knobs uint8) {
		dir := t.TempDir()
		cfg := Config{
			Delimiter:      delimiters[int(delim)%len(delimiters)],
			Quote:          quotes[int(quote)%len(quotes)],
			BatchRows:      int(knobs%8) + 1,
			MaxRecordBytes: 16 + int(knobs%64), // room for the header
			NullValues:     []string{"", "NA"},
		}
		if knobs&0x80 != 0 {
			cfg.Comment = '#'
		}
		n := int(nfields%4) + 1
		names := []string{"f1", "f2", "f3", "f4"}[:n]
		if header {
			cfg.Header = true
			var line []byte
			for i, name := range names {
				if i > 0 {
					line = append(line, cfg.Delimiter)
				}
				line = append(line, name...)
			}
			data = append(append(line, '\n'), data...)
		} else {
			cfg.FieldNames = names
		}
		// A second file checks that origins and state carry across files.
		for i := range 2 {
			path := filepath.Join(dir, []string{"a.csv", "b.csv"}[i])
			if err := os.WriteFile(path, data, 0o644); err != nil {
				t.Fatal(err)
			}
			cfg.Paths = append(cfg.Paths, path)
		}
		res := readAll(t, cfg, 1+int(knobs%32))
		if res.Error != "" {
			t.Fatalf("read failed: %s", res.Error)
		}
		checkCoverage(t, cfg, res)
		for _, row := range res.Rows {
			fields, ok := refParse(row.raw, cfg.Delimiter, cfg.Quote)
			if !ok || len(fields) != n {
				t.Fatalf("%s: emitted %q, which the reference parser reads as %q (ok %v)", row.Origin, row.raw, fields, ok)
			}
			for i, cell := range row.Cells {
				want := &fields[i]
				if fields[i] == "" || fields[i] == "NA" {
					want = nil
				}
				if (cell == nil) != (want == nil) || (cell != nil && *cell != *want) {
					t.Fatalf("%s field %d: got %v, the reference parser reads %q", row.Origin, i+1, cell, fields[i])
				}
			}
		}
	})
}
