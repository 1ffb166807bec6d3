package schemas

import (
	"fmt"
	"unicode/utf8"

	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/function"
)

// configFunctionNames are the functions a setting may call. They run once,
// when the pipeline is compiled; the functions that run over rows are the
// plan's builtins.
var configFunctionNames = []string{"env", "file"}

// funcError is a failure of a config-time function, carrying the diagnostic
// it becomes.
type funcError struct {
	summary string
	detail  string
}

func (e *funcError) Error() string { return e.summary + ": " + e.detail }

// configFuncs implements env() and file() over the injected environment and
// file system, so that tests never depend on the machine they run on.
type configFuncs struct {
	env      func(name string) (string, bool)
	readFile func(path string) ([]byte, error)
}

// envValue returns the environment variable name, or def when it is unset.
func (f configFuncs) envValue(name string, def *string) (string, error) {
	if v, ok := f.env(name); ok {
		return v, nil
	}
	if def != nil {
		return *def, nil
	}
	return "", &funcError{summary: "Environment variable not set",
		detail: fmt.Sprintf("The environment variable %s is not set, and env() was given no default. Set %s, or give a default as the second argument: env(%q, \"\").", name, name, name)}
}

// fileText returns the content of the file at path, which must be UTF-8.
// Relative paths are relative to the working directory, like source paths.
func (f configFuncs) fileText(path string) (string, error) {
	b, err := f.readFile(path)
	if err != nil {
		return "", &funcError{summary: "Cannot read file", detail: fmt.Sprintf("file(%q) cannot read the file: %s.", path, readProblem(err))}
	}
	if !utf8.Valid(b) {
		return "", &funcError{summary: "File is not text", detail: fmt.Sprintf("file(%q) reads UTF-8 text, and the file holds other bytes.", path)}
	}
	return string(b), nil
}

// functions returns env() and file() for an hcl.EvalContext.
func (f configFuncs) functions() map[string]function.Function {
	return map[string]function.Function{
		"env": function.New(&function.Spec{
			Description: "The value of an environment variable, or the default when it is unset.",
			Params:      []function.Parameter{{Name: "name", Type: cty.String}},
			VarParam:    &function.Parameter{Name: "default", Type: cty.String},
			Type:        function.StaticReturnType(cty.String),
			Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
				if len(args) > 2 {
					return cty.NilVal, function.NewArgErrorf(2, "env takes a name and an optional default, no more")
				}
				var def *string
				if len(args) == 2 {
					s := args[1].AsString()
					def = &s
				}
				v, err := f.envValue(args[0].AsString(), def)
				if err != nil {
					return cty.NilVal, err
				}
				return cty.StringVal(v), nil
			},
		}),
		"file": function.New(&function.Spec{
			Description: "The content of a text file.",
			Params:      []function.Parameter{{Name: "path", Type: cty.String}},
			Type:        function.StaticReturnType(cty.String),
			Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
				s, err := f.fileText(args[0].AsString())
				if err != nil {
					return cty.NilVal, err
				}
				return cty.StringVal(s), nil
			},
		}),
	}
}
