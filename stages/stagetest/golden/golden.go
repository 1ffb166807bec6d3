// Package golden compares test output with the golden files under a
// package's testdata, and rewrites them when the test binary runs with
// -update. It is the one such helper of the module, for the language's
// tests and the engine's alike, so it imports neither: only the standard
// library and go-cmp. Only tests import it.
package golden

import (
	"errors"
	"flag"
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// update is the -update flag of every test binary that imports the package.
var update = flag.Bool("update", false, "rewrite the golden files under testdata with what the tests produce")

// Check compares got with the file at path and reports the difference; with
// -update it writes got to path (creating its directory) instead.
func Check(t testing.TB, path string, got []byte) {
	t.Helper()
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatalf("creating the golden file's directory: %v", err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatalf("writing the golden file: %v", err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("golden file %s is missing; run the test with -update to create it", path)
	}
	if err != nil {
		t.Fatalf("reading the golden file: %v", err)
	}
	if diff := cmp.Diff(string(want), string(got)); diff != "" {
		t.Errorf("%s differs (-want +got); run the test with -update if the change is right:\n%s", path, diff)
	}
}
