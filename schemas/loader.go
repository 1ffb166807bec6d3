package schemas

import (
	"maps"
	"os"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"

	"runner/schemas/diag"
	"runner/stages/plan"
)

// Options are the inputs of a pipeline besides its file.
type Options struct {
	// Vars are the -var name=value flags.
	Vars map[string]string
	// VarFiles are the -var-file paths, in the order given; later files win.
	VarFiles []string
	// Env looks up an environment variable (os.LookupEnv when nil). It serves
	// env(), RUNNER_VAR_<name> and MONGO_URI.
	Env func(name string) (string, bool)
	// ReadFile reads a file (ReadFileBounded when nil): the pipeline file,
	// var files and file().
	ReadFile func(path string) ([]byte, error)
	// SensitiveVars are the -sensitive-var names: variables to treat as
	// sensitive although their block does not say so. RUNNER_SENSITIVE_VARS
	// (names separated by commas) adds to them.
	SensitiveVars []string
}

// Loader compiles pipeline files. It keeps the text of every file it read
// (pipelines and var files) so that diagnostics can show snippets.
type Loader struct {
	opts    Options
	sources map[string][]byte
}

// NewLoader returns a Loader with the given options.
func NewLoader(opts Options) *Loader {
	if opts.Env == nil {
		opts.Env = os.LookupEnv
	}
	if opts.ReadFile == nil {
		opts.ReadFile = ReadFileBounded
	}
	return &Loader{opts: opts, sources: map[string][]byte{}}
}

// LoadFile reads and compiles the pipeline file at path. The plan is nil when
// there are errors; warnings may come with a plan.
func (l *Loader) LoadFile(path string) (*plan.Plan, diag.Diagnostics) {
	src, err := l.opts.ReadFile(path)
	if err != nil {
		return nil, diag.Diagnostics{readDiagnostic(err, "Cannot read pipeline file", "%s cannot be read", path)}
	}
	return l.Load(path, src)
}

// Load compiles a pipeline file's text; filename names it in diagnostics and
// source ranges. The plan is nil when there are errors, and the diagnostics
// are sorted by position. A file that is not UTF-8 text gets one diagnostic
// and is not parsed.
func (l *Loader) Load(filename string, src []byte) (*plan.Plan, diag.Diagnostics) {
	l.sources[filename] = src
	if ds := sourceProblems(filename, src, "a pipeline file"); ds.HasErrors() {
		return nil, ds
	}
	file, hd := hclsyntax.ParseConfig(src, filename, hcl.InitialPos)
	diags := fromHCL(hd)
	var p *plan.Plan
	// A file that does not parse is not decoded: its tree is partial, and
	// every problem found in it would be a consequence of the syntax error.
	// Nor is one with a number too large to handle.
	if !hd.HasErrors() {
		diags = append(diags, numberProblems(file.Body.(*hclsyntax.Body))...)
	}
	if !diags.HasErrors() {
		s, ds := l.decodeFile(file.Body.(*hclsyntax.Body))
		diags = append(diags, ds...)
		var cs diag.Diagnostics
		p, cs = compile(s)
		diags = append(diags, cs...)
		diags.Redact(plan.NewRedactor(s.Variables.secrets))
	}
	diags.Sort()
	if diags.HasErrors() {
		return nil, diags
	}
	return p, diags
}

// Sources returns the text of every file the loader has read, by the name
// diagnostics use, for rendering snippets.
func (l *Loader) Sources() map[string][]byte {
	return maps.Clone(l.sources)
}
