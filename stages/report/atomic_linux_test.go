//go:build linux

package report

import (
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// limitFileSize makes every write past n bytes of a regular file fail, as
// a full disk does, until the test ends.
func limitFileSize(t *testing.T, n uint64) {
	t.Helper()
	signal.Ignore(syscall.SIGXFSZ) // the write then fails with EFBIG instead of killing the process
	var old syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_FSIZE, &old); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Setrlimit(syscall.RLIMIT_FSIZE, &syscall.Rlimit{Cur: n, Max: old.Max}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := syscall.Setrlimit(syscall.RLIMIT_FSIZE, &old); err != nil {
			t.Error(err)
		}
		signal.Reset(syscall.SIGXFSZ)
	})
}

// A report whose write fails part way leaves no file under its name (a
// truncated run.json would pass for the record of the run) and no
// temporary file behind.
func TestReportCutShortLeavesNoPartialFile(t *testing.T) {
	for _, tc := range reportWriters() {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			limitFileSize(t, 64) // every fixture report is longer
			err := tc.write(dir, fixtureRun(), nil)
			if err == nil || !strings.Contains(err.Error(), filepath.Join(dir, tc.file)) {
				t.Fatalf("error = %v, want one naming %s", err, filepath.Join(dir, tc.file))
			}
			entries, err := os.ReadDir(dir)
			if err != nil {
				t.Fatal(err)
			}
			if len(entries) != 0 {
				t.Errorf("the folder holds %v after the failed write, want nothing", entries)
			}
		})
	}
}
