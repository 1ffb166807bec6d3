package runner

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"runner/schemas"
	"runner/schemas/diag"
	"runner/stages/report"
)

func TestValidate(t *testing.T) {
	w := newWorkspace(t)
	stdout, stderr, code := w.run(context.Background(), "validate", w.pipeline)
	if code != ExitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	mustContain(t, stdout, "is valid")

	broken := w.variant("broken.hcl", "col.admitted_on, col.discharged_on", "col.admited_on, col.discharged_on")
	_, stderr, code = w.run(context.Background(), "validate", broken)
	if code != ExitInvalid {
		t.Fatalf("exit %d, want %d", code, ExitInvalid)
	}
	mustContain(t, stderr, "Error: Unknown column")
	mustContain(t, stderr, "broken.hcl:")
	mustContain(t, stderr, `Did you mean "admitted_on"?`)

	stdout, _, code = w.run(context.Background(), "validate", broken, "-json")
	var rep diag.Report
	if err := json.Unmarshal([]byte(stdout), &rep); err != nil || code != ExitInvalid || rep.Valid || rep.ErrorCount != 1 {
		t.Fatalf("validate -json: exit %d, %+v, %v\n%s", code, rep, err, stdout)
	}
}

func TestPlanShowsSamplesAndMasksSensitiveColumns(t *testing.T) {
	w := newWorkspace(t)
	csv, _ := w.generate("admissions.csv", 50, 2)
	sensitive := w.variant("sensitive.hcl", `  clean    = [trim, collapse_spaces, person_name]
  required = true`, `  clean     = [trim, collapse_spaces, person_name]
  required  = true
  sensitive = true`)
	stdout, stderr, code := w.run(context.Background(), "plan", sensitive, "-var", "csv_path="+csv, "-store-dir", w.store)
	if code != ExitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	for _, want := range []string{"Stages", "1. source.csv", "Document schema", "patient.name", "Sample documents", `"$date"`,
		`"name": "(sensitive)"`, "Target medical_records.admissions", "does not exist yet"} {
		mustContain(t, stdout, want)
	}
	if strings.Count(stdout, "  line ") != sampleDocuments {
		t.Errorf("plan shows %d sample documents, want %d", strings.Count(stdout, "  line "), sampleDocuments)
	}
}

func TestPlanReportsMissingHeaderWithTheHeaders(t *testing.T) {
	w := newWorkspace(t)
	csv, _ := w.generate("admissions.csv", 10, 2)
	typo := w.variant("typo.hcl", `from     = "Date of Admission"`, `from     = "Date Of Admission"`)
	_, stderr, code := w.run(context.Background(), "plan", typo, "-var", "csv_path="+csv, "-store-dir", w.store)
	if code != ExitInvalid {
		t.Fatalf("exit %d, want %d\n%s", code, ExitInvalid, stderr)
	}
	text := strings.Join(strings.Fields(stderr), " ") // the detail is wrapped
	mustContain(t, text, `Did you mean "Date of Admission"?`)
	mustContain(t, text, "The header has: Name, Age, Gender, Blood Type,")
	mustContain(t, stderr, "typo.hcl:")
}

func TestFmt(t *testing.T) {
	w := newWorkspace(t)
	messy := filepath.Join(w.dir, "messy.hcl")
	if err := os.WriteFile(messy, []byte("pipeline \"x\" {\ndescription=\"y\"\n}\n"), 0o640); err != nil {
		t.Fatal(err)
	}
	stdout, _, code := w.run(context.Background(), "fmt", "-check", w.dir)
	if code != ExitCheckFailed || !strings.Contains(stdout, "messy.hcl") {
		t.Fatalf("fmt -check: exit %d, output %q", code, stdout)
	}
	if _, _, code := w.run(context.Background(), "fmt", messy); code != ExitOK {
		t.Fatalf("fmt: exit %d", code)
	}
	got, _ := os.ReadFile(messy)
	if string(got) != "pipeline \"x\" {\n  description = \"y\"\n}\n" {
		t.Errorf("formatted file = %q", got)
	}
	if info, _ := os.Stat(messy); info.Mode().Perm() != 0o640 {
		t.Errorf("fmt changed the file's mode to %v", info.Mode().Perm())
	}
	if _, _, code := w.run(context.Background(), "fmt", "-check", w.dir); code != ExitOK {
		t.Errorf("fmt -check after fmt: exit %d", code)
	}
	if _, _, code := w.run(context.Background(), "fmt", "-check", filepath.Dir(w.healthcare)); code != ExitOK {
		t.Errorf("the project's pipelines are not formatted (exit %d)", code)
	}
}

// TestFmtRejectsHugeAndDeepFiles: fmt reads with the same bound as the
// loader, so a huge file is not read whole, and reports nesting the parser
// could not survive.
func TestFmtRejectsHugeAndDeepFiles(t *testing.T) {
	const maxAlloc = 50 << 20
	tests := []struct {
		name, src string
		size      int64 // grown as a sparse file past src
		want      string
	}{
		{name: "huge.hcl", size: 200 << 20, want: "is 209715200 bytes, over the limit of 1048576 bytes"},
		{name: "just_over.hcl", src: strings.Repeat("#", schemas.MaxFileSize+1), want: "is 1048577 bytes, over the limit of 1048576 bytes"},
		{name: "deep.hcl", src: "x = " + strings.Repeat("(", 100000), want: "deep.hcl:1:69"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			w := newWorkspace(t)
			path := filepath.Join(w.dir, tc.name)
			if err := os.WriteFile(path, []byte(tc.src), 0o600); err != nil {
				t.Fatal(err)
			}
			if tc.size > 0 {
				if err := os.Truncate(path, tc.size); err != nil {
					t.Fatal(err)
				}
			}
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			_, stderr, code := w.run(context.Background(), "fmt", "-check", path)
			runtime.ReadMemStats(&after)
			if code != ExitInvalid {
				t.Fatalf("fmt -check: exit %d, want %d\n%s", code, ExitInvalid, stderr)
			}
			mustContain(t, stderr, tc.want)
			if alloc := after.TotalAlloc - before.TotalAlloc; alloc > maxAlloc {
				t.Errorf("fmt allocated %d bytes, want at most %d", alloc, maxAlloc)
			}
		})
	}
}

func TestInitWritesAPipelineThatRuns(t *testing.T) {
	w := newWorkspace(t)
	csv, sum := w.generate("Hospital Admissions.csv", 400, 9)
	out := filepath.Join(w.dir, "admissions.hcl")
	stdout, stderr, code := w.run(context.Background(), "init", csv, "-out", out)
	if code != ExitOK {
		t.Fatalf("init: exit %d: %s", code, stderr)
	}
	mustContain(t, stdout, "15 columns")
	src, _ := os.ReadFile(out)
	for _, want := range []string{`pipeline "hospital_admissions"`, "type   = date", `format = "2006-01-02"`, "type = int32", "type = float64"} {
		mustContain(t, string(src), want)
	}
	if _, _, code := w.run(context.Background(), "init", csv, "-out", out); code != ExitInvalid {
		t.Errorf("init over an existing file: exit %d, want %d", code, ExitInvalid)
	}
	w.pipeline = out
	stdout, stderr, code = w.run(context.Background(), "apply", out, "-store-dir", w.store, "-json")
	if code != ExitOK {
		t.Fatalf("apply of the initial pipeline: exit %d\n%s\n%s", code, stdout, stderr)
	}
	var run report.Run
	if err := json.Unmarshal([]byte(stdout), &run); err != nil {
		t.Fatal(err)
	}
	checkReconciles(t, &run, int64(sum.Rows), 0, int64(sum.ExactDuplicates), int64(sum.Rows-sum.ExactDuplicates))
}

// TestMalformedCSV feeds a file with every kind of broken row: each is
// rejected with its reason, the rest loads, and every row is accounted for.
func TestMalformedCSV(t *testing.T) {
	w := newWorkspace(t)
	good := "Bobby JacksOn,30,Male,B-,Cancer,2024-01-31,Matthew Smith,Sons and Miller,Blue Cross,18856.28,328,Urgent,2024-02-02,Paracetamol,Normal"
	header := "Name,Age,Gender,Blood Type,Medical Condition,Date of Admission,Doctor,Hospital,Insurance Provider,Billing Amount,Room Number,Admission Type,Discharge Date,Medication,Test Results"
	rows := []string{"\ufeff" + header}
	for i := range 1000 {
		rows = append(rows, strings.Replace(good, "Bobby", "Bobby"+strconv.Itoa(i), 1))
	}
	bad := []struct{ line, reason string }{
		{"Ann Lee,41,Female,A+,Asthma,2020-01-01,X Y,Z Inc,Aetna,10,101,Urgent,2020-01-02,Aspirin", "14 fields, the header has 15"},
		{strings.Replace(good, "Bobby", `"Bobby`, 1), "quote"},
		{strings.Replace(good, ",30,", ",abc,", 1), `age: "abc" is not an int32`},
		{strings.Replace(good, "2024-01-31", "2024-13-45", 1), `admitted_on: "2024-13-45" is not a date`},
		{strings.Replace(good, "Bobby", "Bo\xffby", 1), "UTF-8"},
	}
	for _, b := range bad {
		rows = append(rows, b.line)
	}
	rows = append(rows, strings.Replace(good, "Bobby JacksOn", `"Bobby ""Bob"" Jackson, Jr."`, 1)) // quoted, with a quote and a comma: fine
	path := filepath.Join(w.dir, "malformed.csv")
	if err := os.WriteFile(path, []byte(strings.Join(rows, "\r\n")+"\r\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	run, stderr, code := w.apply(path)
	if code != ExitOK {
		t.Fatalf("exit %d: %s\n%s", code, run.Error, stderr)
	}
	checkReconciles(t, run, 1006, 5, 0, 1001)
	f, err := os.Open(filepath.Join(w.dir, "reports", "latest", report.RejectsFile))
	if err != nil {
		t.Fatal(err)
	}
	records, err := csv.NewReader(f).ReadAll()
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	if len(records) != len(bad)+1 {
		t.Fatalf("rejects.csv has %d records, want a header and %d rejects", len(records), len(bad))
	}
	for i, b := range bad {
		line, reason, raw := records[i+1][1], records[i+1][4], records[i+1][5]
		if line != strconv.Itoa(1002+i) || !strings.Contains(reason, b.reason) || raw != b.line {
			t.Errorf("reject %d = line %s, reason %q, raw %q; want line %d, a reason with %q, the raw line", i, line, reason, raw, 1002+i, b.reason)
		}
	}

	// A limit of 0 rejects turns the same file into a failed run that keeps
	// the previous collection.
	strict := w.variant("strict.hcl", "max_rejects = 0.01", "max_rejects = 0")
	w.pipeline = strict
	run, _, code = w.apply(path)
	if code != ExitCheckFailed || !strings.Contains(run.Error, "rejected") {
		t.Fatalf("with max_rejects = 0: exit %d, %s", code, run.Error)
	}
	if count, _ := w.collection("admissions"); count != 1001 {
		t.Errorf("the collection holds %d documents, want the first run's 1001", count)
	}
}

func TestSourceFilesThatCannotBeRead(t *testing.T) {
	w := newWorkspace(t)
	header := "Name,Age,Gender,Blood Type,Medical Condition,Date of Admission,Doctor,Hospital,Insurance Provider,Billing Amount,Room Number,Admission Type,Discharge Date,Medication,Test Results\n"
	tests := []struct {
		name, content, want string
		code                int
	}{
		{name: "empty", content: "", want: "empty", code: ExitRuntime},
		{name: "duplicate header", content: strings.Replace(header, "\n", ",Age\n", 1), want: `"Age"`, code: ExitRuntime},
		{name: "header only", content: header, code: ExitCheckFailed, want: "not_empty"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(w.dir, strings.ReplaceAll(tc.name, " ", "_")+".csv")
			if err := os.WriteFile(path, []byte(tc.content), 0o644); err != nil {
				t.Fatal(err)
			}
			stdout, stderr, code := w.run(context.Background(), "apply", w.pipeline, "-var", "csv_path="+path, "-store-dir", w.store)
			if code != tc.code {
				t.Fatalf("exit %d, want %d\n%s\n%s", code, tc.code, stdout, stderr)
			}
			mustContain(t, stdout+stderr, tc.want)
		})
	}
}

func TestUnreachableTargetFailsFastWithoutThePassword(t *testing.T) {
	w := newWorkspace(t)
	csv, _ := w.generate("admissions.csv", 10, 2)
	w.pipeline = w.variant("fast.hcl", `mode       = "replace"`, "mode       = \"replace\"\n  timeout    = \"2s\"")
	t.Setenv("MONGO_URI", "mongodb://writer:s3cret-pw@127.0.0.1:1/?authSource=medical_records")
	start := time.Now()
	stdout, stderr, code := w.run(context.Background(), "apply", w.pipeline, "-var", "csv_path="+csv)
	if code != ExitRuntime {
		t.Fatalf("exit %d, want %d\n%s", code, ExitRuntime, stderr)
	}
	if elapsed := time.Since(start); elapsed > time.Minute {
		t.Errorf("the run took %v to give up on an unreachable server", elapsed)
	}
	mustContain(t, stderr, "cannot reach MongoDB")
	mustContain(t, stderr, "writer:***@127.0.0.1:1")
	var reports []byte
	filepath.WalkDir(filepath.Join(w.dir, "reports"), func(path string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			b, _ := os.ReadFile(path)
			reports = append(reports, b...)
		}
		return nil
	})
	if strings.Contains(stdout+stderr+string(reports), "s3cret-pw") {
		t.Fatal("the password appears in the output or the reports")
	}
}
