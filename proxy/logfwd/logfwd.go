// Package logfwd runs HAProxy 2.6's log-forward sections: syslog
// listeners on UDP (one message per datagram) and TCP (RFC 6587 framing:
// octet counting, or messages ending with a newline), each message
// parsed (logfmt.ParseSyslog) and re-emitted to the section's targets
// (logfmt.Relay).
package logfwd

import (
	"bufio"
	"cmp"
	"context"
	"errors"
	"io"
	"net"
	"strconv"
	"sync"
	"syscall"
	"time"

	"github.com/goha-lb/goha/proxy/logfmt"
)

// Section is a log-forward section ready to run.
type Section struct {
	Name  string
	Relay *logfmt.Relay
	// TCP and UDP are the bind and dgram-bind addresses (host:port).
	TCP, UDP []string
	// MaxConn bounds the TCP connections served at once (the others wait
	// in the listen queue); Backlog is that queue's length (0: MaxConn,
	// as HAProxy's listeners, then the system's); Timeout closes an idle
	// TCP connection (0: never).
	MaxConn, Backlog int
	Timeout          time.Duration
}

// bufSize is HAProxy's buffer size: the longest message received.
const bufSize = 16384

// Start opens the section's listeners and serves them until ctx ends.
func Start(ctx context.Context, s *Section) error {
	var closers []io.Closer
	fail := func(err error) error {
		for _, c := range closers {
			c.Close()
		}
		return err
	}
	var pcs []net.PacketConn
	for _, a := range s.UDP {
		pc, err := net.ListenPacket("udp", a)
		if err != nil {
			return fail(err)
		}
		closers = append(closers, pc)
		pcs = append(pcs, pc)
	}
	var lns []net.Listener
	for _, a := range s.TCP {
		ln, err := net.Listen("tcp", a)
		if err != nil {
			return fail(err)
		}
		if n := cmp.Or(s.Backlog, s.MaxConn); n > 0 {
			setBacklog(ln, n)
		}
		closers = append(closers, ln)
		lns = append(lns, ln)
	}
	go func() {
		<-ctx.Done()
		for _, c := range closers {
			c.Close()
		}
	}()
	for _, pc := range pcs {
		go s.serveUDP(pc)
	}
	maxConn := s.MaxConn
	if maxConn <= 0 {
		maxConn = 1 << 30
	}
	slots := make(chan struct{}, maxConn) // shared by the section's binds
	for _, ln := range lns {
		go s.serveTCP(ctx, ln, slots)
	}
	return nil
}

// setBacklog calls listen(2) again on the socket: Linux then uses the
// new queue length.
func setBacklog(ln net.Listener, n int) {
	if sc, ok := ln.(syscall.Conn); ok {
		if rc, err := sc.SyscallConn(); err == nil {
			rc.Control(func(fd uintptr) { syscall.Listen(int(fd), n) })
		}
	}
}

func (s *Section) serveUDP(pc net.PacketConn) {
	buf := make([]byte, bufSize)
	for {
		n, _, err := pc.ReadFrom(buf)
		if err != nil {
			if errors.Is(err, net.ErrClosed) {
				return
			}
			continue
		}
		s.relay(buf[:n])
	}
}

func (s *Section) relay(b []byte) {
	level, facility, m, msg := logfmt.ParseSyslog(b)
	s.Relay.Send(level, facility, &m, msg)
}

func (s *Section) serveTCP(ctx context.Context, ln net.Listener, slots chan struct{}) {
	var wg sync.WaitGroup
	defer wg.Wait()
	for {
		select {
		case slots <- struct{}{}: // maxconn: accept only with a free slot
		case <-ctx.Done():
			return
		}
		c, err := ln.Accept()
		if err != nil {
			<-slots
			if errors.Is(err, net.ErrClosed) {
				return
			}
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() { <-slots }()
			stop := context.AfterFunc(ctx, func() { c.Close() })
			defer stop()
			s.serveConn(c)
			c.Close()
		}()
	}
}

// serveConn reads framed messages until the client closes, a frame is
// malformed (HAProxy closes the connection then) or the client stays
// idle past the timeout.
func (s *Section) serveConn(c net.Conn) {
	r := bufio.NewReaderSize(c, bufSize)
	for {
		if s.Timeout > 0 {
			c.SetReadDeadline(time.Now().Add(s.Timeout))
		}
		first, err := r.Peek(1)
		if err != nil {
			return
		}
		switch {
		case first[0] == '<': // non-transparent framing: up to LF (CR LF)
			line, err := r.ReadSlice('\n')
			if err != nil {
				return // incomplete, or longer than a buffer
			}
			line = line[:len(line)-1]
			if len(line) > 0 && line[len(line)-1] == '\r' {
				line = line[:len(line)-1]
			}
			s.relay(line)
		case first[0] >= '1' && first[0] <= '9': // octet counting
			word, err := r.ReadSlice(' ')
			if err != nil {
				return
			}
			n, err := strconv.Atoi(string(word[:len(word)-1]))
			if err != nil || n <= 0 || n > bufSize {
				return
			}
			msg := make([]byte, n)
			if _, err := io.ReadFull(r, msg); err != nil {
				return
			}
			s.relay(msg)
		default:
			return
		}
	}
}
