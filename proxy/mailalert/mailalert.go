// Package mailalert sends HAProxy 2.6's email alerts (`mailers` sections
// and `email-alert ...`): on a server's state change, one SMTP exchange
// per mailer, worded and sequenced as HAProxy's mailers.c does it (a
// tcp-check ruleset: each command waits for its expected reply code).
package mailalert

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"time"
)

// Config is one proxy's `email-alert` settings with its mailers section.
type Config struct {
	From, To   string
	MyHostname string // HELO argument (HAProxy: the system's host name by default)
	// Level is the least severe syslog level mailed (`email-alert level`,
	// alert (1) by default): a message is sent when its level <= Level.
	Level   int
	Mailers []string      // host:port of each `mailer`, in file order
	Timeout time.Duration // `timeout mail` (10s by default)
}

// Message is the DATA part HAProxy sends for msg (a state-change log line
// without its final period), dated date (in the local zone, as HAProxy's
// strftime "%a, %d %b %Y %T %z (%Z)").
func Message(c *Config, msg string, date time.Time) []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, "From: %s\r\nTo: %s\r\nDate: %s\r\n", c.From, c.To, date.Format("Mon, 02 Jan 2006 15:04:05 -0700 (MST)"))
	fmt.Fprintf(&b, "Subject: [HAProxy Alert] %s\r\n\r\n%s\r\n\r\n.\r\n", msg, msg)
	return b.Bytes()
}

// step is one send-then-expect of the exchange ("" send: only expect).
type step struct {
	send   string
	expect string
}

// Exchange is the SMTP dialogue of one alert: what goha writes and the
// reply it waits for after each write, HAProxy's sequence.
func exchange(c *Config, data []byte) []step {
	return []step{
		{"", "220 "},
		{"HELO " + c.MyHostname + "\r\n", "250 "},
		{"MAIL FROM:<" + c.From + ">\r\n", "250 "},
		{"RCPT TO:<" + c.To + ">\r\n", "250 "},
		{"DATA\r\n", "354 "},
		{string(data), "250 "},
		{"QUIT\r\n", "221 "},
	}
}

// Send runs one alert's exchange with the mailer at addr within the
// timeout; a reply without the expected code ends it, as HAProxy's
// expect rules do.
func Send(ctx context.Context, c *Config, addr string, data []byte) error {
	ctx, cancel := context.WithTimeout(ctx, c.Timeout)
	defer cancel()
	d := net.Dialer{KeepAlive: -1} // no SO_KEEPALIVE: HAProxy sets none on its mail connections
	conn, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return err
	}
	defer conn.Close()
	if dl, ok := ctx.Deadline(); ok {
		conn.SetDeadline(dl)
	}
	buf := make([]byte, 0, 512)
	for _, st := range exchange(c, data) {
		if st.send != "" {
			if _, err := conn.Write([]byte(st.send)); err != nil {
				return err
			}
		}
		// HAProxy's expect string matches anywhere in what has arrived
		buf = buf[:0]
		for !bytes.Contains(buf, []byte(st.expect)) {
			if len(buf) == cap(buf) {
				return fmt.Errorf("mailalert: no %q in %q", st.expect, buf)
			}
			n, err := conn.Read(buf[len(buf):cap(buf)])
			buf = buf[:len(buf)+n]
			if err != nil && !bytes.Contains(buf, []byte(st.expect)) {
				return fmt.Errorf("mailalert: waiting for %q: %w", st.expect, err)
			}
		}
	}
	return nil
}
