package schemas

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"runner/stages/plan"
)

// varPipeline declares one variable of each kind the tests need. %s is
// replaced by extra blocks or attributes.
const varPipeline = `
pipeline "people" {
}

variable "csv_path" {
  type    = string
  default = "data/people.csv"
}

variable "batch" {
  type    = number
  default = 8192
}

variable "tagged" {
  type    = bool
  default = true
}

variable "nulls" {
  type    = list(string)
  default = [""]
}

source "csv" {
  path        = var.csv_path
  batch_size  = var.batch
  null_values = var.nulls
}

column "name" {
  from = "Name"
}

document {
  name   = col.name
  tagged = var.tagged
}

target "mongodb" {
  database   = "crm"
  collection = "people"
}
`

func TestVariablePrecedence(t *testing.T) {
	tests := []struct {
		name       string
		env        map[string]string
		files      map[string]string
		varFiles   []string
		vars       map[string]string
		wantPath   string
		wantOrigin string
	}{
		{name: "default", wantPath: "data/people.csv", wantOrigin: "default"},
		{name: "environment over default", env: map[string]string{"RUNNER_VAR_csv_path": "env.csv"},
			wantPath: "env.csv", wantOrigin: "env RUNNER_VAR_csv_path"},
		{name: "var file over environment", env: map[string]string{"RUNNER_VAR_csv_path": "env.csv"},
			files: map[string]string{"a.hcl": `csv_path = "file.csv"`}, varFiles: []string{"a.hcl"},
			wantPath: "file.csv", wantOrigin: "-var-file a.hcl"},
		{name: "later var file wins",
			files:    map[string]string{"a.hcl": `csv_path = "a.csv"`, "b.hcl": `csv_path = "b.csv"`},
			varFiles: []string{"a.hcl", "b.hcl"}, wantPath: "b.csv", wantOrigin: "-var-file b.hcl"},
		{name: "var flag over everything", env: map[string]string{"RUNNER_VAR_csv_path": "env.csv"},
			files: map[string]string{"a.hcl": `csv_path = "file.csv"`}, varFiles: []string{"a.hcl"},
			vars: map[string]string{"csv_path": "flag.csv"}, wantPath: "flag.csv", wantOrigin: "-var"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			opts := testOptions(tc.env, tc.files)
			opts.VarFiles, opts.Vars = tc.varFiles, tc.vars
			p := mustLoad(t, varPipeline, opts)
			if p.Source.Path != tc.wantPath {
				t.Errorf("path = %q, want %q", p.Source.Path, tc.wantPath)
			}
			if got := p.Variables[0].Origin; got != tc.wantOrigin {
				t.Errorf("origin = %q, want %q", got, tc.wantOrigin)
			}
		})
	}
}

func TestVariableFlagParsing(t *testing.T) {
	tests := []struct {
		name      string
		vars      map[string]string
		check     func(t *testing.T, p *plan.Plan)
		wantError string
	}{
		{name: "string is taken as written", vars: map[string]string{"csv_path": `"quoted".csv`},
			check: func(t *testing.T, p *plan.Plan) {
				if p.Source.Path != `"quoted".csv` {
					t.Errorf("path = %q", p.Source.Path)
				}
			}},
		{name: "number", vars: map[string]string{"batch": "500"},
			check: func(t *testing.T, p *plan.Plan) {
				if p.Source.BatchRows != 500 {
					t.Errorf("batch rows = %d", p.Source.BatchRows)
				}
			}},
		{name: "bool", vars: map[string]string{"tagged": "false"},
			check: func(t *testing.T, p *plan.Plan) {
				if v := p.Document.Fields[1].Expr.Value; v.Type != plan.TypeBool || v.Bool {
					t.Errorf("tagged = %v, want false", v)
				}
			}},
		{name: "list of strings", vars: map[string]string{"nulls": `["", "NA"]`},
			check: func(t *testing.T, p *plan.Plan) {
				if diff := cmp.Diff([]string{"", "NA"}, p.Source.NullValues); diff != "" {
					t.Error(diff)
				}
			}},
		{name: "not a number", vars: map[string]string{"batch": "lots"}, wantError: "Invalid value for variable"},
		{name: "not a list", vars: map[string]string{"nulls": `"NA"`}, wantError: "Invalid value for variable"},
		{name: "number out of range", vars: map[string]string{"batch": "1e99999999"}, wantError: "Invalid value for variable"},
		{name: "undeclared", vars: map[string]string{"csv_pth": "x.csv"}, wantError: "Undeclared variable"},
		{name: "nested too deep", vars: map[string]string{"nulls": strings.Repeat("[", 100000)}, wantError: "Invalid value for variable"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			opts := testOptions(nil, nil)
			opts.Vars = tc.vars
			p, ds, l := loadString(t, "test.hcl", varPipeline, opts)
			if tc.wantError != "" {
				if p != nil || !strings.Contains(strings.Join(summaries(ds), "\n"), tc.wantError) {
					t.Fatalf("want a %q error, got:\n%s", tc.wantError, renderText(t, ds, l.Sources()))
				}
				return
			}
			if p == nil {
				t.Fatalf("unexpected diagnostics:\n%s", renderText(t, ds, l.Sources()))
			}
			tc.check(t, p)
		})
	}
}

func TestUndeclaredVariableSuggestion(t *testing.T) {
	opts := testOptions(nil, nil)
	opts.Vars = map[string]string{"csv_pth": "x.csv"}
	_, ds, _ := loadString(t, "test.hcl", varPipeline, opts)
	if len(ds) != 1 || ds[0].Subject != nil || !strings.Contains(ds[0].Detail, `Did you mean "csv_path"?`) {
		t.Fatalf("want one sourceless error suggesting csv_path, got %+v", ds)
	}
}

func TestVarFileUndeclaredIsWarning(t *testing.T) {
	opts := testOptions(nil, map[string]string{"a.hcl": "csv_path = \"a.csv\"\nbacth = 10\n"})
	opts.VarFiles = []string{"a.hcl"}
	p, ds, l := loadString(t, "test.hcl", varPipeline, opts)
	if p == nil || len(ds) != 1 || ds[0].Summary != "Undeclared variable" || ds[0].Subject.Filename != "a.hcl" {
		t.Fatalf("want a plan and one warning in a.hcl, got:\n%s", renderText(t, ds, l.Sources()))
	}
	if !strings.Contains(renderText(t, ds, l.Sources()), "bacth = 10") {
		t.Error("the warning's snippet does not show the var file's line")
	}
}

func TestVariableWithoutValue(t *testing.T) {
	src := strings.Replace(varPipeline, "  default = \"data/people.csv\"\n", "", 1)
	_, ds, _ := loadString(t, "test.hcl", src, testOptions(nil, nil))
	if diff := cmp.Diff([]string{"No value for variable"}, summaries(ds)); diff != "" {
		t.Fatal(diff)
	}
	if !strings.Contains(ds[0].Detail, "RUNNER_VAR_csv_path") {
		t.Errorf("the detail does not say how to give a value: %s", ds[0].Detail)
	}
}

func TestSensitiveVariable(t *testing.T) {
	const secret = "mongodb://writer:s3cret@db.example.com"
	src := strings.Replace(varPipeline, "target \"mongodb\" {", "variable \"uri\" {\n  type      = string\n  sensitive = true\n}\n\ntarget \"mongodb\" {\n  uri        = var.uri", 1)
	opts := testOptions(nil, nil)
	opts.Vars = map[string]string{"uri": secret}
	p := mustLoad(t, src, opts)
	v := p.Variables[len(p.Variables)-1]
	if v.Value != "(sensitive)" || !v.Sensitive || v.Origin != "-var" {
		t.Errorf("variable = %+v, want its value masked", v)
	}
	if diff := cmp.Diff([]string{secret}, p.Secrets); diff != "" {
		t.Errorf("secrets (-want +got):\n%s", diff)
	}
	if p.Target.URI != secret {
		t.Errorf("the target did not receive the URI")
	}
	b, err := json.Marshal(p)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(b), "s3cret") {
		t.Error("the serialised plan contains the secret")
	}

}

// A value that does not parse gets one diagnostic that shows the value (or
// hides it when the variable is sensitive), and no second, false "No value
// for variable".
func TestInvalidRawValue(t *testing.T) {
	const pin = "variable \"pin\" {\n  type      = number\n  sensitive = true\n}\n\n"
	src := pin + strings.Replace(varPipeline, "  default = 8192\n", "", 1)
	tests := []struct {
		name       string
		env        map[string]string
		vars       map[string]string
		wantDetail string
	}{
		{name: "word for a number", vars: map[string]string{"batch": "abc", "pin": "1"},
			wantDetail: `-var batch: variable "batch" is a number; "abc" is not a number. Write it as in a pipeline file, for example 42 or 0.5.`},
		{name: "sensitive value is hidden", vars: map[string]string{"batch": "1", "pin": "s3cret"},
			wantDetail: `-var pin: variable "pin" is a number; (sensitive) is not a number. Write it as in a pipeline file, for example 42 or 0.5.`},
		{name: "environment", env: map[string]string{"RUNNER_VAR_batch": "12 rows"}, vars: map[string]string{"pin": "1"},
			wantDetail: `The environment variable RUNNER_VAR_batch: variable "batch" is a number; "12 rows" is not a number. Write it as in a pipeline file, for example 42 or 0.5.`},
		{name: "list", vars: map[string]string{"batch": "1", "pin": "1", "nulls": `"NA"`},
			wantDetail: `-var nulls: variable "nulls" is of type list(string); "\"NA\"" is not of type list(string). Write it as in a pipeline file, for example ["a", "b"].`},
		{name: "out of range", vars: map[string]string{"batch": "1e99999999", "pin": "1"},
			wantDetail: `-var batch: variable "batch" is a number; "1e99999999" is beyond the range of a float64. Write it as in a pipeline file, for example 42 or 0.5.`},
		{name: "control characters escaped and long value cut", vars: map[string]string{"batch": "\x1b[2J" + strings.Repeat("9", 50), "pin": "1"},
			wantDetail: `-var batch: variable "batch" is a number; "\x1b[2J` + strings.Repeat("9", 36) + `"... is not a number. Write it as in a pipeline file, for example 42 or 0.5.`},
		{name: "connection string redacted", vars: map[string]string{"batch": "mongodb://u:hunter2@db", "pin": "1"},
			wantDetail: `-var batch: variable "batch" is a number; "mongodb://u:***@db" is not a number. Write it as in a pipeline file, for example 42 or 0.5.`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			opts := testOptions(tc.env, nil)
			opts.Vars = tc.vars
			_, ds, l := loadString(t, "test.hcl", src, opts)
			if len(ds) != 1 || ds[0].Summary != "Invalid value for variable" {
				t.Fatalf("want one Invalid value for variable, got:\n%s", renderText(t, ds, l.Sources()))
			}
			if diff := cmp.Diff(tc.wantDetail, ds[0].Detail); diff != "" {
				t.Errorf("detail (-want +got):\n%s", diff)
			}
		})
	}
}

// A var file's invalid value is reported once, not also as a missing value.
func TestVarFileInvalidValueReportedOnce(t *testing.T) {
	src := strings.Replace(varPipeline, "  default = 8192\n", "", 1)
	opts := testOptions(nil, map[string]string{"a.hcl": "batch = \"lots\"\n"})
	opts.VarFiles = []string{"a.hcl"}
	_, ds, l := loadString(t, "test.hcl", src, opts)
	if diff := cmp.Diff([]string{"Invalid value for variable"}, summaries(ds)); diff != "" {
		t.Fatalf("diagnostics (-want +got):\n%s\n%s", diff, renderText(t, ds, l.Sources()))
	}
}

func TestConfigFunctions(t *testing.T) {
	tests := []struct {
		name      string
		path      string
		env       map[string]string
		wantPath  string
		wantError string
	}{
		{name: "env set", path: `env("CSV")`, env: map[string]string{"CSV": "from-env.csv"}, wantPath: "from-env.csv"},
		{name: "env default", path: `env("CSV", "fallback.csv")`, wantPath: "fallback.csv"},
		{name: "env unset without default", path: `env("CSV")`, wantError: "Environment variable not set"},
		{name: "env too many arguments", path: `env("CSV", "a", "b")`, wantError: "Invalid function argument"},
		{name: "file", path: `file("secrets/salt.txt")`, wantPath: "pepper"},
		{name: "missing file", path: `file("nope.txt")`, wantError: "Cannot read file"},
		{name: "template with env", path: `"${env("DATA_DIR")}/people.csv"`, wantPath: "data/people.csv"},
		{name: "glob kept as given", path: `"data/2024-*/people[0-9].csv"`, wantPath: "data/2024-*/people[0-9].csv"},
		{name: "invalid glob", path: `"data/[people.csv"`, wantError: "Invalid path"},
		{name: "column function", path: `lower("A.csv")`, wantError: "Function not available in a setting"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			src := strings.Replace(varPipeline, "path        = var.csv_path", "path        = "+tc.path, 1)
			p, ds, l := loadString(t, "test.hcl", src, testOptions(tc.env, nil))
			if tc.wantError != "" {
				if diff := cmp.Diff([]string{tc.wantError}, summaries(ds)); diff != "" {
					t.Fatalf("diagnostics (-want +got):\n%s\n%s", diff, renderText(t, ds, l.Sources()))
				}
				return
			}
			if p == nil {
				t.Fatalf("unexpected diagnostics:\n%s", renderText(t, ds, l.Sources()))
			}
			if p.Source.Path != tc.wantPath {
				t.Errorf("path = %q, want %q", p.Source.Path, tc.wantPath)
			}
		})
	}
}

func TestTargetURI(t *testing.T) {
	tests := []struct {
		name    string
		uri     string
		env     map[string]string
		wantURI string
	}{
		{name: "embedded by default", wantURI: ""},
		{name: "MONGO_URI when uri is absent", env: map[string]string{"MONGO_URI": "mongodb://db:27017"}, wantURI: "mongodb://db:27017"},
		{name: "an explicit empty uri keeps the embedded store", uri: `""`, env: map[string]string{"MONGO_URI": "mongodb://db:27017"}, wantURI: ""},
		{name: "literal", uri: `"mongodb+srv://cluster.example.com"`, wantURI: "mongodb+srv://cluster.example.com"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			src := varPipeline
			if tc.uri != "" {
				src = strings.Replace(src, `database   = "crm"`, "uri = "+tc.uri+"\n  database   = \"crm\"", 1)
			}
			p := mustLoad(t, src, testOptions(tc.env, nil))
			if p.Target.URI != tc.wantURI {
				t.Errorf("uri = %q, want %q", p.Target.URI, tc.wantURI)
			}
		})
	}
}

func TestLoadFile(t *testing.T) {
	l := NewLoader(testOptions(nil, map[string]string{"pipelines/people.hcl": varPipeline}))
	if p, ds := l.LoadFile("pipelines/people.hcl"); p == nil || len(ds) > 0 {
		t.Fatalf("LoadFile: plan %v, diagnostics %v", p != nil, summaries(ds))
	}
	if got := string(l.Sources()["pipelines/people.hcl"]); got != varPipeline {
		t.Error("the loader did not keep the file's text for snippets")
	}

	opts := testOptions(nil, nil)
	if _, ds := NewLoader(opts).LoadFile("pipelines/nope.hcl"); len(ds) != 1 || ds[0].Detail != "pipelines/nope.hcl cannot be read: file does not exist." {
		t.Errorf("missing pipeline file: %+v", ds)
	}
	opts.VarFiles = []string{"nope.hcl"}
	_, ds, _ := loadString(t, "test.hcl", varPipeline, opts)
	if len(ds) != 1 || ds[0].Detail != "-var-file nope.hcl cannot be read: file does not exist." {
		t.Errorf("missing var file: %+v", ds)
	}
}

// A connection string given to a variable that is not sensitive still
// shows without its password in the plan.
func TestVariableValueRedactsURIs(t *testing.T) {
	opts := testOptions(nil, nil)
	opts.Vars = map[string]string{"csv_path": "mongodb://writer:hunter2-secret@db:27017/"}
	p := mustLoad(t, varPipeline, opts)
	for _, v := range p.Variables {
		if v.Name == "csv_path" && v.Value != `"mongodb://writer:***@db:27017/"` {
			t.Errorf("var.csv_path shows as %s, want the URI redacted", v.Value)
		}
	}
}

// TestVariablesMarkedSensitiveFromOutside marks a variable that the file
// leaves plain as sensitive, by option and by environment: its value is
// masked and joins the secrets every output is scrubbed of.
func TestVariablesMarkedSensitiveFromOutside(t *testing.T) {
	const secret = "data/hunter2-secret.csv"
	for _, tc := range []struct {
		name      string
		env       map[string]string
		sensitive []string
		wantError string
	}{
		{name: "flag", sensitive: []string{"csv_path"}},
		{name: "environment", env: map[string]string{"RUNNER_SENSITIVE_VARS": " batch , csv_path"}},
		{name: "undeclared", sensitive: []string{"csv_pth"}, wantError: `-sensitive-var marks "csv_pth" sensitive, but the pipeline declares no variable of that name. Did you mean "csv_path"?`},
		{name: "undeclared in the environment", env: map[string]string{"RUNNER_SENSITIVE_VARS": "nope"}, wantError: `RUNNER_SENSITIVE_VARS marks "nope" sensitive`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			opts := testOptions(tc.env, nil)
			opts.Vars = map[string]string{"csv_path": secret}
			opts.SensitiveVars = tc.sensitive
			p, ds, l := loadString(t, "test.hcl", varPipeline, opts)
			if tc.wantError != "" {
				var details []string
				for _, d := range ds {
					details = append(details, d.Detail)
				}
				if got := strings.Join(details, "\n"); !ds.HasErrors() || !strings.Contains(got, tc.wantError) {
					t.Fatalf("diagnostics:\n%s\nwant an error containing %q", got, tc.wantError)
				}
				return
			}
			if ds.HasErrors() {
				t.Fatalf("unexpected diagnostics:\n%s", renderText(t, ds, l.Sources()))
			}
			for _, v := range p.Variables {
				if v.Name == "csv_path" && (v.Value != "(sensitive)" || !v.Sensitive) {
					t.Errorf("csv_path = %+v, want it masked", v)
				}
			}
			if !slices.Contains(p.Secrets, secret) {
				t.Errorf("secrets %q do not hold the value", p.Secrets)
			}
			if p.Source.Path != secret {
				t.Errorf("the source path is %q: marking a variable sensitive must not change its value", p.Source.Path)
			}
		})
	}
}

// TestDiagnosticsHideSensitiveValues makes a sensitive variable's value the
// cause of a diagnostic: the message says (sensitive) instead.
func TestDiagnosticsHideSensitiveValues(t *testing.T) {
	const secret = "Top.Secret(("
	src := strings.Replace(varPipeline, "column \"name\" {\n  from = \"Name\"\n}",
		"variable \"pattern\" {\n  type      = string\n  sensitive = true\n}\n\ncolumn \"name\" {\n  from  = \"Name\"\n  clean = [regex_replace(var.pattern, \"\")]\n}", 1)
	opts := testOptions(nil, nil)
	opts.Vars = map[string]string{"pattern": secret}
	_, ds, l := loadString(t, "test.hcl", src, opts)
	if !ds.HasErrors() {
		t.Fatal("an invalid regular expression passed")
	}
	text := renderText(t, ds, l.Sources())
	if strings.Contains(text, "Top.Secret") {
		t.Errorf("the diagnostics show the sensitive value:\n%s", text)
	}
	if !strings.Contains(text, "(sensitive)") {
		t.Errorf("the diagnostics do not say a value was hidden:\n%s", text)
	}
}

// TestSensitivityFollowsDerivedColumns derives columns from a sensitive one:
// each is sensitive too, through a chain, except the sha256 pseudonym.
func TestSensitivityFollowsDerivedColumns(t *testing.T) {
	src := strings.Replace(varPipeline, "column \"name\" {\n  from = \"Name\"\n}", `column "name" {
  from      = "Name"
  sensitive = true
}

column "shout" {
  expr = upper(col.name)
}

column "shout_twice" {
  expr = concat(col.shout, "!")
}

column "key" {
  expr = sha256(col.name)
}

column "plain" {
  expr = upper(var.csv_path)
}`, 1)
	p := mustLoad(t, src, testOptions(nil, nil))
	want := map[string]bool{"name": true, "shout": true, "shout_twice": true, "key": false, "plain": false}
	for name, sensitive := range want {
		c, _ := p.Column(name)
		if c == nil {
			t.Fatalf("no column %q", name)
		}
		if c.Sensitive != sensitive {
			t.Errorf("column %s: sensitive %v, want %v", name, c.Sensitive, sensitive)
		}
	}
}
