package report

import (
	"bytes"
	"encoding/csv"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"runner/stages"
	"runner/stages/stagetest/golden"
)

func fixtureRun() *Run {
	mean := 51.5
	return &Run{
		Pipeline:   "healthcare",
		File:       "pipelines/healthcare.hcl",
		RunID:      "20261122T071500Z",
		StartedAt:  time.Date(2026, 11, 22, 7, 15, 0, 0, time.UTC),
		FinishedAt: time.Date(2026, 11, 22, 7, 15, 4, 0, time.UTC),
		Seconds:    4.2,
		Status:     StatusChecksFailed,
		Error:      `check "ages_in_range" failed: 2 rows`,
		Variables:  []Variable{{Name: "csv_path", Value: `"data/healthcare_dataset.csv"`, Origin: "default"}},
		Source:     Source{Path: "data/healthcare_dataset.csv", Files: []string{"data/healthcare_dataset.csv"}, Bytes: 8_000_000},
		Target: Target{URI: "embedded (.runner)", Database: "medical_records", Collection: "admissions", Mode: "replace",
			Inserted: 54_966, Batches: 55, Seconds: 2.8},
		Stages:         []Stage{{ID: "source.csv", RowsIn: 55_500, RowsOut: 55_498, RowsRejected: 2, Seconds: 0.1, RowsPerSecond: 554_980}},
		Reconciliation: Reconciliation{RowsRead: 55_500, RowsRejected: 2, RowsDeduplicated: 532, RowsDiscarded: 54_966, Holds: true},
		Checks: []Check{
			{Name: "ages_in_range", Kind: "assert", Severity: "error", Status: "failed", Declared: "pipelines/healthcare.hcl:180:3",
				RowsChecked: 54_966, Failures: 2, Tolerated: "0", Message: "Ages must be between 0 and 120.",
				Samples: []Sample{{Line: 7, Values: []Value{{Name: "age", Value: "130"}}}, {Line: 9, Values: []Value{{Name: "age", Value: "-1"}}}}},
			{Name: "known_gender", Kind: "accepted_values", Severity: "error", Status: "passed", Declared: "pipelines/healthcare.hcl:185:3",
				RowsChecked: 54_966, Tolerated: "0"},
			{Name: "near_duplicates", Kind: "similar_except", Severity: "warn", Status: "warned", Declared: "pipelines/healthcare.hcl:220:3",
				RowsChecked: 54_966, Failures: 1, Tolerated: "0",
				Samples: []Sample{{Line: 12, Note: "equal to line 3 except in age"}}},
		},
		Verification: &Verification{Passed: true, Expected: 54_966, Found: 54_966, DigestMatch: true, Sampled: 100, Seconds: 0.9},
		Cleaning: []Cleaning{
			{Column: "name", From: "Name", Type: "string", Steps: "trim, collapse_spaces, person_name", Changed: 49_000, OnError: "reject",
				Examples: []Example{{Line: 2, Before: "Bobby JacksOn", After: "Bobby Jackson"}, {Line: 3, Before: " a|b ", After: "A|B"},
					{Line: 4, Before: "\x1b[31mann\x1b[0m\tlee\r\u2028\u0085\x00\xff", After: "Ann Lee"}}},
			{Column: "age", From: "Age", Type: "int32", CastFailures: 2, OnError: "reject"},
			{Column: "ssn", From: "SSN", Type: "string", Changed: 3, Sensitive: true, OnError: "reject",
				Examples: []Example{{Line: 2, Before: "x", After: "y"}}},
		},
		Dedup:   &Dedup{Keys: "every column", Keep: "first", Removed: 532, Lines: []int{40, 73}},
		Quality: []Quality{{Column: "age", Type: "int32", Count: 54_966, Distinct: 77, DistinctExact: true, Min: "13", Max: "89", Mean: &mean}, {Column: "name", Type: "utf8", Count: 54_966, Distinct: 49_000, Min: "Aaron A", Max: "Zoe Z", MinLength: 7, MaxLength: 30}},
		Rejects: Rejects{Rows: 2, File: RejectsFile, Limit: "0.01", Reasons: []Reason{{Column: "age", Rows: 2, Example: `"abc" is not an int32`}, {Column: "name", Rows: 1, Example: "bad\x1b[2Jname\nhere"}}},
		Files:   []string{RunJSONFile, CleaningFile, QualityFile, RejectsFile},
	}
}

func TestWriters(t *testing.T) {
	tests := []struct {
		name   string
		write  func(dir string, run *Run, scrub Scrub) error
		file   string
		golden string
	}{
		{name: "run.json", write: WriteJSON, file: RunJSONFile, golden: "run.json.golden"},
		{name: "cleaning.md", write: WriteMarkdown, file: CleaningFile, golden: "cleaning.md.golden"},
		{name: "quality.csv", write: WriteQualityCSV, file: QualityFile, golden: "quality.csv.golden"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			if err := tc.write(dir, fixtureRun(), nil); err != nil {
				t.Fatal(err)
			}
			path := filepath.Join(dir, tc.file)
			got, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			golden.Check(t, filepath.Join("testdata", tc.golden), got)
			info, err := os.Stat(path)
			if err != nil {
				t.Fatal(err)
			}
			if mode := info.Mode().Perm(); mode != 0o600 {
				t.Errorf("%s has mode %v, want 0600", tc.file, mode)
			}
		})
	}
}

func TestScrubRemovesSecrets(t *testing.T) {
	run := fixtureRun()
	run.Target.URI = "mongodb://writer:s3cret@db:27017/"
	dir := t.TempDir()
	scrub := func(b []byte) []byte { return bytes.ReplaceAll(b, []byte("s3cret"), []byte("(sensitive)")) }
	if err := WriteJSON(dir, run, scrub); err != nil {
		t.Fatal(err)
	}
	got, _ := os.ReadFile(filepath.Join(dir, RunJSONFile))
	if bytes.Contains(got, []byte("s3cret")) {
		t.Fatalf("run.json still holds the secret:\n%s", got)
	}
}

func TestRejectsWriter(t *testing.T) {
	dir := t.TempDir()
	w, err := CreateRejects(dir, []string{"a.csv", "b.csv"}, func(c string) bool { return c == "ssn" })
	if err != nil {
		t.Fatal(err)
	}
	err = w.Write([]stages.Reject{
		{Origin: stages.MakeOrigin(0, 7), Stage: "columns", Column: "age", Value: "abc", Reason: `"abc" is not an int32`, Raw: []byte("Ann,abc,\"x, y\"")},
		{Origin: stages.MakeOrigin(1, 3), Stage: "columns", Column: "ssn", Value: "123-45", Reason: "too short", Raw: []byte("Bob,1,123-45")},
		{Origin: stages.MakeOrigin(1, 9), Stage: "source.csv", Reason: "14 fields, the header has 15", Raw: []byte("x")},
		{Origin: stages.MakeOrigin(1, 11), Stage: "columns", Column: "age", Value: "", Reason: "age is required"},
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if got, want := w.Rows(), int64(4); got != want {
		t.Errorf("Rows = %d, want %d", got, want)
	}
	if got := w.Reasons(); len(got) != 3 || got[0].Column != "age" || got[0].Rows != 2 || got[0].Example != `"abc" is not an int32` {
		t.Errorf("Reasons = %+v", got)
	}
	f, err := os.Open(filepath.Join(dir, RejectsFile))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	records, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	want := [][]string{
		{"file", "line", "column", "value", "reason", "raw"},
		{"a.csv", "7", "age", "abc", `"abc" is not an int32`, "Ann,abc,\"x, y\""},
		{"b.csv", "3", "ssn", MaskedValue, "too short", "Bob,1,123-45"},
		{"b.csv", "9", "", "", "14 fields, the header has 15", "x"},
		{"b.csv", "11", "age", "", "age is required", ""},
	}
	if len(records) != len(want) {
		t.Fatalf("rejects.csv has %d records, want %d: %q", len(records), len(want), records)
	}
	for i := range want {
		for j := range want[i] {
			if records[i][j] != want[i][j] {
				t.Errorf("record %d field %d = %q, want %q", i, j, records[i][j], want[i][j])
			}
		}
	}
	info, _ := os.Stat(filepath.Join(dir, RejectsFile))
	if mode := info.Mode().Perm(); mode != 0o600 {
		t.Errorf("rejects.csv has mode %v, want 0600", mode)
	}
}

func TestPointLatestMovesOnlyWhenAsked(t *testing.T) {
	root := t.TempDir()
	first, err := NewDir(root, "p", "1")
	if err != nil {
		t.Fatal(err)
	}
	if err := PointLatest(first); err != nil {
		t.Fatal(err)
	}
	second, err := NewDir(root, "p", "2")
	if err != nil {
		t.Fatal(err)
	}
	if got, want := filepath.Base(second), "p-2"; got != want {
		t.Errorf("dir = %s, want %s", got, want)
	}
	checkLatest(t, root, "p-1") // a new folder is not complete yet
	if err := PointLatest(second); err != nil {
		t.Fatal(err)
	}
	checkLatest(t, root, "p-2")
	entries, err := os.ReadDir(root)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 3 {
		t.Errorf("the root holds %d entries, want p-1, p-2 and latest: %v", len(entries), entries)
	}
}

func TestPointLatestLeavesTheUsersFile(t *testing.T) {
	root := t.TempDir()
	mine := filepath.Join(root, "latest")
	if err := os.WriteFile(mine, []byte("mine"), 0o600); err != nil {
		t.Fatal(err)
	}
	dir, err := NewDir(root, "p", "1")
	if err != nil {
		t.Fatal(err)
	}
	if err := PointLatest(dir); err != nil {
		t.Fatal(err)
	}
	if got, err := os.ReadFile(mine); err != nil || string(got) != "mine" {
		t.Errorf("latest = %q, %v; want the user's file untouched", got, err)
	}
}

func checkLatest(t *testing.T, root, want string) {
	t.Helper()
	target, err := os.Readlink(filepath.Join(root, "latest"))
	if err != nil {
		t.Fatal(err)
	}
	if target != want {
		t.Errorf("latest -> %s, want %s", target, want)
	}
}

// reportWriter is a report file and the function that writes it.
type reportWriter struct {
	name  string
	file  string
	write func(dir string, run *Run, scrub Scrub) error
}

// reportWriters are every report file, for the tests of how a write fails.
func reportWriters() []reportWriter {
	return []reportWriter{
		{name: "run.json", file: RunJSONFile, write: WriteJSON},
		{name: "cleaning.md", file: CleaningFile, write: WriteMarkdown},
		{name: "quality.csv", file: QualityFile, write: WriteQualityCSV},
		{name: "rejects.csv", file: RejectsFile, write: writeFixtureRejects},
	}
}

// A report that cannot take its name leaves nothing under that name and no
// temporary file behind: a folder stands where the report should go, so the
// rename at the end fails.
func TestReportsAreWrittenAtomically(t *testing.T) {
	for _, tc := range reportWriters() {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			if err := os.Mkdir(filepath.Join(dir, tc.file), 0o700); err != nil {
				t.Fatal(err)
			}
			err := tc.write(dir, fixtureRun(), nil)
			if err == nil || !strings.Contains(err.Error(), filepath.Join(dir, tc.file)) {
				t.Fatalf("error = %v, want one naming %s", err, filepath.Join(dir, tc.file))
			}
			entries, err := os.ReadDir(dir)
			if err != nil {
				t.Fatal(err)
			}
			if len(entries) != 1 || !entries[0].IsDir() {
				t.Errorf("the folder holds %v, want only the folder in the report's place", entries)
			}
		})
	}
}

// Values from the data must not reach a report as raw control characters:
// they would act on the terminal that shows the file or break its tables.
func TestReportsShowHiddenCharacters(t *testing.T) {
	tests := []struct {
		name     string
		char     string
		markdown string // the escape cleaning.md shows
		json     string // the escape run.json holds
	}{
		{name: "escape", char: "\x1b", markdown: `\x1b`, json: `\u001b`},
		{name: "NUL", char: "\x00", markdown: `\x00`, json: `\u0000`},
		{name: "carriage return", char: "\r", markdown: `\r`, json: `\r`},
		{name: "tab", char: "\t", markdown: `\t`, json: `\t`},
		{name: "newline", char: "\n", markdown: `\n`, json: `\n`},
		{name: "DEL", char: "\x7f", markdown: `\x7f`, json: `\u007f`},
		{name: "C1 next line", char: "\u0085", markdown: `\u0085`, json: `\u0085`},
		{name: "C1 control sequence introducer", char: "\u009b", markdown: `\u009b`, json: `\u009b`},
		{name: "line separator", char: "\u2028", markdown: `\u2028`, json: `\u2028`},
		{name: "paragraph separator", char: "\u2029", markdown: `\u2029`, json: `\u2029`},
		{name: "right-to-left override", char: "\u202e", markdown: `\u202e`, json: `\u202e`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			value := "a" + tc.char + "b"
			run := fixtureRun()
			run.Cleaning[0].Examples = []Example{{Line: 2, Before: value, After: "ab"}}
			run.Checks[0].Samples = []Sample{{Line: 7, Values: []Value{{Name: "age", Value: value}}}}
			run.Rejects.Reasons = []Reason{{Column: "age", Rows: 2, Example: value + " is not an int32"}}
			run.Verification.SampleMismatches = []SampleMismatch{{Line: 9, ID: value, Path: "patient.name", Want: value, Got: "ab"}}
			dir := t.TempDir()
			if err := WriteMarkdown(dir, run, nil); err != nil {
				t.Fatal(err)
			}
			if err := WriteJSON(dir, run, nil); err != nil {
				t.Fatal(err)
			}
			for file, escape := range map[string]string{CleaningFile: tc.markdown, RunJSONFile: tc.json} {
				data, err := os.ReadFile(filepath.Join(dir, file))
				if err != nil {
					t.Fatal(err)
				}
				for i, line := range strings.Split(string(data), "\n") {
					if strings.ContainsFunc(line, hidden) {
						t.Errorf("%s line %d holds a raw hidden character: %q", file, i+1, line)
					}
				}
				if want := "a" + escape + "b"; strings.Count(string(data), want) < 4 {
					t.Errorf("%s shows %s fewer than 4 times (example, sample, reason, mismatch):\n%s", file, want, data)
				}
			}
		})
	}
}

func TestVisibleIsIdempotent(t *testing.T) {
	for _, s := range []string{"plain", "a\x1bb\tc\u2028d\xff", "multi\nline"} {
		for _, keep := range []bool{false, true} {
			once := visible(s, keep)
			if twice := visible(once, keep); twice != once {
				t.Errorf("visible(visible(%q, %v)) = %q, want %q", s, keep, twice, once)
			}
		}
	}
}

// writeFixtureRejects writes a rejects.csv of a few rows, with the shape of
// the report writers.
func writeFixtureRejects(dir string, _ *Run, _ Scrub) error {
	w, err := CreateRejects(dir, []string{"a.csv"}, nil)
	if err != nil {
		return err
	}
	for line := 2; line < 10; line++ {
		err := w.Write([]stages.Reject{{Origin: stages.MakeOrigin(0, line), Column: "age", Value: "abc", Reason: `"abc" is not an int32`, Raw: []byte("Ann,abc,Oslo")}})
		if err != nil {
			return err
		}
	}
	return w.Close()
}

// rejects.csv is streamed during the run; until Close, nothing is under its
// name, so a run that dies part way leaves no half-written file there.
func TestRejectsTakeTheirNameAtClose(t *testing.T) {
	dir := t.TempDir()
	w, err := CreateRejects(dir, []string{"a.csv"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Write([]stages.Reject{{Origin: stages.MakeOrigin(0, 2), Column: "age", Value: "x", Reason: "not a number", Raw: []byte("x")}}); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, RejectsFile)
	if _, err := os.Stat(path); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("rejects.csv exists before Close (%v)", err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 1 || entries[0].Name() != RejectsFile {
		t.Errorf("the folder holds %v, want only rejects.csv", entries)
	}
}

// The rows section names every outcome a row can have, so the equation
// adds up when a check discards a staged load or a limit stops the run.
func TestRowsNameEveryOutcome(t *testing.T) {
	tests := []struct {
		name  string
		rec   Reconciliation
		lines []string
	}{
		{name: "loaded", rec: Reconciliation{RowsRead: 10, RowsRejected: 1, RowsDeduplicated: 2, RowsLoaded: 7, Holds: true},
			lines: []string{"| loaded | 7 |", "10 read = 1 rejected + 2 duplicates + 7 loaded, which holds."}},
		{name: "staged and discarded", rec: Reconciliation{RowsRead: 10, RowsRejected: 1, RowsDeduplicated: 2, RowsDiscarded: 7, Holds: true},
			lines: []string{"| loaded | 0 |", "| staged and discarded (the previous collection was kept) | 7 |",
				"10 read = 1 rejected + 2 duplicates + 0 loaded + 7 staged and discarded, which holds."}},
		{name: "not processed", rec: Reconciliation{RowsRead: 10, RowsRejected: 6, RowsNotProcessed: 4, Holds: true},
			lines: []string{"| not processed (the run stopped early) | 4 |",
				"10 read = 6 rejected + 0 duplicates + 0 loaded + 4 not processed, which holds."}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			run := fixtureRun()
			run.Reconciliation = tc.rec
			dir := t.TempDir()
			if err := WriteMarkdown(dir, run, nil); err != nil {
				t.Fatal(err)
			}
			md, err := os.ReadFile(filepath.Join(dir, CleaningFile))
			if err != nil {
				t.Fatal(err)
			}
			for _, line := range tc.lines {
				if !strings.Contains(string(md), "\n"+line+"\n") {
					t.Errorf("cleaning.md lacks the line %q:\n%s", line, md)
				}
			}
			if got := tc.rec.Accounted(); got != tc.rec.RowsRead {
				t.Errorf("Accounted() = %d, want %d", got, tc.rec.RowsRead)
			}
		})
	}
}
