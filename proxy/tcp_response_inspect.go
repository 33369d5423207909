package proxy

import (
	"errors"
	"io"
	"os"
	"sync"
	"time"
)

// Response inspection for tcp-response content rules that read the
// server's bytes (res.payload, res.payload_lv), in TCP mode, as HAProxy
// 2.6's tcp_inspect_response does (measured with an echo server):
//   - the rules first run as soon as the server connection is up, on no
//     bytes; a rule whose condition needs bytes not there yet waits for
//     them (the rules before it are not run again), until
//     `tcp-response inspect-delay` is over, the buffer is full or the
//     server is done sending; then the rule is decided on what came;
//   - meanwhile the client's bytes keep flowing to the server;
//   - what the rules inspected goes to the client once they accept, and is
//     dropped when they reject.
//
// In HTTP mode HAProxy's buffers hold HTX, where these fetches have no
// value: the rules decide at once (tcp_response.go), RequestInfo having
// no response payload.

// ResponseInspect is a backend's response inspection: Delay is
// `tcp-response inspect-delay`, Payload says a tcp-response rule reads
// the response's bytes.
type ResponseInspect struct {
	Delay   time.Duration
	Payload bool
}

// ResPayload is what the server sent so far, during the tcp-response
// rules of a TCP stream (nil elsewhere).
func (r *RequestInfo) ResPayload() []byte { return r.stream.resPayload }

// ResPayloadShort records that a fetch needed more response bytes than
// were buffered: while the inspect delay runs, the rule waits for them.
func (r *RequestInfo) ResPayloadShort() {
	if !r.stream.resFinal {
		r.payloadShort = true
	}
}

// Inspecting says whether the rules run on a buffer that may still grow:
// tcp content inspection's request bytes, or the response's.
func (r *RequestInfo) Inspecting() bool { return r.Payload != nil || r.stream.resPayload != nil }

// Miss records a condition's MISS (proxy/acl): its rule waits while the
// buffer it inspects may still grow.
func (r *RequestInfo) Miss() {
	if r.stream.resPayload != nil {
		r.ResPayloadShort()
		return
	}
	r.PayloadShort()
}

// tcpResponseRules runs be's tcp-response content rules from rule from:
// the first accept, reject or close whose condition holds decides, the
// variable rules on the way run; none left accepts. wait says a
// condition needs response bytes not there yet: the rules resume at next.
func (s *session) tcpResponseRules(be *backend, from int) (v tcpResVerdict, wait bool, next int) {
	rules := be.cfg.TCPResponseRules
	if tr := s.info.track; tr != nil && len(rules) > from {
		defer tr.ownFrom(tr.own) // backend_rules.go backendTable
		s.tablesOf(be)
	}
	for i := from; i < len(rules); i++ {
		r := &rules[i]
		s.info.payloadShort = false
		ok := r.Cond == nil || r.Cond.Match(&s.info)
		if s.info.payloadShort && !s.info.stream.resFinal {
			return resAccept, true, i
		}
		if !ok {
			continue
		}
		if r.Exec == nil && !s.tcpStream() {
			// last_rule.go: measured, HAProxy 2.6 records tcp-response
			// verdicts of HTTP streams only
			s.info.ranFinal(&r.Origin)
		}
		switch {
		case r.Exec != nil:
			r.Exec(&s.info)
		case r.Silent: // (tcp mode only: haproxycfg tcp_response.go)
			return resSilentDrop, false, i
		case r.Reject:
			return resReject, false, i
		case r.Close:
			return resClose, false, i
		default:
			return resAccept, false, i
		}
	}
	return resAccept, false, len(rules)
}

// inspectResponse reads the server's first bytes until the rules
// decide. It returns their verdict, the bytes read (for the client on
// accept) and how many client bytes went to the server meanwhile.
func (s *session) inspectResponse(be *backend, sc *tconn) (v tcpResVerdict, head []byte, up int64) {
	buf := make([]byte, s.p.lim.headLimit) // as a request's (tcp_content.go)
	n := 0
	delay := be.cfg.ResInspect.Delay
	deadline := time.Now().Add(delay)
	st := &s.info.stream
	st.resFinal = delay <= 0
	defer func() { st.resPayload, st.resFinal = nil, false }()
	fwd := s.forwardClient(sc, be.cfg.Timeouts.Server)
	defer func() { up = fwd.stop(s.c) }()
	next := 0
	for {
		st.resPayload = buf[:n]
		st.resFinal = st.resFinal || n == len(buf)
		v, wait, at := s.tcpResponseRules(be, next)
		if !wait {
			return v, buf[:n], 0
		}
		next = at
		sc.setRead(deadline)
		m, err := sc.readRaw(buf[n:])
		n += m
		switch {
		case err == nil:
		case errors.Is(err, os.ErrDeadlineExceeded), errors.Is(err, io.EOF):
			st.resFinal = true // decide with what came
		default:
			st.resFinal = true
		}
		sc.setRead(time.Time{})
	}
}

// clientForward copies the client's bytes to the server while the
// response is inspected.
type clientForward struct {
	done chan struct{}
	mu   sync.Mutex
	n    int64
}

// forwardClient starts copying the client's bytes to sc, each write
// waiting at most timeout (timeout server: what bounds stop's wait); a
// client done sending has its end passed on to the server.
func (s *session) forwardClient(sc *tconn, timeout time.Duration) *clientForward {
	f := &clientForward{done: make(chan struct{})}
	go func() {
		defer close(f.done)
		buf := make([]byte, 4096)
		for {
			m, err := s.c.readRaw(buf)
			if m > 0 {
				if _, werr := sc.write(buf[:m], timeout); werr != nil {
					return
				}
				f.mu.Lock()
				f.n += int64(m)
				f.mu.Unlock()
			}
			if errors.Is(err, io.EOF) {
				sc.CloseWrite()
			}
			if err != nil {
				return
			}
		}
	}()
	return f
}

// stop ends the copy (its read on the client is cut short) and returns
// how many bytes it moved; the client's read deadline is cleared.
func (f *clientForward) stop(c *tconn) int64 {
	c.SetReadDeadline(time.Now())
	<-f.done
	c.setRead(time.Time{})
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.n
}
