package runner

import (
	"bufio"
	"fmt"
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

func TestMain(m *testing.M) {
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
// any MongoDB. The server stops when the test ends.
func (w *workspace) serve() {
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
	ready := make(chan string, 1)
	go func() {
		scanner := bufio.NewScanner(stdout)
		for scanner.Scan() {
			if _, uri, ok := strings.Cut(scanner.Text(), "listening on "); ok {
				ready <- uri
			}
		}
	}()
	select {
	case uri := <-ready:
		w.uri = uri
		w.t.Setenv("MONGO_URI", uri)
	case <-time.After(time.Minute):
		w.t.Fatal("runner serve did not start within a minute")
	}
}
