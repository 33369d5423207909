// Package smtpalert sends keepalived 2.2.7's email alerts (smtp.c): one
// SMTP connection per alert, HELO (never EHLO), MAIL FROM, one RCPT TO per
// notification_email address, DATA with keepalived's headers and body,
// QUIT; each reply checked for keepalived's expected code, failures logged
// in keepalived's words.
//
// The dialogue is a step function (Dialogue) fed with what the server
// sent and the connection's events; it does no I/O and reads no clock.
// Send is the thin adapter over a TCP connection. HAProxy's mailers
// (proxy/mailalert) follow other rules (expect strings anywhere in the
// reply, no QUIT on errors), so the two do not share a client.
package smtpalert

import (
	"fmt"
	"net/netip"
	"strconv"
	"strings"
	"time"
)

// Settings are global_defs' email settings, defaults applied.
type Settings struct {
	Server  netip.AddrPort // smtp_server
	Helo    string         // smtp_helo_name (keepalived: the host name)
	From    string         // notification_email_from (keepalived: user@host name)
	To      []string       // notification_email, in file order
	Timeout time.Duration  // smtp_connect_timeout: the connect and each reply
}

// ServerName is the server as keepalived's log lines name it: [addr]:port.
func (s *Settings) ServerName() string {
	return "[" + s.Server.Addr().String() + "]:" + strconv.Itoa(int(s.Server.Port()))
}

// keepalived's buffer sizes: longer texts are cut (C strings, one byte for
// the terminating NUL).
const (
	maxSubject = 256 - 1
	maxBody    = 512 - 1
	maxBuffer  = 1024 - 1
)

func cut(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}

// toHeader is the To header's value: the addresses joined with ", ",
// stopping at the first one that no longer fits keepalived's buffer.
func toHeader(to []string) string {
	var b strings.Builder
	for i, a := range to {
		if i > 0 {
			if maxBuffer-b.Len() < 2 {
				break
			}
			b.WriteString(", ")
		}
		if maxBuffer-b.Len() < len(a) {
			break
		}
		b.WriteString(a)
	}
	return b.String()
}

// Message is what keepalived sends after DATA's 354: its headers (Date in
// the local zone, "%a, %d %b %Y %H:%M:%S %z"), the body line and the
// final dot.
func Message(s *Settings, subject, body string, date time.Time) string {
	head := fmt.Sprintf("Date: %s\r\nFrom: %s\r\nSubject: %s\r\nX-Mailer: Keepalived\r\nTo: %s\r\n\r\n",
		date.Format("Mon, 02 Jan 2006 15:04:05 -0700"), s.From, cut(subject, maxSubject), toHeader(s.To))
	return cut(head, maxBuffer) + cut(cut(body, maxBody)+"\r\n", maxBuffer) + "\r\n.\r\n"
}

// stage is where the dialogue stands: the reply it waits for.
type stage int

const (
	greeting stage = iota
	helo
	mailFrom
	rcptTo
	data
	body
	quit
	end
)

// expect is each stage's expected reply code and the command name
// keepalived's error line gives.
var expect = [...]struct {
	code int
	name string
}{
	greeting: {220, "(E)SMTP"},
	helo:     {250, "HELO"},
	mailFrom: {250, "MAIL"},
	rcptTo:   {250, "RCPT"},
	data:     {354, "DATA"},
	body:     {250, "BODY"},
	quit:     {221, "QUIT"},
}

// Step is what the caller does next: write Send (if any), log Log, and
// close the connection when Done.
type Step struct {
	Send string
	Log  []string
	Done bool
}

// Dialogue is one alert's SMTP exchange.
type Dialogue struct {
	s      *Settings
	msg    string // Message's text
	detail bool   // -D: log the connection and the successful send
	st     stage
	rcpt   int    // next RCPT TO address
	buf    []byte // server bytes not yet read as a reply
}

// NewDialogue starts the exchange that sends msg (Message's text).
func NewDialogue(s *Settings, msg string, detail bool) *Dialogue {
	return &Dialogue{s: s, msg: msg, detail: detail}
}

func (d *Dialogue) logf(st *Step, format string, args ...any) {
	st.Log = append(st.Log, fmt.Sprintf(format, args...))
}

// Connected is the TCP connection being up: wait for the greeting.
func (d *Dialogue) Connected() Step {
	var st Step
	if d.detail {
		d.logf(&st, "Remote SMTP server %s connected.", d.s.ServerName())
	}
	return st
}

// Received takes bytes from the server. Like keepalived, one read reads at
// most one reply (its last line: continuation lines "250-..." are
// skipped); what follows it waits for the next read.
func (d *Dialogue) Received(b []byte) Step {
	var st Step
	if len(d.buf)+len(b) >= maxBuffer+1 {
		d.logf(&st, "Received buffer from remote SMTP server %s overflow our get read buffer length.", d.s.ServerName())
		d.buf = d.buf[:0]
		return d.toQuit(st)
	}
	d.buf = append(d.buf, b...)
	code := -1
	for {
		line, rest, ok := strings.Cut(string(d.buf), "\r\n")
		if !ok {
			return st // no full line yet
		}
		d.buf = append(d.buf[:0], rest...)
		if len(line) > 3 && line[3] == '-' {
			continue
		}
		code = replyCode(line)
		break
	}
	if code != expect[d.st].code {
		d.logf(&st, "Error processing %s cmd on SMTP server %s. SMTP status code = %d", expect[d.st].name, d.s.ServerName(), code)
		if d.st == quit {
			// keepalived sends QUIT again (and again); one is enough
			st.Done = true
			return st
		}
		return d.toQuit(st)
	}
	switch d.st {
	case rcptTo:
		if d.rcpt++; d.rcpt >= len(d.s.To) {
			d.st++
		}
	case body:
		if d.detail {
			d.logf(&st, "SMTP alert successfully sent.")
		}
		d.st++
	default:
		d.st++
	}
	if d.st == end {
		st.Done = true
		return st
	}
	st.Send = d.command()
	return st
}

// replyCode reads a reply line's three-digit code as keepalived does
// (digit arithmetic, -1 for a line too short to hold one).
func replyCode(line string) int {
	if len(line) < 3 {
		return -1
	}
	return int(line[0]-'0')*100 + int(line[1]-'0')*10 + int(line[2]-'0')
}

func (d *Dialogue) toQuit(st Step) Step {
	d.st = quit
	st.Send = d.command()
	return st
}

// command is what the current stage sends.
func (d *Dialogue) command() string {
	switch d.st {
	case helo:
		h := d.s.Helo
		if h == "" {
			h = "localhost"
		}
		return "HELO " + h + "\r\n"
	case mailFrom:
		return "MAIL FROM:<" + d.s.From + ">\r\n"
	case rcptTo:
		return "RCPT TO:<" + d.s.To[d.rcpt] + ">\r\n"
	case data:
		return "DATA\r\n"
	case body:
		return d.msg
	case quit:
		return "QUIT\r\n"
	}
	return ""
}

// ReadTimeout is no reply within the timeout: QUIT, or give up if QUIT
// was what timed out.
func (d *Dialogue) ReadTimeout() Step {
	return d.readFailed("Timeout reading data to remote SMTP server %s.")
}

// ReadError is a failed read: QUIT, or give up if QUIT was what failed.
func (d *Dialogue) ReadError() Step {
	return d.readFailed("Error reading data from remote SMTP server %s.")
}

// readFailed logs format (with the server's name) and ends the dialogue:
// QUIT, or at once if QUIT was what failed.
func (d *Dialogue) readFailed(format string) Step {
	var st Step
	d.logf(&st, format, d.s.ServerName())
	if d.st == quit {
		st.Done = true
		return st
	}
	return d.toQuit(st)
}

// Closed is the server closing the connection.
func (d *Dialogue) Closed() Step {
	var st Step
	d.logf(&st, "Remote SMTP server %s has closed the connection.", d.s.ServerName())
	st.Done = true
	return st
}
