package logfmt

import (
	"net"
	"os"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// Logger sends messages to a set of targets. Safe for concurrent use.
type Logger struct {
	hdr     Header
	now     func() time.Time
	sinks   []*sink
	dropped atomic.Int64
	bufs    sync.Pool
}

// LoggerOptions are the process-wide parts of the syslog header.
type LoggerOptions struct {
	Tag      string // `log-tag`; default "haproxy"
	PID      int    // default os.Getpid()
	Hostname string // `log-send-hostname`: sent in RFC3164/5424 headers when set
	Location *time.Location
	Now      func() time.Time // default time.Now; tests pin it
	// Stdout and Stderr replace the process's fd 1 and 2 (tests).
	Stdout, Stderr interface{ Write([]byte) (int, error) }
}

type sink struct {
	t   Target
	mu  sync.Mutex // guards conn (re)dialing and fd writes
	c   net.Conn
	raw syscall.RawConn // c's descriptor, for non-blocking writes
	out interface{ Write([]byte) (int, error) }
}

// NewLogger prepares the targets. Sockets are opened lazily, on the first
// message, and reopened after an error, so a syslog daemon that starts
// late (or restarts) still gets later lines, as with HAProxy.
func NewLogger(targets []Target, o LoggerOptions) *Logger {
	l := &Logger{hdr: Header{Tag: o.Tag, PID: o.PID, Hostname: o.Hostname, Location: o.Location}, now: o.Now}
	if l.hdr.Tag == "" {
		l.hdr.Tag = "haproxy"
	}
	if l.hdr.PID == 0 {
		l.hdr.PID = os.Getpid()
	}
	if l.now == nil {
		l.now = time.Now
	}
	for _, t := range targets {
		if t.Network == "ring" && t.Ring == nil {
			continue // not attached (refused by the builder)
		}
		s := &sink{t: t}
		if t.Network == "fd" {
			s.out = os.Stdout
			if o.Stdout != nil {
				s.out = o.Stdout
			}
			if t.Addr == "2" {
				s.out = os.Stderr
				if o.Stderr != nil {
					s.out = o.Stderr
				}
			}
		}
		l.sinks = append(l.sinks, s)
	}
	l.bufs.New = func() any { b := make([]byte, 0, 2048); return &b }
	return l
}

// Dropped counts messages that could not be sent (HAProxy's DroppedLogs).
func (l *Logger) Dropped() int64 { return l.dropped.Load() }

// Log sends msg (without a trailing newline) at level to every target that
// accepts the level: header, message cut to the target's len, "\n".
func (l *Logger) Log(level Level, msg []byte) { l.logSD(level, nil, msg) }

// logSD is Log with sd, the structured data an RFC 5424 target's header
// carries in place of its "-" (log-format-sd); other formats drop it.
func (l *Logger) logSD(level Level, sd, msg []byte) {
	if l == nil || len(l.sinks) == 0 {
		return
	}
	bp := l.bufs.Get().(*[]byte)
	now := l.now()
	for _, s := range l.sinks {
		lv, ok := s.t.Level(level)
		if !ok {
			continue
		}
		if s.t.Ring != nil {
			*bp = l.toRing(s, lv, now, sd, msg, (*bp)[:0])
			continue
		}
		b := AppendHeader((*bp)[:0], s.t.Format, s.t.Facility, lv, now, &l.hdr)
		if len(sd) > 0 && s.t.Format == RFC5424 {
			b = append(append(b[:len(b)-2], sd...), ' ') // "... pid - " SD " "
		}
		b = append(b, msg...)
		if s.t.MaxLen > 0 && len(b) > s.t.MaxLen {
			b = b[:s.t.MaxLen]
		}
		b = append(b, '\n')
		if err := s.send(b); err != nil {
			l.dropped.Add(1)
		}
		*bp = b
	}
	l.bufs.Put(bp)
}

// Emit formats e with f and sends it at level: what the integrator calls
// from proxy.Options.Log (after Skip). It allocates nothing per line.
func (l *Logger) Emit(level Level, f *Format, e *Entry, env *Env) {
	if l == nil || len(l.sinks) == 0 {
		return
	}
	mp := l.bufs.Get().(*[]byte)
	*mp = f.Append((*mp)[:0], e, env)
	l.Log(level, *mp)
	l.bufs.Put(mp)
}

// EmitSD is Emit with the structured data sd formats from e (its samples
// from sdOffset on), for the RFC 5424 targets.
func (l *Logger) EmitSD(level Level, f, sd *Format, sdOffset int, e *Entry, env *Env) {
	if l == nil || len(l.sinks) == 0 {
		return
	}
	mp, sp := l.bufs.Get().(*[]byte), l.bufs.Get().(*[]byte)
	*mp = f.Append((*mp)[:0], e, env)
	se := *e
	if sdOffset <= len(se.Samples) {
		se.Samples = se.Samples[sdOffset:]
	}
	*sp = sd.Append((*sp)[:0], &se, env)
	l.logSD(level, *sp, *mp)
	l.bufs.Put(mp)
	l.bufs.Put(sp)
}

func (s *sink) send(b []byte) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.out != nil {
		_, err := s.out.Write(b)
		return err
	}
	if s.c == nil {
		c, err := net.Dial(s.t.Network, s.t.Addr)
		if err != nil {
			return err
		}
		s.c = c
		if sc, ok := c.(syscall.Conn); ok {
			s.raw, _ = sc.SyscallConn()
		}
	}
	var err error
	if s.raw != nil {
		// One non-blocking write: when the receiver's queue is full (a
		// slow syslog daemon behind /dev/log) the line is dropped and
		// counted, as HAProxy does, instead of stalling the connection
		// that is logging.
		if rerr := s.raw.Write(func(fd uintptr) bool {
			_, err = syscall.Write(int(fd), b)
			return true
		}); rerr != nil {
			err = rerr
		}
	} else {
		_, err = s.c.Write(b)
	}
	if err == syscall.EAGAIN {
		return err // the socket is fine, the receiver is just behind
	}
	if err != nil {
		s.c.Close()
		s.c, s.raw = nil, nil
	}
	return err
}

// Close closes the sockets; later messages reopen them.
func (l *Logger) Close() error {
	for _, s := range l.sinks {
		s.mu.Lock()
		if s.c != nil {
			s.c.Close()
			s.c = nil
		}
		s.mu.Unlock()
	}
	return nil
}
