package report

import (
	"bytes"
	"encoding/csv"
	"os"
	"path/filepath"
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
		Reconciliation: Reconciliation{RowsRead: 55_500, RowsRejected: 2, RowsDeduplicated: 532, RowsLoaded: 54_966, Holds: true},
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
				Examples: []Example{{Line: 2, Before: "Bobby JacksOn", After: "Bobby Jackson"}, {Line: 3, Before: " a|b ", After: "A|B"}}},
			{Column: "age", From: "Age", Type: "int32", CastFailures: 2, OnError: "reject"},
			{Column: "ssn", From: "SSN", Type: "string", Changed: 3, Sensitive: true, OnError: "reject",
				Examples: []Example{{Line: 2, Before: "x", After: "y"}}},
		},
		Dedup:   &Dedup{Keys: "every column", Keep: "first", Removed: 532, Lines: []int{40, 73}},
		Quality: []Quality{{Column: "age", Type: "int32", Count: 54_966, Distinct: 77, DistinctExact: true, Min: "13", Max: "89", Mean: &mean}, {Column: "name", Type: "utf8", Count: 54_966, Distinct: 49_000, Min: "Aaron A", Max: "Zoe Z", MinLength: 7, MaxLength: 30}},
		Rejects: Rejects{Rows: 2, File: RejectsFile, Limit: "0.01", Reasons: []Reason{{Column: "age", Rows: 2, Example: `"abc" is not an int32`}}},
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

func TestNewDirPointsLatestAtNewestRun(t *testing.T) {
	root := t.TempDir()
	for _, id := range []string{"1", "2"} {
		dir, err := NewDir(root, "p", id)
		if err != nil {
			t.Fatal(err)
		}
		if got, want := filepath.Base(dir), "p-"+id; got != want {
			t.Errorf("dir = %s, want %s", got, want)
		}
	}
	target, err := os.Readlink(filepath.Join(root, "latest"))
	if err != nil {
		t.Fatal(err)
	}
	if target != "p-2" {
		t.Errorf("latest -> %s, want p-2", target)
	}
}
