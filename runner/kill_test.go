//go:build unix

package runner

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/x/bsonx/bsoncore"

	"runner/stages/mongosink"
	"runner/stages/report"
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

// applyProcess is an apply started in the background: wait returns its
// output once it has ended; interrupt does what Ctrl-C does.
type applyProcess struct {
	wait      func() (stdout, stderr string, code int)
	interrupt func()
}

// startInProcess starts apply through Main; interrupt cancels its context,
// and, with abandon, its clean-up context too, as a second Ctrl-C does.
func startInProcess(w *workspace, abandon bool, args []string) applyProcess {
	ctx, cancel := context.WithCancel(context.Background())
	cleanup, cancelCleanup := context.WithCancel(context.Background())
	type output struct {
		stdout, stderr string
		code           int
	}
	done := make(chan output, 1)
	go func() {
		stdout, stderr, code := w.runWithCleanup(ctx, cleanup, args...)
		done <- output{stdout, stderr, code}
	}()
	return applyProcess{
		wait: func() (string, string, int) {
			o := <-done
			cancel()
			cancelCleanup()
			return o.stdout, o.stderr, o.code
		},
		interrupt: func() {
			if abandon {
				cancelCleanup()
			}
			cancel()
		},
	}
}

// startBinary starts apply as the built command; interrupt sends it
// SIGTERM, as docker stop does.
func startBinary(w *workspace, args []string) applyProcess {
	var stdout, stderr bytes.Buffer
	cmd := exec.Command(runnerBinary, args...)
	cmd.Dir, cmd.Stdout, cmd.Stderr = w.dir, &stdout, &stderr
	if err := cmd.Start(); err != nil {
		w.t.Fatal(err)
	}
	w.t.Cleanup(func() { _ = cmd.Process.Kill() })
	return applyProcess{
		wait: func() (string, string, int) {
			_ = cmd.Wait()
			return stdout.String(), stderr.String(), cmd.ProcessState.ExitCode()
		},
		interrupt: func() {
			if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
				w.t.Error(err)
			}
		},
	}
}

// TestCancelDropsTheStagingCollection stops a replace load once its staging
// collection holds documents: the run drops it and says so, or, when the
// clean-up is abandoned, names what it left; the previous collection is
// exactly as it was either way.
func TestCancelDropsTheStagingCollection(t *testing.T) {
	tests := []struct {
		name  string
		start func(w *workspace, args []string) applyProcess
		// abandoned says the clean-up is cut short: the staging collection
		// stays, and the error names it.
		abandoned bool
	}{
		{name: "Ctrl-C in process", start: func(w *workspace, args []string) applyProcess { return startInProcess(w, false, args) }},
		{name: "SIGTERM to the command", start: startBinary},
		{name: "second Ctrl-C abandons the clean-up", start: func(w *workspace, args []string) applyProcess { return startInProcess(w, true, args) }, abandoned: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := newWorkspace(t)
			w.serve()
			small, _ := w.generate("small.csv", 1_000, 11)
			if run, stderr, code := w.apply(small); code != ExitOK {
				t.Fatalf("first run: exit %d: %s\n%s", code, run.Error, stderr)
			}
			before := w.documents("admissions")

			big, _ := w.generate("big.csv", 300_000, 12) // far more than loads before the cancellation
			p := tt.start(w, []string{"apply", w.pipeline, "-var", "csv_path=" + big, "-store-dir", w.store, "-json"})
			deadline := time.Now().Add(2 * time.Minute)
			for !w.stagingHoldsDocuments() {
				if time.Now().After(deadline) {
					p.interrupt()
					_, stderr, _ := p.wait()
					t.Fatalf("no document reached the staging collection within 2 minutes:\n%s", stderr)
				}
				time.Sleep(20 * time.Millisecond) // polling the database, not waiting for time to pass
			}
			p.interrupt()
			stdout, stderr, code := p.wait()
			if code != ExitRuntime {
				t.Fatalf("exit %d, want %d\n%s\n%s", code, ExitRuntime, stdout, stderr)
			}
			var run report.Run
			if err := json.Unmarshal([]byte(stdout), &run); err != nil {
				t.Fatalf("no run report: %v\n%s\n%s", err, stdout, stderr)
			}
			checkStatus(t, &run, report.StatusCancelled)

			left := w.stagingLeft()
			if tt.abandoned {
				if len(left) != 1 {
					t.Fatalf("staging collections left: %v, want the run's own", left)
				}
				mustContain(t, run.Error, "medical_records.admissions is as it was, but the clean-up did not finish: the staging collection medical_records."+left[0]+" is left")
			} else {
				mustContain(t, run.Error, "cancelled; dropped the staging collection medical_records.admissions__runner_staging_")
				mustContain(t, run.Error, ", medical_records.admissions is as it was")
				if len(left) != 0 {
					t.Errorf("staging collections left after the run said it dropped them: %v", left)
				}
			}
			after := w.documents("admissions")
			if len(after) != len(before) {
				t.Fatalf("the collection holds %d documents, want the previous %d", len(after), len(before))
			}
			for id, doc := range before {
				if after[id] != doc {
					t.Fatalf("document %s of the previous run changed or is gone", id)
				}
			}
		})
	}
}

// crashExit is the exit code of a test process stopped on purpose after a
// swap step.
const crashExit = 86

// TestHelperSwapCrash is not a test of its own: it is the apply that
// TestSwapCrashIsRecovered runs in a subprocess, with the command line
// after "--", which exits, as a crash would, right after the swap step
// named in its environment.
func TestHelperSwapCrash(t *testing.T) {
	step, err := strconv.Atoi(os.Getenv(crashStepEnv))
	if err != nil {
		t.Skip("run by TestSwapCrashIsRecovered")
	}
	a := newApp(context.Background(), os.Stdout, os.Stderr)
	a.swapStepDone = func(done int) {
		if done == step {
			os.Exit(crashExit)
		}
	}
	os.Exit(a.main(context.Background(), flag.Args()))
}

// readBSONStream returns the documents of a BSON stream (apply -dry-run
// -out) by _id.
func readBSONStream(t *testing.T, path string) map[string]string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	docs := map[string]string{}
	for len(data) > 0 {
		doc, rest, ok := bsoncore.ReadDocument(data)
		if !ok {
			t.Fatalf("%s: a truncated document", path)
		}
		docs[doc.Lookup("_id").StringValue()] = string(doc)
		data = rest
	}
	return docs
}

// TestSwapCrashIsRecovered stops apply right after each step of the
// embedded store's three-step swap, then opens the store with serve or
// apply: the target holds the complete old or the complete new documents,
// nothing else is left, and the repair is reported.
func TestSwapCrashIsRecovered(t *testing.T) {
	const (
		putBack    = "recovered medical_records.admissions from an interrupted swap: the new collection was not in place; renamed medical_records.admissions__runner_previous back to medical_records.admissions"
		droppedOld = "recovered medical_records.admissions from an interrupted swap: the new collection was in place; dropped the replaced medical_records.admissions__runner_previous"
	)
	tests := []struct {
		name string
		step int
		// serve opens the store with serve, else with an apply whose check
		// fails, so that it keeps the target as it found it.
		serve         bool
		wantNew       bool
		wantRecovered string
	}{
		{name: "after preserve, serve", step: mongosink.SwapPreserved, serve: true, wantRecovered: putBack},
		{name: "after preserve, apply", step: mongosink.SwapPreserved, wantRecovered: putBack},
		{name: "after install, serve", step: mongosink.SwapInstalled, serve: true, wantNew: true, wantRecovered: droppedOld},
		{name: "after install, apply", step: mongosink.SwapInstalled, wantNew: true, wantRecovered: droppedOld},
		{name: "after drop, serve", step: mongosink.SwapDropped, serve: true, wantNew: true},
		{name: "after drop, apply", step: mongosink.SwapDropped, wantNew: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := newWorkspace(t)
			oldCSV, _ := w.generate("old.csv", 300, 41)
			if run, stderr, code := w.apply(oldCSV); code != ExitOK {
				t.Fatalf("first run: exit %d: %s\n%s", code, run.Error, stderr)
			}
			want := w.documents("admissions")
			newCSV, _ := w.generate("new.csv", 250, 42)
			if tt.wantNew {
				out := filepath.Join(w.dir, "new.bson")
				if _, stderr, code := w.run(context.Background(), "apply", w.pipeline, "-var", "csv_path="+newCSV, "-dry-run", "-out", out); code != ExitOK {
					t.Fatalf("dry run: exit %d\n%s", code, stderr)
				}
				want = readBSONStream(t, out)
			}

			var output bytes.Buffer
			cmd := exec.Command(os.Args[0], "-test.run=^TestHelperSwapCrash$", "--",
				"apply", w.pipeline, "-var", "csv_path="+newCSV, "-store-dir", w.store)
			cmd.Dir, cmd.Stdout, cmd.Stderr = w.dir, &output, &output
			cmd.Env = append(os.Environ(), crashStepEnv+"="+strconv.Itoa(tt.step))
			if err := cmd.Run(); cmd.ProcessState == nil || cmd.ProcessState.ExitCode() != crashExit {
				t.Fatalf("the run did not stop after swap step %d (%v):\n%s", tt.step, err, output.String())
			}

			var reported []string
			if tt.serve {
				for _, line := range w.serve() {
					if !strings.HasPrefix(line, "dropped the staging collection medical_records.admissions__runner_staging_") {
						reported = append(reported, line)
					}
				}
			} else {
				run, stderr, code := w.apply(w.ageOutOfRange(newCSV, "bad.csv"))
				if code != ExitCheckFailed {
					t.Fatalf("apply after the crash: exit %d, want %d: %s\n%s", code, ExitCheckFailed, run.Error, stderr)
				}
				if run.Target.Recovered != "" {
					reported = append(reported, run.Target.Recovered)
				}
			}
			if tt.wantRecovered == "" && len(reported) != 0 || tt.wantRecovered != "" && !slices.Equal(reported, []string{tt.wantRecovered}) {
				t.Errorf("reported %q, want %q", reported, tt.wantRecovered)
			}
			if names := w.collectionNames(); !slices.Equal(names, []string{"admissions"}) {
				t.Errorf("collections after the recovery: %v, want only admissions", names)
			}
			got := w.documents("admissions")
			if len(got) != len(want) {
				t.Fatalf("the target holds %d documents, want %d (new: %v)", len(got), len(want), tt.wantNew)
			}
			for id, doc := range want {
				if got[id] != doc {
					t.Fatalf("document %s differs from the one wanted (new: %v)", id, tt.wantNew)
				}
			}
		})
	}
}
