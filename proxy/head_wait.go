package proxy

import (
	"time"

	"github.com/goha-lb/goha/proxy/http1"
)

// headDeadline is when the wait for the rest of a request head ends, as
// HAProxy 2.6's H1 mux times it (measured on 2.6.12): `timeout
// http-request` runs from the head's first byte (from the start of the
// wait while none came: the accept, or the end of the keep-alive wait)
// and `timeout client` from the last read that brought bytes; the
// earlier of the two ends the wait with a 408. With http-request 500ms,
// a first byte at 450 ms is waited for until 950 ms; with only client
// 1s, a head sent a line every 600 ms is waited for as long as it comes.
func (s *session) headDeadline(t *Timeouts, lastRead time.Time) time.Time {
	base := s.tl.start
	if !s.tl.firstByte.IsZero() {
		base = s.tl.firstByte
	}
	return earlier(deadlineFrom(base, t.HTTPRequest), deadlineFrom(lastRead, t.Client))
}

// earlier is the earlier of two deadlines, zero meaning none.
func earlier(a, b time.Time) time.Time {
	if a.IsZero() || !b.IsZero() && b.Before(a) {
		return b
	}
	return a
}

// endEmptyWait is for a connection that ends (408, or the client's close)
// before sending a byte: HAProxy logs its wait as active time, not idle
// time (%Ti 0, %Ta and %Tt the whole wait, measured), so the first byte
// is taken to be at the start of the wait.
func (s *session) endEmptyWait() {
	if s.tl.firstByte.IsZero() {
		s.tl.firstByte = s.tl.start
	}
}

// headError is parseRequestHead's error, or, for an incomplete head read
// by the session's own HTTP/1 parser, the refusal HAProxy's parser, which
// reads byte by byte, already made on the bytes received
// (http1.Request.EarlyError): such a head is answered 400 at once rather
// than waited for until a 408.
func (s *session) headError(err error) error {
	if err != http1.ErrIncomplete {
		return err
	}
	if _, ok := s.c.h2.(*streamBridge); ok {
		return err
	}
	if e := s.req.EarlyError(s.buf[:s.end]); e != nil {
		return e
	}
	return err
}
