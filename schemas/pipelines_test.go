package schemas

import (
	"encoding/json"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"runner/stages/plan"
	"runner/stages/stagetest/golden"
)

// pipelinesDir holds the project's real pipelines, relative to this package.
const pipelinesDir = "../pipelines"

// healthcareHeader is the header of the hospital admissions dataset.
var healthcareHeader = []string{"Name", "Age", "Gender", "Blood Type", "Medical Condition", "Date of Admission", "Doctor",
	"Hospital", "Insurance Provider", "Billing Amount", "Room Number", "Admission Type", "Discharge Date", "Medication", "Test Results"}

// TestPipelines compiles every pipeline the project ships, as a user would
// run them from the repository root.
func TestPipelines(t *testing.T) {
	var files []string
	err := filepath.WalkDir(pipelinesDir, func(path string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(path, ".hcl") {
			files = append(files, path)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatal("no pipelines found")
	}
	for _, path := range files {
		t.Run(filepath.Base(path), func(t *testing.T) {
			src, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			name := strings.TrimPrefix(filepath.ToSlash(path), "../")
			p, ds, l := loadString(t, name, string(src), testOptions(nil, nil))
			if p == nil || len(ds) > 0 {
				t.Fatalf("%s does not compile cleanly:\n%s", name, renderText(t, ds, l.Sources()))
			}
			if len(p.Stages) == 0 {
				t.Error("the plan has no stages")
			}
		})
	}
}

// TestHealthcarePlan pins the compiled plan of the main example: any change
// to the language or the pipeline shows up as a diff of this golden file.
func TestHealthcarePlan(t *testing.T) {
	p := loadHealthcare(t, readHealthcare(t))
	if ds := CheckHeaders(p, healthcareHeader); len(ds) > 0 {
		t.Errorf("the pipeline does not match the dataset's header: %v", summaries(ds))
	}
	b, err := json.MarshalIndent(p, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	golden.Check(t, "testdata/plans/healthcare.json", append(b, '\n'))
}

func readHealthcare(t *testing.T) string {
	t.Helper()
	src, err := os.ReadFile(filepath.Join(pipelinesDir, "healthcare.hcl"))
	if err != nil {
		t.Fatal(err)
	}
	return string(src)
}

func loadHealthcare(t *testing.T, src string) *plan.Plan {
	t.Helper()
	p, ds, l := loadString(t, "pipelines/healthcare.hcl", src, testOptions(nil, nil))
	if p == nil || len(ds) > 0 {
		t.Fatalf("pipelines/healthcare.hcl does not compile cleanly:\n%s", renderText(t, ds, l.Sources()))
	}
	return p
}
