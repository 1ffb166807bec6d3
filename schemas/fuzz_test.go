package schemas

import (
	"io"
	"os"
	"path/filepath"
	"testing"

	"runner/schemas/diag"
)

// FuzzLoad feeds arbitrary bytes to the compiler: it must never panic, must
// return either a plan or errors, and its diagnostics must render.
func FuzzLoad(f *testing.F) {
	for _, pattern := range []string{"testdata/*/*.hcl", "../pipelines/*.hcl"} {
		files, err := filepath.Glob(pattern)
		if err != nil {
			f.Fatal(err)
		}
		for _, path := range files {
			src, err := os.ReadFile(path)
			if err != nil {
				f.Fatal(err)
			}
			f.Add(src)
		}
	}
	f.Add([]byte("column \"x\" {\n  expr = \"${\"\n}\n"))
	for _, shape := range deepShapes {
		f.Add([]byte(shape.src))
	}
	f.Add(make([]byte, MaxFileSize+1))
	f.Fuzz(func(t *testing.T, src []byte) {
		l := NewLoader(testOptions(nil, nil))
		p, ds := l.Load("fuzz.hcl", src)
		if (p == nil) != ds.HasErrors() {
			t.Fatalf("plan %v with errors %v", p != nil, ds.HasErrors())
		}
		if err := diag.WriteText(io.Discard, ds, l.Sources(), true); err != nil {
			t.Fatal(err)
		}
		_ = diag.JSON(ds, l.Sources())
		if _, fds := Format("fuzz.hcl", src); fds.HasErrors() && !ds.HasErrors() {
			t.Fatal("Format rejects a file that compiles")
		}
	})
}
