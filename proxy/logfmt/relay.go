package logfmt

import (
	"os"
	"sync"
	"sync/atomic"
	"time"

	evsink "github.com/goha-lb/goha/proxy/sink"
)

// RelayTarget is a `log` line of a log-forward section. Unspec: the line
// gave no `format`, and each message is sent in the format its own
// header suggests (AppendMetaHeader).
type RelayTarget struct {
	Target
	Unspec bool
}

// Relay re-emits received syslog messages to a log-forward section's
// targets. Safe for concurrent use.
type Relay struct {
	hdr     Header // for a ring's "N events dropped" notice
	sinks   []*sink
	unspec  []bool
	loc     *time.Location
	now     func() time.Time
	dropped atomic.Int64
	bufs    sync.Pool
}

// NewRelay prepares the targets (sockets open on first use); o gives
// the process's tag, pid and hostname for the notices HAProxy writes
// itself (lost messages in a ring).
func NewRelay(targets []RelayTarget, o LoggerOptions) *Relay {
	l := NewLogger(nil, o)
	r := &Relay{hdr: l.hdr, loc: o.Location, now: l.now}
	for _, t := range targets {
		if t.Network == "ring" && t.Ring == nil {
			continue
		}
		s := &sink{t: t.Target}
		if t.Network == "fd" {
			s.out = os.Stdout
			if t.Addr == "2" {
				s.out = os.Stderr
			}
		}
		r.sinks = append(r.sinks, s)
		r.unspec = append(r.unspec, t.Unspec)
	}
	r.bufs.New = func() any { b := make([]byte, 0, 2048); return &b }
	return r
}

// Send relays one received message (ParseSyslog's results) as HAProxy
// 2.6 does: a target drops levels above its own, raises them to its
// minlevel, gives its facility to a message that had none; the message
// is cut to the target's len with its header, then "\n" is added.
func (r *Relay) Send(level, facility int, m *Meta, msg []byte) {
	for len(msg) > 0 && (msg[len(msg)-1] == '\n' || msg[len(msg)-1] == 0) {
		msg = msg[:len(msg)-1]
	}
	bp := r.bufs.Get().(*[]byte)
	now := r.now()
	for i, s := range r.sinks {
		t := &s.t
		if level > int(t.MaxLevel) {
			continue
		}
		lv, fac := max(level, int(t.MinLevel)), facility
		if fac == -1 {
			fac = t.Facility
		}
		if t.Ring != nil {
			rm := msg
			if t.MaxLen > 0 && len(rm) > t.MaxLen {
				rm = rm[:t.MaxLen]
			}
			b := AppendMetaHeader((*bp)[:0], t.RingFormat, false, fac, lv, m, now, r.loc)
			if t.RingFormat == Raw {
				b = b[:0]
			}
			b = append(b, rm...)
			if t.RingMaxLen > 0 && len(b) > t.RingMaxLen {
				b = b[:t.RingMaxLen]
			}
			t.Ring.WriteAnnounced(b, func(n int) []byte {
				a := AppendHeader(nil, t.RingFormat, fac, Notice, now, &r.hdr)
				a = append(a, evsink.DroppedText(n)...)
				if t.RingMaxLen > 0 && len(a) > t.RingMaxLen {
					a = a[:t.RingMaxLen]
				}
				return a
			})
			*bp = b
			continue
		}
		var ends [24]int // a header has at most 16 pieces
		h := metaHdr{b: (*bp)[:0], ends: ends[:0]}
		h.build(t.Format, r.unspec[i], fac, lv, m, now, r.loc)
		b := append(h.cut(0, t.MaxLen, msg), '\n')
		if err := s.send(b); err != nil {
			r.dropped.Add(1)
		}
		*bp = b
	}
	r.bufs.Put(bp)
}

// Close closes the sockets.
func (r *Relay) Close() {
	for _, s := range r.sinks {
		s.mu.Lock()
		if s.c != nil {
			s.c.Close()
			s.c = nil
		}
		s.mu.Unlock()
	}
}
