package integration

import (
	"io"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// proxy forwards TCP connections from a loopback port to a backend, and can
// go silent the way a broken network does: connections stay open, bytes go
// in and nothing comes out, new connections are accepted and never answered.
type proxy struct {
	ln net.Listener
	wg sync.WaitGroup

	mu      sync.Mutex
	backend string
	silent  bool
	closed  bool
	links   map[*link]struct{}
}

// link is one client connection and, once dialled, its backend connection.
type link struct {
	client, backend net.Conn
	// lost is set when bytes were swallowed: the streams are no longer
	// whole, so the link cannot carry on after heal.
	lost bool
}

func startProxy(t *testing.T, backend string) *proxy {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	p := &proxy{ln: ln, backend: backend, links: map[*link]struct{}{}}
	p.wg.Add(1)
	go p.accept()
	t.Cleanup(p.close)
	return p
}

func (p *proxy) addr() string { return p.ln.Addr().String() }

// setBackend points new connections at another address (a restarted server).
func (p *proxy) setBackend(addr string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.backend = addr
}

// silence stops every byte in both directions, on open and new connections.
func (p *proxy) silence() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.silent = true
}

// heal lets bytes through again. Connections that lost bytes are closed,
// as their peers would find out soon enough; new ones work.
func (p *proxy) heal() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.silent = false
	for l := range p.links {
		if l.lost {
			l.shut()
		}
	}
}

func (p *proxy) close() {
	p.ln.Close()
	p.mu.Lock()
	p.closed = true
	for l := range p.links {
		l.shut()
	}
	p.mu.Unlock()
	p.wg.Wait()
}

func (l *link) shut() {
	l.client.Close()
	if l.backend != nil {
		l.backend.Close()
	}
}

func (p *proxy) accept() {
	defer p.wg.Done()
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return // closed
		}
		p.wg.Add(1)
		go p.forward(c)
	}
}

func (p *proxy) forward(c net.Conn) {
	defer p.wg.Done()
	l := &link{client: c}
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		c.Close()
		return
	}
	p.links[l] = struct{}{}
	silent, backend := p.silent, p.backend
	if silent {
		l.lost = true
	}
	p.mu.Unlock()
	defer func() {
		p.mu.Lock()
		delete(p.links, l)
		l.shut()
		p.mu.Unlock()
	}()

	if silent {
		io.Copy(io.Discard, c) // until heal or close shuts it
		return
	}
	b, err := net.DialTimeout("tcp", backend, 5*time.Second)
	if err != nil {
		return // the server is down: the client sees its connection close
	}
	p.mu.Lock()
	l.backend = b
	if p.closed {
		l.shut()
	}
	p.mu.Unlock()

	done := make(chan struct{})
	go func() {
		defer close(done)
		p.pump(l, b, c)
	}()
	p.pump(l, c, b)
	<-done
}

// pump copies src to dst until either side closes, swallowing what arrives
// while the proxy is silent; then it shuts the link, so the other direction
// ends too.
func (p *proxy) pump(l *link, dst, src net.Conn) {
	buf := make([]byte, 64<<10)
	for {
		n, err := src.Read(buf)
		if n > 0 {
			p.mu.Lock()
			silent := p.silent
			if silent {
				l.lost = true
			}
			p.mu.Unlock()
			if !silent {
				if _, werr := dst.Write(buf[:n]); werr != nil {
					break
				}
			}
		}
		if err != nil {
			break // closed or reset: either way the link is over
		}
	}
	p.mu.Lock()
	l.shut()
	p.mu.Unlock()
}
