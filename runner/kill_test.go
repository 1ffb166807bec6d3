//go:build unix

package runner

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// dirSize is the bytes under dir: the embedded store's files grow while a
// load writes.
func dirSize(dir string) int64 {
	var n int64
	filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			if info, err := d.Info(); err == nil {
				n += info.Size()
			}
		}
		return nil
	})
	return n
}

// TestKillMidLoadKeepsPreviousCollection kills the runner with SIGKILL
// while it loads: nothing can run on the way out, yet the previous
// collection is intact, and the next run cleans up and succeeds.
func TestKillMidLoadKeepsPreviousCollection(t *testing.T) {
	w := newWorkspace(t)
	small, sum := w.generate("small.csv", 1_000, 21)
	if run, stderr, code := w.apply(small); code != ExitOK {
		t.Fatalf("first run: exit %d: %s\n%s", code, run.Error, stderr)
	}
	_, before := w.collection("admissions")

	big, _ := w.generate("big.csv", 300_000, 22)
	sizeBefore := dirSize(w.store)
	var stderr bytes.Buffer
	cmd := exec.Command(runnerBinary, "apply", w.pipeline, "-var", "csv_path="+big, "-store-dir", w.store)
	cmd.Dir, cmd.Stderr = w.dir, &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(2 * time.Minute)
	for dirSize(w.store) < sizeBefore+8<<20 { // several thousand documents written
		if time.Now().After(deadline) {
			cmd.Process.Kill()
			t.Fatalf("the load never started writing:\n%s", stderr.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	err := cmd.Wait()
	if ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); !ok || !ws.Signaled() {
		t.Fatalf("the runner was not killed mid-load (%v):\n%s", err, stderr.String())
	}
	if strings.Contains(stderr.String(), "swapping") {
		t.Fatalf("the load finished before the kill:\n%s", stderr.String())
	}

	count, after := w.collection("admissions")
	if count != int64(len(before)) {
		t.Fatalf("after the kill the collection holds %d documents, want the previous %d", count, len(before))
	}
	for id := range before {
		if !after[id] {
			t.Fatalf("document %s of the previous run is gone", id)
		}
	}

	run, stderrText, code := w.apply(small)
	if code != ExitOK {
		t.Fatalf("the run after the kill: exit %d: %s\n%s", code, run.Error, stderrText)
	}
	if count, _ := w.collection("admissions"); count != int64(sum.Rows-sum.ExactDuplicates) {
		t.Errorf("after the next run the collection holds %d documents, want %d", count, sum.Rows-sum.ExactDuplicates)
	}
	if left := w.stagingLeft(); len(left) != 0 {
		t.Errorf("the next run left staging collections: %v", left)
	}
}
