package schemas

import (
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"runner/schemas/diag"
)

// deepShapes are the inputs on which the HCL parser recurses once per level,
// each 100,000 levels deep: without a bound every one overflows the stack.
var deepShapes = []struct {
	name string
	src  string
	// line and column where the nesting crosses MaxNesting.
	line, col int
}{
	{name: "parentheses", src: "x = " + strings.Repeat("(", 100000) + "1" + strings.Repeat(")", 100000), line: 1, col: 4 + 65},
	{name: "brackets", src: "x = " + strings.Repeat("[", 100000), line: 1, col: 4 + 65},
	// each "${ opens two levels: the string and the interpolation.
	{name: "interpolations", src: "x = " + strings.Repeat(`"${`, 100000), line: 1, col: 4 + 32*3 + 1},
	{name: "template directives", src: "x = " + strings.Repeat(`"%{`, 100000), line: 1, col: 4 + 32*3 + 1},
	{name: "blocks", src: strings.Repeat("b {\n", 100000), line: 65, col: 3},
	{name: "negations", src: "x = " + strings.Repeat("!", 100000) + "true", line: 1, col: 4 + 65},
	{name: "minus signs", src: "x = " + strings.Repeat("-", 100000) + "1", line: 1, col: 4 + 65},
	{name: "conditionals", src: "x = " + strings.Repeat("a ? b : ", 100000) + "c", line: 1, col: 4 + 64*8 + 3},
	{name: "negations across lines in parentheses", src: "x = (\n" + strings.Repeat("!\n", 100000) + "true)", line: 65, col: 1},
	// the heredoc is one level and each ${ one more, crossing at the { of
	// the 64th.
	{name: "heredoc interpolations", src: "x = <<EOT\n" + strings.Repeat("${", 100000) + "\nEOT\n", line: 2, col: 64 * 2},
}

// maxParseAlloc bounds what rejecting a deep file may allocate: the file
// itself is 0.1 to 0.8 MB, the parser alone took 300 MB to 1.1 GB.
const maxParseAlloc = 50 << 20

func TestDeepNestingIsADiagnostic(t *testing.T) {
	entry := map[string]func(src []byte) diag.Diagnostics{
		"Load": func(src []byte) diag.Diagnostics {
			_, ds := NewLoader(testOptions(nil, nil)).Load("deep.hcl", src)
			return ds
		},
		"Format": func(src []byte) diag.Diagnostics {
			_, ds := Format("deep.hcl", src)
			return ds
		},
	}
	for _, shape := range deepShapes {
		for name, run := range entry {
			t.Run(shape.name+"/"+name, func(t *testing.T) {
				src := []byte(shape.src)
				var ds diag.Diagnostics
				alloc := allocated(func() { ds = run(src) })
				if len(ds) != 1 || ds[0].Summary != "Nesting too deep" {
					t.Fatalf("diagnostics = %v, want one Nesting too deep", summaries(ds))
				}
				at := ds[0].Subject
				if at.Filename != "deep.hcl" || at.Start.Line != shape.line || at.Start.Column != shape.col {
					t.Errorf("at %s:%d:%d, want deep.hcl:%d:%d", at.Filename, at.Start.Line, at.Start.Column, shape.line, shape.col)
				}
				if !strings.Contains(ds[0].Detail, "64 levels") {
					t.Errorf("detail %q does not name the limit", ds[0].Detail)
				}
				if alloc > maxParseAlloc {
					t.Errorf("allocated %d bytes, want at most %d", alloc, maxParseAlloc)
				}
			})
		}
	}
}

// allocated is how many bytes run allocates on the heap.
func allocated(run func()) uint64 {
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	run()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

// TestNestingThatIsNotDeep covers text the depth scan must not count: strings,
// comments, heredocs and escapes, binary operators, and expressions that end
// at a newline or comma.
func TestNestingThatIsNotDeep(t *testing.T) {
	many := func(s string) string { return strings.Repeat(s, 200) }
	tests := []struct{ name, src string }{
		{name: "parentheses in a string", src: `x = "` + many("(") + `"`},
		{name: "escaped quote in a string", src: `x = "\"` + many("(") + `"`},
		{name: "escaped interpolations", src: `x = "` + many("$${") + many("%%{") + `"`},
		{name: "hash comment", src: "# " + many("(") + "\nx = 1"},
		{name: "slash comment", src: "// " + many("${") + "\nx = 1"},
		{name: "block comment", src: "/* " + many("[") + " */ x = 1"},
		{name: "heredoc text", src: "x = <<-EOT\n  " + many("(") + "\n  EOT\ny = 1\n"},
		{name: "binary minus chain", src: "x = " + many("a - ") + "b"},
		{name: "inequality chain", src: "x = " + many("a != ") + "b"},
		{name: "dashed identifiers", src: "x = " + many("a-") + "b"},
		{name: "exponents", src: "x = [" + many("1e-5, ") + "]"},
		{name: "negations on separate lines", src: many("x = !true\n")},
		{name: "negative list items", src: "x = [" + many("-1, ") + "]"},
		{name: "conditionals in an object", src: "x = {\n" + many("a = b ? c : d\n") + "}"},
		{name: "balanced nesting repeated", src: many("x = ((((((((((1))))))))))\n")},
		{name: "closing brackets that match nothing", src: many(")") + many("}") + "x = 1"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if at, deep := tooDeep([]byte(tc.src)); deep {
				t.Errorf("reported too deep at byte %d", at)
			}
		})
	}
}

func TestFileTooLarge(t *testing.T) {
	dir := t.TempDir()
	huge := filepath.Join(dir, "huge.hcl")
	// A sparse file: large on disk, cheap to make, and reading it whole
	// would allocate far more than the bound below.
	if err := os.WriteFile(huge, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Truncate(huge, 200<<20); err != nil {
		t.Fatal(err)
	}
	justOver := filepath.Join(dir, "just_over.hcl")
	if err := os.WriteFile(justOver, []byte(strings.Repeat("#", MaxFileSize+1)), 0o600); err != nil {
		t.Fatal(err)
	}
	atLimit := filepath.Join(dir, "at_limit.hcl")
	if err := os.WriteFile(atLimit, []byte(strings.Repeat("#", MaxFileSize)), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		load    func(l *Loader) diag.Diagnostics
		wantMsg string
	}{
		{name: "huge pipeline file", load: func(l *Loader) diag.Diagnostics {
			_, ds := l.LoadFile(huge)
			return ds
		}, wantMsg: huge + " is 209715200 bytes, over the limit of 1048576 bytes"},
		{name: "pipeline file one byte over", load: func(l *Loader) diag.Diagnostics {
			_, ds := l.LoadFile(justOver)
			return ds
		}, wantMsg: justOver + " is 1048577 bytes, over the limit of 1048576 bytes"},
		{name: "huge variable file", load: func(l *Loader) diag.Diagnostics {
			l.opts.VarFiles = []string{huge}
			_, ds := l.Load("test.hcl", []byte(varPipeline))
			return ds
		}, wantMsg: huge + " is 209715200 bytes, over the limit of 1048576 bytes"},
		{name: "text given directly", load: func(l *Loader) diag.Diagnostics {
			_, ds := l.Load("big.hcl", make([]byte, MaxFileSize+1))
			return ds
		}, wantMsg: "big.hcl is 1048577 bytes, over the limit of 1048576 bytes"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			l := NewLoader(Options{Env: func(string) (string, bool) { return "", false }})
			var ds diag.Diagnostics
			alloc := allocated(func() { ds = tc.load(l) })
			if len(ds) != 1 || ds[0].Summary != "File too large" || !strings.Contains(ds[0].Detail, tc.wantMsg) {
				t.Fatalf("diagnostics = %+v, want one File too large saying %q", ds, tc.wantMsg)
			}
			if alloc > maxParseAlloc {
				t.Errorf("allocated %d bytes, want at most %d", alloc, maxParseAlloc)
			}
		})
	}
	t.Run("a file at the limit is read", func(t *testing.T) {
		src, err := ReadFileBounded(atLimit)
		if err != nil || len(src) != MaxFileSize {
			t.Fatalf("read %d bytes, error %v", len(src), err)
		}
	})
	t.Run("the error is typed", func(t *testing.T) {
		_, err := ReadFileBounded(huge)
		var big *FileTooLargeError
		if !errors.As(err, &big) || big.Size != 200<<20 {
			t.Fatalf("error = %v, want a FileTooLargeError of 200 MiB", err)
		}
	})
}

func TestDeepVariableFile(t *testing.T) {
	opts := testOptions(nil, map[string]string{"deep.hcl": "nulls = " + strings.Repeat("[", 100000)})
	opts.VarFiles = []string{"deep.hcl"}
	_, ds, _ := loadString(t, "test.hcl", varPipeline, opts)
	if len(ds) != 1 || ds[0].Summary != "Nesting too deep" || ds[0].Subject.Filename != "deep.hcl" {
		t.Fatalf("diagnostics = %v, want one Nesting too deep in deep.hcl", summaries(ds))
	}
}

func TestDeepEnvironmentValue(t *testing.T) {
	opts := testOptions(map[string]string{"RUNNER_VAR_nulls": strings.Repeat("(", 100000)}, nil)
	_, ds, _ := loadString(t, "test.hcl", varPipeline, opts)
	if len(ds) != 1 || ds[0].Summary != "Invalid value for variable" || !strings.Contains(ds[0].Detail, "nested too deep") {
		t.Fatalf("diagnostics = %+v, want one Invalid value for variable, nested too deep", ds)
	}
}
