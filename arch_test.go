package main

import (
	"encoding/json"
	"io"
	"os/exec"
	"strings"
	"testing"
)

// TestImportRules enforces the layout's dependency direction: the language
// (schemas) and the engine (stages) meet only in stages/plan, plain data
// that imports nothing outside the standard library, and their tests share
// stages/stagetest/golden, which imports neither; only the command line and
// the integration tests import runner.
func TestImportRules(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps=false", "-json", "./...").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	type pkg struct {
		ImportPath   string
		Imports      []string
		TestImports  []string
		XTestImports []string
	}
	var pkgs []pkg
	dec := json.NewDecoder(strings.NewReader(string(out)))
	for {
		var p pkg
		if err := dec.Decode(&p); err == io.EOF {
			break
		} else if err != nil {
			t.Fatal(err)
		}
		pkgs = append(pkgs, p)
	}
	rules := []struct {
		name      string
		applies   func(pkg string) bool
		forbidden func(imp string, test bool) bool
	}{
		{
			name:    "schemas never imports the engine, arrow or the MongoDB driver",
			applies: under("runner/schemas"),
			forbidden: func(imp string, test bool) bool {
				return (under("runner/stages")(imp) && imp != "runner/stages/plan" && !(test && imp == goldenPkg)) ||
					strings.HasPrefix(imp, "github.com/apache/arrow") || strings.HasPrefix(imp, "go.mongodb.org/")
			},
		},
		{
			name:    "stages/stagetest/golden imports neither half, arrow, hcl nor the MongoDB driver",
			applies: func(p string) bool { return p == goldenPkg },
			forbidden: func(imp string, _ bool) bool {
				return strings.HasPrefix(imp, "runner/") || strings.HasPrefix(imp, "github.com/apache/arrow") ||
					strings.HasPrefix(imp, "go.mongodb.org/") || strings.HasPrefix(imp, "github.com/hashicorp/hcl") ||
					strings.HasPrefix(imp, "github.com/zclconf/go-cty")
			},
		},
		{
			name:      "only tests import stages/stagetest/golden",
			applies:   func(string) bool { return true },
			forbidden: func(imp string, test bool) bool { return imp == goldenPkg && !test },
		},
		{
			name:    "stages never imports the language or hcl",
			applies: under("runner/stages"),
			forbidden: func(imp string, _ bool) bool {
				return under("runner/schemas")(imp) || strings.HasPrefix(imp, "github.com/hashicorp/hcl") ||
					strings.HasPrefix(imp, "github.com/zclconf/go-cty")
			},
		},
		{
			name:    "stages/plan is plain data: the standard library only",
			applies: func(p string) bool { return p == "runner/stages/plan" },
			forbidden: func(imp string, _ bool) bool {
				return strings.Contains(strings.SplitN(imp, "/", 2)[0], ".") || strings.HasPrefix(imp, "runner/")
			},
		},
		{
			name:      "only main and the integration tests import runner",
			applies:   func(p string) bool { return p != "runner" && !under("runner/integration")(p) },
			forbidden: func(imp string, _ bool) bool { return imp == "runner/runner" },
		},
	}
	checked := 0
	for _, p := range pkgs {
		for _, r := range rules {
			if !r.applies(p.ImportPath) {
				continue
			}
			checked++
			for _, imp := range p.Imports {
				if r.forbidden(imp, false) {
					t.Errorf("%s imports %s: %s", p.ImportPath, imp, r.name)
				}
			}
			for _, imp := range append(p.TestImports, p.XTestImports...) {
				if r.forbidden(imp, true) {
					t.Errorf("%s's tests import %s: %s", p.ImportPath, imp, r.name)
				}
			}
		}
	}
	if checked == 0 {
		t.Fatal("no package was checked: go list returned nothing usable")
	}
}

// goldenPkg is the golden-file helper every package's tests share.
const goldenPkg = "runner/stages/stagetest/golden"

func under(prefix string) func(string) bool {
	return func(p string) bool { return p == prefix || strings.HasPrefix(p, prefix+"/") }
}
