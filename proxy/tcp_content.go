package proxy

import (
	"errors"
	"io"
	"os"
	"time"
)

// tcp-mode content inspection (`tcp-request inspect-delay` and
// `tcp-request content accept|reject`): the client's first bytes are
// read into a buffer, the rules run on them (req.ssl_sni and the other
// ClientHello fetches read RequestInfo.Payload), use_backend picks the
// backend with them, and the buffered bytes go to the server unchanged
// before the relay starts. Nothing is terminated.

// InspectBufSize is tune.bufsize's default, which no payload fetch's
// slice may pass. What a connection buffers before a server is picked
// is less: tune.bufsize less tune.maxrewrite (bufLimits.headLimit), as
// HAProxy's receive keeps the rewrite room (measured on 2.6.12 with
// req.len: 15360 by default, 7184 with bufsize 8200, 8108 with bufsize
// 8200 and maxrewrite 100).
const InspectBufSize = 16384

// PayloadShort records that a fetch needed more bytes than were
// buffered: while the inspect delay runs, the rule waits for them.
func (r *RequestInfo) PayloadShort() {
	if !r.PayloadFinal {
		r.payloadShort = true
	}
}

// TakePayloadShort reports whether a fetch was short of bytes (or its
// value may still change) since the last call, and clears the mark.
func (r *RequestInfo) TakePayloadShort() bool {
	v := r.payloadShort
	r.payloadShort = false
	return v
}

// ContentFinal says whether what the rules see is final: always outside
// tcp-mode content inspection (HAProxy's SMP_OPT_FINAL), and there once the
// inspect delay, the buffer or the client's data is over. wait_end reads it.
func (r *RequestInfo) ContentFinal() bool { return !r.inspecting || r.PayloadFinal }

// inspectTCP runs the content rules. It returns the bytes read (to be
// sent to the server first) and false when the connection is refused or
// the client went away.
func (s *session) inspectTCP() ([]byte, bool) {
	fe := s.fe.cfg
	s.info.Src = s.src
	if len(fe.TCPContentRules) == 0 {
		return nil, true
	}
	var deadline time.Time
	if fe.InspectDelay > 0 {
		deadline = s.accepted.Add(fe.InspectDelay)
	}
	return s.inspectRules(fe.TCPContentRules, nil, nil, fe.InspectDelay, deadline)
}

// inspectRules runs a list of content rules on the client's bytes
// (pending: those an earlier list read), reading more while they wait,
// until deadline; a zero deadline with a delay set starts the delay at
// the first wait (a backend's list, backend_content_tcp.go). be is the
// backend the list belongs to (nil: the frontend's), for the log.
func (s *session) inspectRules(rules []TCPConnRule, be *backend, pending []byte, delay time.Duration, deadline time.Time) ([]byte, bool) {
	buf := pending[:cap(pending)]
	if len(buf) < s.p.lim.headLimit {
		buf = make([]byte, s.p.lim.headLimit)
		copy(buf, pending)
	}
	n := len(pending)
	s.info.inspecting = true
	defer func() { s.info.inspecting = false }()
	s.contentNext = 0
	final := delay <= 0 || s.c.io.eof.Load()
	for {
		s.info.Payload, s.info.PayloadFinal = buf[:n], final || n == len(buf)
		s.info.inspectUntil, s.info.inspectDelay = deadline, delay
		verdict := s.contentVerdictOf(rules)
		switch verdict {
		case contentSwitch:
			s.sw.switching = true // serveTCP upgrades the connection
			fallthrough
		case contentAccept:
			s.info.PayloadFinal = true // use_backend reads what is there
			return buf[:n], true
		case contentReject:
			// a plain close, as HAProxy 2.6's (measured: a FIN once the
			// inspected bytes were read; unread ones make it a reset),
			// counted in the frontend's dreq (the backend's list too)
			s.fe.stats.deniedReq.Add(1)
			s.emitLog(be, nil, 0, term('P', 'R'))
			s.drainOnReject() // switch_conn.go
			return nil, false
		case contentSilentDrop:
			s.fe.stats.deniedReq.Add(1)
			s.emitLog(be, nil, 0, term('P', 'R'))
			if s.c.TCPConn != nil {
				silence(s.c.TCPConn)
			}
			return nil, false
		}
		// contentWait: read more until the delay is over.
		if deadline.IsZero() {
			deadline = time.Now().Add(delay)
		}
		s.c.setRead(deadline)
		m, err := s.c.readRaw(buf[n:])
		n += m
		if m > 0 && s.tl.firstByte.IsZero() {
			s.tl.firstByte = time.Now()
		}
		s.received = int64(n)
		switch {
		case err == nil:
		case errors.Is(err, os.ErrDeadlineExceeded):
			final = true
		case errors.Is(err, io.EOF):
			final = true // the client is done sending: decide with what came
		default:
			return nil, false
		}
		s.c.setRead(time.Time{})
	}
}

type contentResult uint8

const (
	contentAccept contentResult = iota
	contentReject
	contentWait
	contentSilentDrop
	contentSwitch // switch-mode http (switch_conn.go)
)

// contentVerdictOf runs the rules in order: the first whose condition
// holds decides; a condition that needed bytes not yet there waits
// (the whole verdict waits, as HAProxy stops at a rule that misses);
// no rule left accepts.
func (s *session) contentVerdictOf(rules []TCPConnRule) contentResult {
	for i := s.contentNext; i < len(rules); i++ {
		r := &rules[i]
		s.info.payloadShort = false
		ok := r.Cond == nil || r.Cond.Match(&s.info)
		if s.info.payloadShort && !s.info.PayloadFinal {
			s.contentNext = i // resumed here: the rules before it ran
			for r.FromDefaults && s.contentNext < len(rules) && rules[s.contentNext].FromDefaults {
				// HAProxy 2.6 resumes at the proxy's own rules: the rest
				// of the defaults' list is not run (measured)
				s.contentNext++
			}
			return contentWait
		}
		if !ok {
			continue
		}
		if r.Exec != nil {
			r.Exec(&s.info)
			s.takeAddrs() // a set-src/set-dst (actions_addr.go)
			continue
		}
		s.info.ranFinal(&r.Origin) // last_rule.go
		if r.Silent {
			return contentSilentDrop
		}
		if r.Reject {
			return contentReject
		}
		if r.Switch {
			s.sw.h1 = r.SwitchH1
			return contentSwitch
		}
		return contentAccept
	}
	return contentAccept
}

// tcpBackend is the backend of a tcp-mode session: the first use_backend
// whose condition holds on what was inspected, else the default.
func (s *session) tcpBackend() *backend {
	fe := s.fe
	for i, u := range fe.cfg.UseBackends {
		if u.Cond == nil || u.Cond.Match(&s.info) {
			if u.Dynamic != nil {
				return s.dynamicTCPBackend(&u) // mode_mismatch.go
			}
			return fe.use[i]
		}
	}
	return fe.def
}
