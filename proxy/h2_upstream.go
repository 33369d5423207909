package proxy

import (
	"crypto/tls"
	"errors"
	"io"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/goha-lb/goha/proxy/h2"
	"github.com/goha-lb/goha/proxy/http1"
	"golang.org/x/net/http2"
)

// HTTP/2 to servers (server ... proto h2, or ALPN h2 over TLS): a
// server's connections are h2.ClientConns carrying as many streams at
// once as the server's SETTINGS allow, shared between requests as
// http-reuse says (reuse.go, h2PoolConn). Each request's exchange still
// speaks HTTP/1.1: its server connection is an h2Upstream, which turns
// the request bytes the exchange writes into HEADERS, DATA and trailers,
// and the response's frames back into HTTP/1.1 bytes for it to read.

// h2Pool holds a server's HTTP/2 connections.
type h2Pool struct {
	settings     h2.Settings
	writeTimeout time.Duration // timeout server, for each frame write
	mu           sync.Mutex
	conns        []h2PoolConn
	need         idleNeed // bounds the idle ones (reuse.go)
	// limit is the most streams a connection carries (max-reuse + 1;
	// 0: no limit), as HAProxy's h2_avail_streams counts them.
	limit      int
	purge      purgeClock
	purgeDelay time.Duration // pool-purge-delay (negative: no idle ones)
}

// h2PoolConn is one connection with what http-reuse lets others do with
// it, as HAProxy 2.6's H2 mux and connect_server decide: under safe and
// never it belongs to the session that made it (or, under safe, took it
// idle), whose next streams open on it; under always (or once taken idle
// under aggressive) any request may open a stream on it (HAProxy's avail
// list). Once it carries no stream it joins the server's idle ones
// (safe ones: a first request may take them under aggressive and
// always), leaving its session, except under never.
type h2PoolConn struct {
	cc      *h2.ClientConn
	sni     string
	hello   string // the PROXY header it began with (getIdle)
	scheme  string
	owner   *session
	shared  bool
	tls     *tls.ConnectionState // over TLS: its handshake
	randoms [2][]byte            // its hellos' randoms
	// sessionKey is its master secret (ssl_bc_session_key), finished the
	// Finished of ssl_bc_unique_id.
	sessionKey, finished []byte
	// private: under never, it stays its session's even when idle.
	private bool
	// idled: it was seen carrying no stream and kept as idle (settle).
	idled bool
	// opened counts the streams opened on it (h2Pool.limit).
	opened int
}

// spent says the connection opened all the streams max-reuse allows.
func (p *h2Pool) spent(pc *h2PoolConn) bool { return p.limit > 0 && pc.opened >= p.limit }

// take opens a stream's upstream on a connection owner may use, made
// with the same SNI: its own, a shared one with room, else an idle one
// when safeOK (reuseAllowed). Connections that failed or got a GOAWAY
// leave the pool (their open streams finish) on the way.
func (p *h2Pool) take(now time.Time, sni, hello string, owner *session, mode ReuseMode, safeOK bool) *tconn {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.settleLocked(now)
	found := -1
	for pass := 0; pass < 3 && found < 0; pass++ {
		for i := range p.conns {
			pc := &p.conns[i]
			if pc.sni != sni || pc.hello != hello || !pc.cc.CanOpen() || p.spent(pc) {
				continue
			}
			if pass == 0 && pc.owner == owner ||
				pass == 1 && pc.shared && mode != ReuseNever ||
				pass == 2 && pc.idled && pc.owner == nil && safeOK {
				found = i
				break
			}
		}
	}
	if found < 0 {
		return nil
	}
	pc := &p.conns[found]
	p.noteUsedLocked(pc.idled)
	if pc.idled && pc.owner == nil {
		if mode == ReuseSafe {
			pc.owner = owner
		} else {
			pc.shared = true
		}
	}
	pc.idled = false
	pc.opened++
	t := newSrvTconn(nil)
	t.h2, t.sni = &h2Upstream{cc: pc.cc, scheme: pc.scheme, tls: pc.tls, randoms: pc.randoms, sessionKey: pc.sessionKey, finished: pc.finished}, sni
	return t
}

// settle applies settleLocked.
func (p *h2Pool) settle(now time.Time) {
	p.mu.Lock()
	p.settleLocked(now)
	p.mu.Unlock()
}

// settleLocked drops the connections that failed or got a GOAWAY, and
// moves those whose streams all ended to the idle ones, within the idle
// cap (idleNeed), as HAProxy's H2 detach; the purge (purgeIdle) closes
// idle ones later.
func (p *h2Pool) settleLocked(now time.Time) {
	busy, idled := p.countLocked()
	keep := p.conns[:0]
	for i := range p.conns {
		pc := p.conns[i]
		ok, since := pc.cc.Usable()
		switch {
		case !ok:
			pc.cc.Drain()
			continue
		case since.IsZero():
		case p.spent(&pc):
			// max-reuse reached: it leaves once its streams end
			pc.cc.Close()
			continue
		case !pc.idled && pc.owner != nil && pc.private:
			// never: it stays its session's
		case !pc.idled:
			// Its last stream ended: counted as in use at the check,
			// as HAProxy's detach counts it.
			if p.purgeDelay < 0 || !p.need.keep(busy+1, idled) {
				pc.cc.Close()
				continue
			}
			pc.idled, pc.owner, pc.shared = true, nil, false
			idled++
			if !p.purge.armed() {
				p.purge.arm(p.purgeDelay, p.purgeIdle)
			}
		}
		keep = append(keep, pc)
	}
	for i := len(keep); i < len(p.conns); i++ {
		p.conns[i] = h2PoolConn{}
	}
	p.conns = keep
}

// noteUsedLocked records the connections carrying streams, one more
// when one more is about to (a new or an idle one). It is not
// countLocked's busy count: take hands a connection out before its
// stream opens, and a settle in that window can mark it idled; once the
// stream opens, countLocked counts it busy, this does not, so the
// connection take is about to count (more) is never counted twice.
func (p *h2Pool) noteUsedLocked(more bool) {
	busy := 0
	for _, pc := range p.conns {
		if _, since := pc.cc.Usable(); since.IsZero() && !pc.idled {
			busy++
		}
	}
	if more {
		busy++
	}
	p.need.noteUsed(busy)
}

func (p *h2Pool) add(pc h2PoolConn) {
	p.mu.Lock()
	p.noteUsedLocked(true)
	p.conns = append(p.conns, pc)
	p.mu.Unlock()
}

// retire takes every connection out of the pool (the server moved,
// went down, or a pooled connection was found dead): idle ones close
// now, busy ones once their streams are done.
func (p *h2Pool) retire() {
	p.mu.Lock()
	conns := p.conns
	p.conns = nil
	p.purge.stop()
	p.mu.Unlock()
	for _, pc := range conns {
		pc.cc.Drain()
	}
}

// startH2 makes a freshly dialled connection an HTTP/2 one when the
// server speaks it: `proto h2`, or h2 chosen by ALPN. It returns the
// stream's upstream over it (nil: the connection stays HTTP/1.1). The
// server's SETTINGS must come by ready (the end of the connect
// timeout), or the connect fails, as with HAProxy.
func (s *server) startH2(t *tconn, ready time.Time, owner *session) (*tconn, error) {
	p := s.h2
	if p == nil {
		return nil, nil
	}
	scheme := "http"
	var tr h2.Transport = h2SrvTransport{t, p.writeTimeout}
	if t.tls != nil {
		scheme = "https"
		if !s.cfg.H2 && t.tls.ConnectionState().NegotiatedProtocol != "h2" {
			return nil, nil
		}
	} else if !s.cfg.H2 {
		return nil, nil
	}
	cc, err := h2.NewClientConn(tr, t.TCPConn, p.settings)
	if err != nil {
		return nil, err
	}
	if err := cc.WaitReady(ready); err != nil {
		return nil, timeoutOr(err)
	}
	pc := h2PoolConn{cc: cc, sni: t.sni, hello: t.hello, scheme: scheme, opened: 1}
	if t.tls != nil {
		st := t.tls.ConnectionState()
		pc.tls, pc.randoms, pc.sessionKey, pc.finished = &st, t.randoms, t.sessionKey, t.finished
	}
	switch s.reuse {
	case ReuseSafe:
		pc.owner = owner
	case ReuseNever:
		pc.owner, pc.private = owner, true
		if owner != nil {
			owner.priv.own(cc)
		}
	case ReuseAlways:
		pc.shared = true
	}
	p.add(pc)
	up := newSrvTconn(nil)
	up.h2, up.sni = &h2Upstream{cc: cc, scheme: scheme, tls: pc.tls, randoms: pc.randoms, sessionKey: pc.sessionKey, finished: pc.finished}, t.sni
	return up, nil
}

// timeoutOr makes a server's missing preface a connect timeout (sC),
// as HAProxy logs it.
func timeoutOr(err error) error {
	if errors.Is(err, h2.ErrNoPreface) {
		return os.ErrDeadlineExceeded
	}
	return err
}

// h2SrvTransport is a server connection under the frames: each write is
// bounded by the server timeout.
type h2SrvTransport struct {
	c  *tconn
	to time.Duration
}

func (t h2SrvTransport) Read(p []byte) (int, error) { return t.c.readRaw(p) }
func (t h2SrvTransport) Write(p []byte) (int, error) {
	return t.c.writeAt(p, time.Time{}, t.to)
}
func (t h2SrvTransport) SetReadDeadline(d time.Time) error { return t.c.TCPConn.SetReadDeadline(d) }

// h2Upstream is one request's stream to a server, read and written as an
// HTTP/1.1 connection by the exchange.
type h2Upstream struct {
	cc     *h2.ClientConn
	scheme string
	st     *h2.ClientStream
	tls    *tls.ConnectionState // over TLS: its handshake (ssl_s_*, ssl_bc_*)
	// randoms are its hellos' randoms (ssl_bc_*_random), sessionKey its
	// master secret (ssl_bc_session_key), finished the Finished of
	// ssl_bc_unique_id.
	randoms              [2][]byte
	sessionKey, finished []byte

	// The request, as the exchange writes it.
	head   []byte
	req    http1.Request
	ws     upState
	remain int64
	dc     chunkDecoder

	// The response, as the exchange reads it.
	headReq bool
	out     []byte // response bytes not yet read
	rs      upState
	tmp     []byte

	rdl, wdl time.Time // deadlines noted before the stream opens
	// fromH2 is set for an HTTP/2 client's request, with its :scheme
	// and :authority (prepareUpstream).
	fromH2                 bool
	clientScheme, clientAu string
	// failed: a read failed on the server's side (upstreamFailed).
	failed bool
	// ext: a WebSocket upgrade sent as an extended CONNECT; connect: a
	// CONNECT (h2_upstream_ws.go).
	ext, connect bool
	// teAdded: the final head got the transfer-encoding field the
	// body's chunks need (h2_upstream_count.go).
	teAdded bool
}

type upState uint8

const (
	upHead upState = iota
	upLength
	upChunked
	upDone
)

// errUpgrade is a request an HTTP/2 server cannot take from goha (an
// HTTP/1.1 upgrade; extended CONNECT is not done).
var errUpgrade = errors.New("h2: upgrade to an HTTP/2 server")

// Write takes the HTTP/1.1 request bytes of the exchange.
func (u *h2Upstream) Write(p []byte) (int, error) {
	n := len(p)
	for len(p) > 0 {
		switch u.ws {
		case upHead:
			u.head = append(u.head, p...)
			p = nil
			err := u.req.Parse(u.head)
			if err == http1.ErrIncomplete {
				return n, nil
			}
			if err != nil {
				return 0, errBridge
			}
			if err := u.open(); err != nil {
				return 0, err
			}
			p = u.head[u.req.HeadLen:]
		case upLength:
			k := min(int64(len(p)), u.remain)
			u.remain -= k
			if err := u.st.WriteData(p[:k], u.remain == 0); err != nil {
				return 0, err
			}
			if u.remain == 0 {
				u.ws = upDone
			}
			p = p[k:]
		case upChunked:
			k, err := u.dc.feed(p, u.st)
			if err != nil {
				return 0, err
			}
			p = p[k:]
			if u.dc.done {
				u.ws = upDone
			}
		case upTunnel:
			if err := u.st.WriteData(p, false); err != nil {
				return 0, err
			}
			p = nil
		case upDone:
			return n, nil
		}
	}
	return n, nil
}

// open sends the request's HEADERS: the pseudo-fields from the request
// line and Host, then the fields in lower case without the
// connection-specific ones (RFC 9113 §8.2.2); host stays, as HAProxy
// sends it.
func (u *h2Upstream) open() error {
	r := &u.req
	if (r.IsUpgrade() || r.IsConnect()) && !u.tunnelRequest() {
		return errUpgrade // h2_upstream_ws.go
	}
	u.headReq = string(r.Method) == "HEAD" // case-sensitive, as HAProxy's methods
	scheme, authority, path := u.target(r) // h2_upstream_target.go
	if u.ext && authority == "" {
		authority = string(r.Header("host")) // RFC 8441 names it
	}
	fields := u.pseudoFields(make([]h2.Field, 0, len(r.Headers)+5), scheme, authority, path) // h2_upstream_ws.go
	for _, h := range r.Headers {
		name := strings.ToLower(string(h.Name))
		switch {
		case dropped[name], name == "host" && (authority != "" || u.ext || u.connect):
			continue
		case name == "te" && !strings.EqualFold(strings.TrimSpace(string(h.Value)), "trailers"):
			continue
		}
		fields = append(fields, h2.Field{Name: name, Value: string(h.Value)})
	}
	end := !r.Chunked && r.ContentLength <= 0 && !u.ext && !u.connect
	st, err := u.cc.Open(fields, end)
	if err != nil {
		return err
	}
	u.st = st
	st.SetReadDeadline(u.rdl)
	st.SetWriteDeadline(u.wdl)
	switch {
	case u.ext, u.connect:
		u.ws = upTunnel
	case end:
		u.ws = upDone
	case r.Chunked:
		u.ws = upChunked
	default:
		u.ws, u.remain = upLength, r.ContentLength
	}
	return nil
}

// Read gives the response as HTTP/1.1 bytes: the head (interim ones
// first), then the body, chunked when no content-length gave its size,
// trailers after the last chunk.
func (u *h2Upstream) Read(p []byte) (int, error) {
	n, err := u.read(p)
	if err != nil && err != io.EOF && !isTimeout(err) {
		u.failed = true
	}
	return n, err
}

func (u *h2Upstream) read(p []byte) (int, error) {
	for len(u.out) == 0 {
		if u.st == nil {
			return 0, io.ErrUnexpectedEOF // nothing was sent
		}
		switch u.rs {
		case upHead:
			h, err := u.st.ReadHead()
			if err != nil {
				return 0, err
			}
			u.out = u.appendHead(u.out[:0], &h)
		case upLength:
			n, err := u.st.Read(p)
			if err == io.EOF {
				u.rs = upDone
			}
			return n, err
		case upChunked:
			if u.tmp == nil {
				u.tmp = make([]byte, 8192)
			}
			n, err := u.st.Read(u.tmp)
			if n > 0 {
				u.out = http1.AppendChunk(u.out[:0], u.tmp[:n])
			}
			if err == io.EOF {
				u.out = u.appendLastChunk(u.out)
			} else if err != nil {
				return 0, err
			}
		case upTunnel:
			return u.st.Read(p)
		case upDone:
			return 0, io.EOF
		}
	}
	n := copy(p, u.out)
	u.out = u.out[n:]
	return n, nil
}

// appendHead writes a response head as HTTP/1.1 and sets how its body
// is read.
func (u *h2Upstream) appendHead(out []byte, h *h2.ResponseHead) []byte {
	if (u.ext && h.Status == 200) || (u.connect && h.Status >= 200 && h.Status < 300) {
		return u.appendUpgraded(out, h) // h2_upstream_ws.go
	}
	out = append(out, "HTTP/1.1 "...)
	out = strconv.AppendInt(out, int64(h.Status), 10)
	// No reason phrase: HTTP/2 carries none, and HAProxy writes none.
	out = append(out, ' ', '\r', '\n')
	for _, f := range h.Fields {
		out = append(out, f.Name...)
		out = append(out, ':', ' ')
		out = append(out, f.Value...)
		out = append(out, '\r', '\n')
	}
	switch {
	case h.Status < 200:
	case u.headReq || h.Status == 204 || h.Status == 304:
		u.rs = upDone
	case h.ContentLength >= 0:
		u.rs = upLength
		if h.ContentLength == 0 {
			u.rs = upDone
		}
	default:
		out = append(out, "transfer-encoding: chunked\r\n"...)
		u.rs, u.teAdded = upChunked, true
		if u.st.Drained() {
			// END_STREAM came with the head: the last chunk goes with
			// it, so an HTTP/2 client gets END_STREAM on its HEADERS,
			// as HAProxy sends them.
			return u.appendLastChunk(append(out, '\r', '\n'))
		}
	}
	return append(out, '\r', '\n')
}

// appendLastChunk ends a chunked body: the last chunk, the trailers.
func (u *h2Upstream) appendLastChunk(out []byte) []byte {
	u.rs = upDone
	out = append(out, "0\r\n"...)
	for _, f := range u.st.Trailers {
		out = append(out, f.Name...)
		out = append(out, ':', ' ')
		out = append(out, f.Value...)
		out = append(out, '\r', '\n')
	}
	return append(out, '\r', '\n')
}

func (u *h2Upstream) SetReadDeadline(t time.Time) error {
	u.rdl = t
	if u.st != nil {
		return u.st.SetReadDeadline(t)
	}
	return nil
}

func (u *h2Upstream) SetWriteDeadline(t time.Time) error {
	u.wdl = t
	if u.st != nil {
		return u.st.SetWriteDeadline(t)
	}
	return nil
}

// CloseWrite has nothing to do: the request's end is in its framing,
// but for a tunnel's (END_STREAM).
func (u *h2Upstream) CloseWrite() error {
	if u.ws == upTunnel {
		u.ws = upDone
		return u.st.WriteData(nil, true)
	}
	return nil
}

// Close ends the stream; the connection stays for other streams. A
// stream not finished both ways is reset (CANCEL).
func (u *h2Upstream) Close() error {
	switch {
	case u.st == nil:
	case (u.ext || u.connect) && u.ws == upTunnel && u.rs == upDone && u.st.Drained():
		// The server refused the tunnel and ended its side: HAProxy
		// ends the request's with END_STREAM, then RST_STREAM
		// STREAM_CLOSED.
		u.st.EndThenReset(http2.ErrCodeStreamClosed)
	default:
		u.st.Close()
	}
	return nil
}
