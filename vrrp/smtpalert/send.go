package smtpalert

import (
	"context"
	"errors"
	"io"
	"net"
	"os"
	"strconv"
	"syscall"
	"time"
)

// Send runs one alert's dialogue with s.Server: the connect and each reply
// bounded by s.Timeout, every line for keepalived's log given to logf. It
// returns once the exchange is over (or ctx is done).
func Send(ctx context.Context, s *Settings, msg string, detail bool, logf func(string)) {
	fd := -1 // the socket's descriptor, which keepalived's error line names
	// KeepAlive -1: keepalived sets no SO_KEEPALIVE, Go would.
	dialer := net.Dialer{Timeout: s.Timeout, KeepAlive: -1, Control: func(_, _ string, rc syscall.RawConn) error {
		return rc.Control(func(f uintptr) { fd = int(f) })
	}}
	c, err := dialer.DialContext(ctx, "tcp", s.Server.String())
	if err != nil {
		switch {
		case errors.Is(err, os.ErrDeadlineExceeded) || isTimeout(err):
			logf("Timeout opening connection to remote SMTP server " + s.ServerName() + ".")
		case fd >= 0:
			// keepalived's non-blocking connect fails as an error on
			// the socket it waits to write on (refused, unreachable)
			logf("smtp fd " + strconv.Itoa(fd) + " returned write error")
		}
		return
	}
	defer c.Close()
	stop := context.AfterFunc(ctx, func() { c.SetDeadline(time.Unix(1, 0)) })
	defer stop()
	d := NewDialogue(s, msg, detail)
	st := d.Connected()
	buf := make([]byte, maxBuffer+1)
	for {
		for _, l := range st.Log {
			logf(l)
		}
		if st.Send != "" {
			c.SetWriteDeadline(time.Now().Add(s.Timeout))
			if _, err := io.WriteString(c, st.Send); err != nil {
				logf("Cannot send data to remote SMTP server " + s.ServerName() + ".")
				return
			}
		}
		if st.Done || ctx.Err() != nil {
			return
		}
		c.SetReadDeadline(time.Now().Add(s.Timeout))
		n, err := c.Read(buf)
		switch {
		case n > 0:
			st = d.Received(buf[:n])
		case isTimeout(err):
			st = d.ReadTimeout()
		case errors.Is(err, io.EOF):
			st = d.Closed()
		default:
			st = d.ReadError()
		}
	}
}

// Touch opens a connection to s.Server and closes it without a word: what
// keepalived 2.2.7's alerts amount to when it exits right after queuing
// them (its STOP alerts).
func Touch(ctx context.Context, s *Settings) {
	dialer := net.Dialer{Timeout: s.Timeout, KeepAlive: -1}
	if c, err := dialer.DialContext(ctx, "tcp", s.Server.String()); err == nil {
		c.Close()
	}
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}
