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

// TestSourceRejectsMaskSensitiveFields breaks the UTF-8 of a sensitive
// column's field: the reject names the CSV field, and its value is masked
// all the same.
func TestSourceRejectsMaskSensitiveFields(t *testing.T) {
	w := newWorkspace(t)
	w.pipeline = w.variant("sensitive.hcl", "required = true\n}", "required = true\n  sensitive = true\n}")
	csv, _ := w.generate("admissions.csv", 100, 3)
	appendLines(t, csv, "Bo\xffby Jackson,44,Male,B-,Asthma,2024-01-02,Dr Y,Hospital,Aetna,12.25,107,Elective,2024-01-09,Aspirin,Normal")
	run, stderr, code := w.apply(csv, "-dry-run")
	if code != ExitOK || run.Reconciliation.RowsRejected != 1 {
		t.Fatalf("exit %d, reconciliation %+v: %s\n%s", code, run.Reconciliation, run.Error, stderr)
	}
	data, err := os.ReadFile(filepath.Join(w.dir, "reports", "latest", "rejects.csv"))
	if err != nil {
		t.Fatal(err)
	}
	rows := strings.Split(strings.TrimSpace(string(data)), "\n")
	if len(rows) != 2 {
		t.Fatalf("rejects.csv holds %d lines, want a header and one reject:\n%s", len(rows), data)
	}
	fields := strings.SplitN(rows[1], ",", 5)
	if fields[2] != "Name" || fields[3] != "(sensitive)" {
		t.Errorf("the reject reads field %q, value %q; want Name and (sensitive):\n%s", fields[2], fields[3], rows[1])
	}
}
