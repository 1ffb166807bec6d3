package schemas

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"runner/schemas/diag"
	"runner/stages/stagetest/golden"
)

// minInvalidFixtures keeps the corpus of broken pipelines from shrinking.
const minInvalidFixtures = 35

// jsonGoldenFixtures also get a golden file of their JSON rendering.
var jsonGoldenFixtures = []string{"unknown_column", "unbalanced_brace", "missing_database", "column_cycle", "env_without_default"}

// fixtureMarker matches an expected diagnostic written in a fixture as a
// trailing comment on its subject's line: # ERROR: Unknown column.
var fixtureMarker = regexp.MustCompile(`#\s*(ERROR|WARNING):\s*([^#]*[^#\s])`)

// expectation is one diagnostic as a fixture marks it.
type expectation struct {
	Line     int
	Severity string
	Summary  string
}

func expectedDiagnostics(src []byte) []expectation {
	var out []expectation
	for i, line := range strings.Split(string(src), "\n") {
		for _, m := range fixtureMarker.FindAllStringSubmatch(line, -1) {
			out = append(out, expectation{Line: i + 1, Severity: m[1], Summary: m[2]})
		}
	}
	return sortedSet(out)
}

func actualDiagnostics(ds diag.Diagnostics) []expectation {
	var out []expectation
	for _, d := range ds {
		e := expectation{Severity: "ERROR", Summary: d.Summary}
		if d.Severity == diag.Warning {
			e.Severity = "WARNING"
		}
		if d.Subject != nil {
			e.Line = d.Subject.Start.Line
		}
		out = append(out, e)
	}
	return sortedSet(out)
}

func sortedSet(es []expectation) []expectation {
	sort.Slice(es, func(i, j int) bool {
		a, b := es[i], es[j]
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		if a.Severity != b.Severity {
			return a.Severity < b.Severity
		}
		return a.Summary < b.Summary
	})
	return slices.Compact(es)
}

func fixtures(t *testing.T, dir string) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join("testdata", dir, "*.hcl"))
	if err != nil {
		t.Fatal(err)
	}
	return files
}

// TestInvalidFixtures loads every broken pipeline and compares its
// diagnostics with the markers in the file, and their renderings with the
// golden files.
func TestInvalidFixtures(t *testing.T) {
	files := fixtures(t, "invalid")
	if len(files) < minInvalidFixtures {
		t.Fatalf("testdata/invalid has %d fixtures, want at least %d", len(files), minInvalidFixtures)
	}
	for _, path := range files {
		name := strings.TrimSuffix(filepath.Base(path), ".hcl")
		t.Run(name, func(t *testing.T) {
			src, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			want := expectedDiagnostics(src)
			if len(want) == 0 {
				t.Fatal("the fixture marks no expected diagnostic")
			}
			p, ds, l := loadString(t, filepath.ToSlash(path), string(src), testOptions(nil, nil))
			if p != nil || !ds.HasErrors() {
				t.Fatalf("got a plan and no errors; want errors")
			}
			if diff := cmp.Diff(want, actualDiagnostics(ds)); diff != "" {
				t.Errorf("diagnostics differ from the markers (-want +got):\n%s\n%s", diff, renderText(t, ds, l.Sources()))
			}
			for _, d := range ds {
				if d.Detail == "" {
					t.Errorf("%q has no detail: every diagnostic says what would be right", d.Summary)
				}
			}
			golden.Check(t, strings.TrimSuffix(path, ".hcl")+".golden", []byte(renderText(t, ds, l.Sources())))
			if slices.Contains(jsonGoldenFixtures, name) {
				b, err := json.MarshalIndent(diag.JSON(ds, l.Sources()), "", "  ")
				if err != nil {
					t.Fatal(err)
				}
				golden.Check(t, strings.TrimSuffix(path, ".hcl")+".json.golden", append(b, '\n'))
			}
		})
	}
}

// TestWarningFixtures loads pipelines that compile with warnings only.
func TestWarningFixtures(t *testing.T) {
	for _, path := range fixtures(t, "warning") {
		t.Run(filepath.Base(path), func(t *testing.T) {
			src, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			p, ds, l := loadString(t, filepath.ToSlash(path), string(src), testOptions(nil, nil))
			if p == nil || ds.HasErrors() {
				t.Fatalf("want a plan and warnings only, got:\n%s", renderText(t, ds, l.Sources()))
			}
			if diff := cmp.Diff(expectedDiagnostics(src), actualDiagnostics(ds)); diff != "" {
				t.Errorf("diagnostics differ from the markers (-want +got):\n%s", diff)
			}
		})
	}
}

// TestValidFixtures loads pipelines that must compile without any
// diagnostic.
func TestValidFixtures(t *testing.T) {
	files := fixtures(t, "valid")
	if len(files) == 0 {
		t.Fatal("testdata/valid is empty")
	}
	for _, path := range files {
		t.Run(filepath.Base(path), func(t *testing.T) {
			src, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			p, ds, l := loadString(t, filepath.ToSlash(path), string(src), testOptions(nil, nil))
			if p == nil || len(ds) > 0 {
				t.Fatalf("want a clean compile, got:\n%s", renderText(t, ds, l.Sources()))
			}
		})
	}
}
