package schemas

import (
	"bytes"
	"compress/gzip"
	"math/rand/v2"
	"strings"
	"testing"
	"unicode"
)

func gzipped(t *testing.T, text string) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	if _, err := zw.Write([]byte(text)); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func randomBytes(n int) []byte {
	b := make([]byte, n)
	r := rand.New(rand.NewChaCha8([32]byte{1}))
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	return b
}

// A binary file given as a pipeline or variable file gets one short
// diagnostic naming the first byte that is not text, instead of a parse of
// every byte.
func TestNotATextFile(t *testing.T) {
	tests := []struct {
		name       string
		pipeline   []byte
		varFile    []byte
		wantDetail string
	}{
		{name: "gzip file", pipeline: gzipped(t, varPipeline),
			wantDetail: "test.hcl is not a text file: byte 0x1f at line 1, column 1; a pipeline file is UTF-8 HCL."},
		{name: "random bytes", pipeline: randomBytes(100 << 10)},
		{name: "NUL byte", pipeline: []byte("pipeline \"p\" {\n}\n\nsource \"csv\" { path = \"é\x00\" }\n"),
			wantDetail: "test.hcl is not a text file: byte 0x00 at line 4, column 25; a pipeline file is UTF-8 HCL."},
		{name: "bytes that are not UTF-8", pipeline: []byte("# caf\xe9\n"),
			wantDetail: "test.hcl is not a text file: byte 0xe9 at line 1, column 6; a pipeline file is UTF-8 HCL."},
		{name: "variable file", pipeline: []byte(varPipeline), varFile: gzipped(t, "batch = 1\n"),
			wantDetail: "vars.hcl is not a text file: byte 0x1f at line 1, column 1; a variable file is UTF-8 HCL."},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			opts := testOptions(nil, map[string]string{"vars.hcl": string(tc.varFile)})
			if tc.varFile != nil {
				opts.VarFiles = []string{"vars.hcl"}
			}
			p, ds, l := loadString(t, "test.hcl", string(tc.pipeline), opts)
			if p != nil || len(ds) != 1 || ds[0].Summary != "Not a text file" {
				t.Fatalf("want one Not a text file error, got %d diagnostics: %q", len(ds), summaries(ds))
			}
			if tc.wantDetail != "" && ds[0].Detail != tc.wantDetail {
				t.Errorf("detail = %q, want %q", ds[0].Detail, tc.wantDetail)
			}
			text := renderText(t, ds, l.Sources())
			if len(text) > 1000 {
				t.Errorf("the diagnostic is %d bytes long:\n%s", len(text), text)
			}
			if i := strings.IndexFunc(text, func(r rune) bool { return r != '\n' && !unicode.IsPrint(r) }); i >= 0 {
				t.Errorf("the diagnostic prints a non-printable character at byte %d:\n%q", i, text)
			}
		})
	}
}
