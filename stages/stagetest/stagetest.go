// Package stagetest holds what the engine's tests share: a leak-checking
// allocator, batches written as JSON, and the location of the real dataset.
// Only tests import it. Golden files are compared by its subpackage golden,
// which the language's tests use too.
package stagetest

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// Allocator returns a checked allocator that fails the test if anything
// allocated through it is still held when the test ends.
func Allocator(t testing.TB) *memory.CheckedAllocator {
	t.Helper()
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	t.Cleanup(func() { mem.AssertSize(t, 0) })
	return mem
}

// Batch builds a record batch from a JSON array of row objects. The caller
// releases it.
func Batch(t testing.TB, mem memory.Allocator, fields []arrow.Field, rows string) arrow.RecordBatch {
	t.Helper()
	rec, _, err := array.RecordFromJSON(mem, arrow.NewSchema(fields, nil), strings.NewReader(rows))
	if err != nil {
		t.Fatalf("batch from JSON: %v", err)
	}
	return rec
}

// ModuleRoot returns the directory holding go.mod, found by walking up from
// the test's working directory.
func ModuleRoot(t testing.TB) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatalf("working directory: %v", err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("no go.mod above the test's working directory")
		}
		dir = parent
	}
}

// RealDataset returns the path of the hospital admissions CSV kept beside
// the repository (../shared/data/healthcare_dataset.csv), and skips the test
// when it is not there: the project never ships that file.
func RealDataset(t testing.TB) string {
	t.Helper()
	path := filepath.Join(ModuleRoot(t), "..", "shared", "data", "healthcare_dataset.csv")
	if _, err := os.Stat(path); err != nil {
		t.Skipf("real dataset not present at %s: %v", path, err)
	}
	return path
}
