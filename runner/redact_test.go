package runner

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestVariablesMarkedSensitiveStayOutOfEveryOutput marks csv_path sensitive
// from the command line and from the environment: the path appears in no
// output of plan, plan -json or apply, nor in any report.
func TestVariablesMarkedSensitiveStayOutOfEveryOutput(t *testing.T) {
	const secret = "hunter2-secret"
	for _, tc := range []struct {
		name string
		env  string
		args []string
	}{
		{name: "flag", args: []string{"-sensitive-var", "csv_path"}},
		{name: "environment", env: "csv_path"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := newWorkspace(t)
			csv, _ := w.generate(secret+".csv", 200, 5)
			if tc.env != "" {
				t.Setenv("RUNNER_SENSITIVE_VARS", tc.env)
			}
			for _, command := range [][]string{
				{"plan"},
				{"plan", "-json"},
				{"apply", "-dry-run", "-store-dir", w.store},
				{"apply", "-dry-run", "-json", "-store-dir", w.store},
			} {
				args := append(append([]string{command[0], w.pipeline, "-var", "csv_path=" + csv}, command[1:]...), tc.args...)
				stdout, stderr, code := w.run(context.Background(), args...)
				if code != ExitOK {
					t.Fatalf("%v: exit %d\n%s\n%s", command, code, stdout, stderr)
				}
				for what, text := range map[string]string{"stdout": stdout, "stderr": stderr} {
					if strings.Contains(text, secret) {
						t.Errorf("%v prints the sensitive value on %s:\n%s", command, what, text)
					}
				}
				if !strings.Contains(stdout+stderr, "(sensitive)") {
					t.Errorf("%v does not say a value was hidden:\n%s", command, stdout)
				}
			}
			reports, err := filepath.Glob(filepath.Join(w.dir, "reports", "*", "*"))
			if err != nil || len(reports) == 0 {
				t.Fatalf("no reports (%v)", err)
			}
			for _, f := range reports {
				data, err := os.ReadFile(f)
				if err != nil {
					t.Fatal(err)
				}
				if strings.Contains(string(data), secret) {
					t.Errorf("%s holds the sensitive value", f)
				}
			}
		})
	}
}
