package integration

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// processServer is `runner serve` as a subprocess with a store folder of the
// test's own. runner reaches it through a proxy, which stays where it is when
// the server restarts on another port and can silence the link; the test
// reads directly.
func processServer(t *testing.T) *server {
	tmp := t.TempDir()
	p := &serveProcess{dir: filepath.Join(tmp, "store"), logPath: filepath.Join(tmp, "serve.log")}
	p.start(t)
	t.Cleanup(func() { p.close(t) })
	px := startProxy(t, p.addr)
	direct := func(*testing.T) string { return "mongodb://" + p.addr + "/" }
	waitReachable(t, direct(t))
	return &server{
		kind: targetProcess, collection: "admissions",
		adminURI:  direct,
		runnerURI: func(*testing.T) string { return "mongodb://" + px.addr() + "/" },
		accounts:  noAuthentication,
		ctl:       &processControls{p: p, px: px},
		bigRows:   30_000,
	}
}

// serveProcess is one `runner serve` on a store folder, restartable.
type serveProcess struct {
	dir, logPath string
	cmd          *exec.Cmd
	done         chan struct{} // closed when cmd has exited
	addr         string        // host:port it listens on
}

// serveListening matches serve's first line, which names the address it
// listens on; the newline proves the address is complete.
var serveListening = regexp.MustCompile(`listening on (\S+)\n`)

func (p *serveProcess) start(t *testing.T) {
	t.Helper()
	logFile, err := os.OpenFile(p.logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	require.NoError(t, err)
	defer logFile.Close() // the child has its own descriptor
	out := &addressWatcher{found: make(chan string, 1)}
	// Port 0: the kernel picks a free port, which serve prints; nothing can
	// take it between choosing and listening.
	cmd := exec.Command(suite.bin, "serve", "-listen", "127.0.0.1:0", "-store-dir", p.dir)
	cmd.Stdout, cmd.Stderr = out, logFile
	require.NoError(t, cmd.Start())
	done := make(chan struct{})
	go func() {
		cmd.Wait()
		close(done)
	}()
	p.cmd, p.done = cmd, done
	select {
	case p.addr = <-out.found:
	case <-done:
		t.Fatalf("runner serve exited before listening:\n%s", p.logTail())
	case <-time.After(time.Minute):
		p.kill()
		t.Fatalf("runner serve did not listen within a minute:\n%s", p.logTail())
	}
}

// kill ends the server as a crash does: no shutdown, whatever it was doing.
func (p *serveProcess) kill() {
	p.cmd.Process.Kill()
	<-p.done
}

func (p *serveProcess) signal(sig syscall.Signal) error { return p.cmd.Process.Signal(sig) }

// close stops the server cleanly, or kills it when it does not stop.
func (p *serveProcess) close(t *testing.T) {
	if t.Failed() {
		t.Logf("runner serve's log ends with:\n%s", p.logTail())
	}
	select {
	case <-p.done:
		return
	default:
	}
	p.signal(syscall.SIGCONT) // a stopped process would not act on SIGTERM
	p.signal(syscall.SIGTERM)
	select {
	case <-p.done:
	case <-time.After(15 * time.Second):
		t.Errorf("runner serve did not stop within 15s of SIGTERM; killing it")
		p.kill()
	}
}

// logTail is the end of serve's log, which FerretDB fills with detail.
func (p *serveProcess) logTail() string {
	data, _ := os.ReadFile(p.logPath)
	if len(data) > 4096 {
		data = data[len(data)-4096:]
	}
	return string(data)
}

// addressWatcher is serve's standard output: it finds the address serve
// listens on.
type addressWatcher struct {
	mu    sync.Mutex
	out   bytes.Buffer
	found chan string
	sent  bool
}

func (w *addressWatcher) Write(b []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.sent {
		return len(b), nil
	}
	w.out.Write(b)
	if m := serveListening.FindSubmatch(w.out.Bytes()); m != nil {
		w.found <- string(m[1])
		w.sent = true
	}
	return len(b), nil
}

// processControls fails a serve subprocess: the process is killed and
// restarted, stopped and continued, or its link goes silent.
type processControls struct {
	p  *serveProcess
	px *proxy
}

func (c *processControls) fault(t *testing.T, kind faultKind) (inject, restore func(t *testing.T)) {
	var down bool
	var hurt, heal func(t *testing.T)
	switch kind {
	case faultStopped:
		hurt = func(*testing.T) { c.p.kill() }
		heal = func(t *testing.T) {
			c.p.start(t) // the same store folder: the data it acknowledged
			c.px.setBackend(c.p.addr)
		}
	case faultPaused:
		hurt = func(t *testing.T) { require.NoError(t, c.p.signal(syscall.SIGSTOP)) }
		heal = func(t *testing.T) { require.NoError(t, c.p.signal(syscall.SIGCONT)) }
	case faultDisconnected:
		hurt = func(*testing.T) { c.px.silence() }
		heal = func(*testing.T) { c.px.heal() }
	default:
		t.Fatalf("unknown fault %q", kind)
	}
	inject = func(t *testing.T) {
		t.Helper()
		hurt(t)
		down = true
	}
	restore = func(t *testing.T) {
		t.Helper()
		if !down {
			return
		}
		down = false
		heal(t)
		waitReachable(t, "mongodb://"+c.p.addr+"/")
	}
	return inject, restore
}
