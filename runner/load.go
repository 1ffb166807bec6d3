package runner

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"runner/schemas"
	"runner/schemas/diag"
	"runner/stages/plan"
)

// pipelineFlags are the flags of every command that loads a pipeline.
type pipelineFlags struct {
	vars          []string
	varFiles      []string
	sensitiveVars []string
	json          bool
}

func (f *pipelineFlags) register(cmd *cobra.Command) {
	cmd.Flags().StringArrayVar(&f.vars, "var", nil, "set a variable: -var name=value (repeatable; wins over -var-file, RUNNER_VAR_name and defaults)")
	cmd.Flags().StringArrayVar(&f.varFiles, "var-file", nil, "read variables from a file of `name = value` lines (repeatable)")
	cmd.Flags().StringArrayVar(&f.sensitiveVars, "sensitive-var", nil, "treat a variable as sensitive, as `sensitive = true` does (repeatable; RUNNER_SENSITIVE_VARS=a,b too)")
	cmd.Flags().BoolVar(&f.json, "json", false, "print machine-readable JSON on standard output")
}

// loaded is a pipeline file that compiled, with the loader that keeps its
// source for diagnostics found later (a missing CSV header).
type loaded struct {
	plan   *plan.Plan
	loader *schemas.Loader
	diags  diag.Diagnostics
}

// load compiles a pipeline file and prints its diagnostics. Errors return
// the ExitInvalid code, already reported.
func (a *app) load(path string, f pipelineFlags) (*loaded, error) {
	vars := map[string]string{}
	for _, v := range f.vars {
		name, value, ok := strings.Cut(v, "=")
		if !ok || name == "" {
			return nil, withCode(ExitInvalid, fmt.Errorf("-var %q: write -var name=value", v))
		}
		vars[name] = value
	}
	loader := schemas.NewLoader(schemas.Options{Vars: vars, VarFiles: f.varFiles, SensitiveVars: f.sensitiveVars, Env: a.lookupEnv, ReadFile: a.readFile})
	p, diags := loader.LoadFile(path)
	if err := a.printDiagnostics(loader.Sources(), diags, f.json); err != nil {
		return nil, err
	}
	if diags.HasErrors() {
		return nil, reported(ExitInvalid)
	}
	a.redactOutput(p)
	return &loaded{plan: p, loader: loader, diags: diags}, nil
}

// printDiagnostics renders diagnostics on standard error, or as JSON on
// standard output when asked (only when there are errors: a JSON command
// prints its own result otherwise, with warnings inside).
func (a *app) printDiagnostics(sources map[string][]byte, diags diag.Diagnostics, asJSON bool) error {
	if len(diags) == 0 {
		return nil
	}
	if asJSON {
		if !diags.HasErrors() {
			return nil
		}
		return a.printJSON(diag.JSON(diags, sources))
	}
	if err := diag.WriteText(a.stderr, diags, sources, a.terminal); err != nil {
		return err
	}
	errs, warns := 0, 0
	for _, d := range diags {
		if d.Severity == diag.Error {
			errs++
		} else {
			warns++
		}
	}
	fmt.Fprintf(a.stderr, "%s, %s.\n", count(errs, "error"), count(warns, "warning"))
	return nil
}

func (a *app) printJSON(v any) error {
	enc := json.NewEncoder(a.stdout)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		return fmt.Errorf("write JSON: %w", err)
	}
	return nil
}

func count(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}
