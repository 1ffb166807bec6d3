package runner

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
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
	p := startServe(w.t, "127.0.0.1:0", w.store)
	w.t.Cleanup(p.stop)
	w.uri = "mongodb://" + p.addr + "/"
	w.t.Setenv("MONGO_URI", w.uri)
	return p.repairs
}

// serveProcess is a `runner serve` in its own process.
type serveProcess struct {
	cmd *exec.Cmd
	// addr is the address the banner says the store listens on; banner is
	// the banner's lines, up to "stop with Ctrl-C".
	addr   string
	banner []string
	// repairs are the lines before the banner: what serve repaired.
	repairs []string
	// stderr is complete only once stop has returned.
	stderr *bytes.Buffer
}

// servedAddress finds the listen address in serve's first line.
var servedAddress = regexp.MustCompile(`listening on (\S+)$`)

// startServe starts `runner serve -listen listen` on storeDir and returns
// once its banner is printed.
func startServe(t *testing.T, listen, storeDir string) *serveProcess {
	t.Helper()
	p := &serveProcess{stderr: &bytes.Buffer{}}
	p.cmd = exec.Command(runnerBinary, "serve", "-listen", listen, "-store-dir", storeDir)
	p.cmd.Stderr = p.stderr
	stdout, err := p.cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	banner := make(chan []string, 1)
	go func() {
		var lines []string
		scanner := bufio.NewScanner(stdout)
		for scanner.Scan() {
			lines = append(lines, scanner.Text())
			if scanner.Text() == "stop with Ctrl-C" {
				break
			}
		}
		banner <- lines
		io.Copy(io.Discard, stdout) // serve prints nothing more; never block it
	}()
	select {
	case p.banner = <-banner:
	case <-time.After(time.Minute):
		p.stop()
		t.Fatalf("runner serve did not print its banner within a minute; stderr:\n%s", p.stderr)
	}
	if len(p.banner) == 0 || p.banner[len(p.banner)-1] != "stop with Ctrl-C" {
		p.stop()
		t.Fatalf("runner serve ended before its banner was complete:\n%s\nstderr:\n%s", strings.Join(p.banner, "\n"), p.stderr)
	}
	for i, line := range p.banner {
		if m := servedAddress.FindStringSubmatch(line); m != nil {
			p.addr, p.repairs, p.banner = m[1], p.banner[:i], p.banner[i:]
			return p
		}
	}
	p.stop()
	t.Fatalf("runner serve's banner names no address:\n%s", strings.Join(p.banner, "\n"))
	return nil
}

// stop ends serve as Ctrl-C does and waits for it. Stopping twice is
// harmless.
func (p *serveProcess) stop() {
	if p.cmd.ProcessState != nil {
		return
	}
	p.cmd.Process.Signal(syscall.SIGTERM)
	p.cmd.Wait()
}
