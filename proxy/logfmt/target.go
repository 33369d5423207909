package logfmt

import (
	"errors"
	"fmt"

	"github.com/goha-lb/goha/parser/haproxy"
	evsink "github.com/goha-lb/goha/proxy/sink"
)

// Target is one `log` line of the configuration.
type Target struct {
	// Network is "udp", "unixgram" or "fd"; Addr is "host:port", a socket
	// path, or "1"/"2" for stdout/stderr.
	Network, Addr string
	MaxLen        int // `len`, default 1024: longer lines are cut to it (then "\n")
	Format        SyslogFormat
	Facility      int
	MaxLevel      Level // messages less severe than this are not sent (default debug)
	MinLevel      Level // more severe messages are sent at this level (default emerg)
	// Ring is where a `log ring@<name>` target writes (Network "ring",
	// Addr the name; SetRing attaches it): the ring's format and maxlen
	// apply, the line's `format` does not, its `len` cuts the message.
	Ring       *evsink.MsgRing
	RingFormat SyslogFormat
	RingMaxLen int
}

// SetRing attaches a ring target to its ring section's buffer, format
// ("rfc3164", "raw", ...) and maxlen.
func (t *Target) SetRing(r *evsink.MsgRing, format string, maxLen int) {
	t.Ring, t.RingMaxLen = r, maxLen
	t.RingFormat = formatNames[format]
	if format == "raw" {
		t.RingFormat = Raw
	}
}

// DefaultMaxLen is HAProxy's default `len`.
const DefaultMaxLen = 1024

// NewTarget makes the target of a typed `log` line (not `log global`):
// UDP to a host and port, a unix datagram socket, or stdout/stderr. Other
// descriptors and `sample` are *UnsupportedError; a line goha cannot
// send to (LogTarget.Invalid) or a format it does not know is an error.
func NewTarget(lt haproxy.LogTarget) (Target, error) {
	t := Target{MaxLen: DefaultMaxLen, MaxLevel: Level(lt.Level), MinLevel: Level(lt.MinLevel), Facility: lt.Facility}
	if lt.Global {
		return t, errors.New("log: 'log global' names no target here")
	}
	switch lt.Kind {
	case haproxy.LogFD:
		if lt.Addr != "1" && lt.Addr != "2" {
			return t, &UnsupportedError{Var: "log " + lt.Address}
		}
		t.Network = "fd"
	case haproxy.LogRing:
		t.Network = "ring" // the builder attaches the ring (SetRing)
	case haproxy.LogUnix:
		t.Network = "unixgram"
	case haproxy.LogUDP:
		t.Network = "udp"
	}
	t.Addr = lt.Addr
	if lt.Invalid != "" {
		return t, errors.New(lt.Invalid)
	}
	if lt.Len != 0 {
		t.MaxLen = lt.Len
	}
	if lt.Format != "" {
		f, ok := formatNames[lt.Format]
		if !ok {
			return t, fmt.Errorf("log: unknown log format '%s'", lt.Format)
		}
		t.Format = f
	}
	if lt.Sample != "" {
		return t, &UnsupportedError{Var: "log ... sample"}
	}
	return t, nil
}

// Level returns the level a message of level l is sent at, and false when
// the target drops it (less severe than its level).
func (t *Target) Level(l Level) (Level, bool) {
	if l > t.MaxLevel {
		return l, false
	}
	if l < t.MinLevel {
		l = t.MinLevel
	}
	return l, true
}
