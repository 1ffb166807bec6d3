package runner

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// runnerBinary is the command built once for the package: `runner serve`
// for scenarios that load a lot (a server in its own process is not slowed
// by the race detector instrumenting this one) and the subprocess that
// TestKillMidLoadKeepsPreviousCollection kills.
var runnerBinary string

// crashStepEnv names the swap step after which the process that
// TestSwapCrashIsRecovered starts stops.
const crashStepEnv = "RUNNER_TEST_SWAP_CRASH_STEP"

func TestMain(m *testing.M) {
	if os.Getenv(crashStepEnv) != "" {
		// The process TestSwapCrashIsRecovered stops mid-swap needs no binary.
		os.Exit(m.Run())
	}
	dir, err := os.MkdirTemp("", "runner-test-bin")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	runnerBinary = filepath.Join(dir, "runner")
	build := exec.Command("go", "build", "-trimpath", "-o", runnerBinary, "..")
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "go build: %v\n%s", err, out)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// serve starts `runner serve` on the workspace's store in its own process
// and points MONGO_URI at it, so apply loads over the wire as it would into
// any MongoDB. The server stops when the test ends. It returns the lines
// serve printed before it listened: its repairs of the store.
func (w *workspace) serve() (repairs []string) {
	w.t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		w.t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	cmd := exec.Command(runnerBinary, "serve", "-listen", addr, "-store-dir", w.store)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		w.t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		w.t.Fatal(err)
	}
	w.t.Cleanup(func() {
		cmd.Process.Signal(syscall.SIGTERM)
		cmd.Wait()
	})
	type banner struct {
		uri     string
		repairs []string
	}
	ready := make(chan banner, 1)
	go func() {
		var repairs []string
		scanner := bufio.NewScanner(stdout)
		for scanner.Scan() {
			if _, uri, ok := strings.Cut(scanner.Text(), "listening on "); ok {
				ready <- banner{uri, repairs}
				break
			}
			repairs = append(repairs, scanner.Text())
		}
		_, _ = io.Copy(io.Discard, stdout)
	}()
	select {
	case b := <-ready:
		w.uri = b.uri
		w.t.Setenv("MONGO_URI", b.uri)
		return b.repairs
	case <-time.After(time.Minute):
		w.t.Fatal("runner serve did not start within a minute")
	}
	return nil
}
