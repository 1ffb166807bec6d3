package mongosink

import (
	"errors"
	"io"
	"net"
	"net/url"
	"sync"
	"testing"
)

// proxy is a TCP proxy in front of the store that misbehaves on cue, by
// bytes sent rather than by time, so that tests stay deterministic:
//
//   - cutEvery: every time this many more bytes have gone from the client to
//     the server, every connection is closed in both directions (at most
//     cuts times), usually in the middle of a message;
//   - stallAfter: once this many bytes have gone to the server, nothing is
//     forwarded any more and new connections are accepted but never
//     answered, until heal.
type proxy struct {
	ln       net.Listener
	upstream string

	mu         sync.Mutex
	conns      map[net.Conn]struct{}
	sent       int64
	cutEvery   int64
	nextCut    int64
	cuts       int
	stallAfter int64
	stalling   bool
	stalled    chan struct{} // closed when the stall begins
	wg         sync.WaitGroup
}

func newProxy(t *testing.T, upstreamURI string, cutEvery int64, cuts int, stallAfter int64) *proxy {
	t.Helper()
	u, err := url.Parse(upstreamURI)
	if err != nil {
		t.Fatalf("parsing %s: %v", upstreamURI, err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("proxy: %v", err)
	}
	p := &proxy{
		ln: ln, upstream: u.Host, conns: map[net.Conn]struct{}{},
		cutEvery: cutEvery, nextCut: cutEvery, cuts: cuts, stallAfter: stallAfter,
		stalled: make(chan struct{}),
	}
	p.wg.Add(1)
	go p.accept()
	t.Cleanup(p.close)
	return p
}

// uri is the proxy's address with the given user information.
func (p *proxy) uri(userinfo string) string {
	if userinfo != "" {
		userinfo += "@"
	}
	return "mongodb://" + userinfo + p.ln.Addr().String() + "/"
}

func (p *proxy) accept() {
	defer p.wg.Done()
	for {
		client, err := p.ln.Accept()
		if err != nil {
			return
		}
		p.mu.Lock()
		stalling := p.stalling
		p.track(client)
		p.mu.Unlock()
		if stalling {
			p.wg.Add(1)
			go p.swallow(client)
			continue
		}
		server, err := net.Dial("tcp", p.upstream)
		if err != nil {
			_ = client.Close()
			continue
		}
		p.mu.Lock()
		p.track(server)
		p.mu.Unlock()
		p.wg.Add(2)
		go p.pipe(client, server, true)
		go p.pipe(server, client, false)
	}
}

// track registers a connection; the caller holds mu.
func (p *proxy) track(c net.Conn) { p.conns[c] = struct{}{} }

// swallow reads and drops everything a client sends, never answering.
func (p *proxy) swallow(c net.Conn) {
	defer p.wg.Done()
	_, _ = io.Copy(io.Discard, c)
}

// pipe copies src to dst, counting what goes to the server and misbehaving
// when the counts say so.
func (p *proxy) pipe(src, dst net.Conn, toServer bool) {
	defer p.wg.Done()
	defer src.Close()
	defer dst.Close()
	buf := make([]byte, 32<<10)
	for {
		n, err := src.Read(buf)
		if n > 0 {
			forward, cut := p.count(int64(n), toServer)
			if cut {
				p.cutAll()
				return
			}
			if forward {
				if _, werr := dst.Write(buf[:n]); werr != nil {
					return
				}
			}
		}
		if err != nil {
			return
		}
	}
}

// count accounts for n bytes read and says whether to forward them and
// whether to cut every connection now.
func (p *proxy) count(n int64, toServer bool) (forward, cut bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.stalling {
		return false, false
	}
	if !toServer {
		return true, false
	}
	p.sent += n
	if p.stallAfter > 0 && p.sent >= p.stallAfter {
		p.stalling = true
		close(p.stalled)
		return false, false
	}
	if p.cutEvery > 0 && p.cuts > 0 && p.sent >= p.nextCut {
		p.cuts--
		p.nextCut = p.sent + p.cutEvery
		return false, true
	}
	return true, false
}

// cutAll closes every connection.
func (p *proxy) cutAll() {
	p.mu.Lock()
	defer p.mu.Unlock()
	for c := range p.conns {
		_ = c.Close()
	}
	clear(p.conns)
}

// heal ends a stall: the stalled connections are closed and new ones are
// forwarded again.
func (p *proxy) heal() {
	p.mu.Lock()
	p.stalling = false
	p.stallAfter = 0
	p.mu.Unlock()
	p.cutAll()
}

func (p *proxy) close() {
	if err := p.ln.Close(); err != nil && !errors.Is(err, net.ErrClosed) {
		panic(err)
	}
	p.cutAll()
	p.wg.Wait()
}
