package schemas

import (
	"bytes"
	"io/fs"
	"testing"

	"runner/schemas/diag"
	"runner/stages/plan"
)

// testEnv is the environment every test sees: nothing from the machine.
var testEnv = map[string]string{
	"DATA_DIR": "data",
}

// testFiles is the file system file() and -var-file see in tests.
var testFiles = map[string]string{
	"secrets/salt.txt": "pepper",
	"vars/prod.hcl":    "csv_path = \"prod/people.csv\"\nbatch = 500\n",
}

// testOptions builds hermetic loader options: env and files come from the
// maps, merged over the shared defaults.
func testOptions(env, files map[string]string) Options {
	e := map[string]string{}
	for k, v := range testEnv {
		e[k] = v
	}
	for k, v := range env {
		e[k] = v
	}
	f := map[string]string{}
	for k, v := range testFiles {
		f[k] = v
	}
	for k, v := range files {
		f[k] = v
	}
	return Options{
		Env: func(name string) (string, bool) {
			v, ok := e[name]
			return v, ok
		},
		ReadFile: func(path string) ([]byte, error) {
			if v, ok := f[path]; ok {
				return []byte(v), nil
			}
			return nil, &fs.PathError{Op: "open", Path: path, Err: fs.ErrNotExist}
		},
	}
}

// loadString compiles src as the file name.hcl with the test options.
func loadString(t *testing.T, name, src string, opts Options) (*plan.Plan, diag.Diagnostics, *Loader) {
	t.Helper()
	l := NewLoader(opts)
	p, ds := l.Load(name, []byte(src))
	return p, ds, l
}

// mustLoad compiles src and fails the test on any error.
func mustLoad(t *testing.T, src string, opts Options) *plan.Plan {
	t.Helper()
	p, ds, l := loadString(t, "test.hcl", src, opts)
	if ds.HasErrors() {
		t.Fatalf("unexpected diagnostics:\n%s", renderText(t, ds, l.Sources()))
	}
	return p
}

func renderText(t *testing.T, ds diag.Diagnostics, sources map[string][]byte) string {
	t.Helper()
	var buf bytes.Buffer
	if err := diag.WriteText(&buf, ds, sources, false); err != nil {
		t.Fatal(err)
	}
	return buf.String()
}

// summaries lists the summaries of ds, for compact assertions.
func summaries(ds diag.Diagnostics) []string {
	out := []string{}
	for _, d := range ds {
		out = append(out, d.Summary)
	}
	return out
}
