package daemon_test

import (
	"bufio"
	"net"
	"strings"
	"sync"
	"time"
)

// smtpSink is a tiny SMTP server for the email-alert tests: it answers
// every command as a willing mail server does and records what each
// connection sent, byte for byte (one string per connection, in the
// order the connections ended).
type smtpSink struct {
	ln net.Listener
	// reject, when set, is the reply to MAIL FROM (a refusing server).
	reject string
	mu     sync.Mutex
	dials  []string
	wg     sync.WaitGroup
}

func newSMTPSink(ln net.Listener, reject string) *smtpSink {
	s := &smtpSink{ln: ln, reject: reject}
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			s.wg.Add(1)
			go func() {
				defer s.wg.Done()
				s.serve(c)
			}()
		}
	}()
	return s
}

// serve runs one SMTP session; a silent client is dropped after 10 s.
func (s *smtpSink) serve(c net.Conn) {
	defer c.Close()
	c.SetDeadline(time.Now().Add(10 * time.Second))
	r := bufio.NewReader(c)
	var rec strings.Builder
	defer func() {
		s.mu.Lock()
		s.dials = append(s.dials, rec.String())
		s.mu.Unlock()
	}()
	c.Write([]byte("220 sink ESMTP\r\n"))
	data := false
	for {
		l, err := r.ReadString('\n')
		rec.WriteString(l)
		if err != nil {
			return
		}
		switch {
		case data:
			if strings.HasSuffix(rec.String(), "\r\n.\r\n") {
				data = false
				c.Write([]byte("250 2.0.0 queued\r\n"))
			}
		case l == "DATA\r\n":
			data = true
			c.Write([]byte("354 end with .\r\n"))
		case l == "QUIT\r\n":
			c.Write([]byte("221 bye\r\n"))
			return
		case s.reject != "" && strings.HasPrefix(l, "MAIL FROM:"):
			c.Write([]byte(s.reject + "\r\n"))
		case strings.HasPrefix(l, "HELO "), strings.HasPrefix(l, "EHLO "):
			c.Write([]byte("250-sink\r\n250 8BITMIME\r\n"))
		default:
			c.Write([]byte("250 ok\r\n"))
		}
	}
}

// sessions returns the dialogues recorded so far.
func (s *smtpSink) sessions() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.dials...)
}

func (s *smtpSink) close() {
	s.ln.Close()
	s.wg.Wait()
}
