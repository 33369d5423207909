package smtpalert

import (
	"bufio"
	"context"
	"net"
	"net/netip"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

// listen starts a one-connection server on 127.0.0.1 running serve.
func listen(t *testing.T, serve func(c net.Conn, r *bufio.Reader)) netip.AddrPort {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		c, err := ln.Accept()
		if err != nil {
			return
		}
		defer c.Close()
		c.SetDeadline(time.Now().Add(5 * time.Second))
		serve(c, bufio.NewReader(c))
	}()
	t.Cleanup(func() { ln.Close(); wg.Wait() })
	return netip.MustParseAddrPort(ln.Addr().String())
}

type logs struct {
	mu sync.Mutex
	l  []string
}

func (l *logs) add(s string) { l.mu.Lock(); l.l = append(l.l, s); l.mu.Unlock() }
func (l *logs) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return strings.Join(l.l, "|")
}

func TestSendExchange(t *testing.T) {
	var got strings.Builder
	addr := listen(t, func(c net.Conn, r *bufio.Reader) {
		c.Write([]byte("220 hi\r\n"))
		for {
			l, err := r.ReadString('\n')
			got.WriteString(l)
			if err != nil {
				return
			}
			switch {
			case l == "DATA\r\n":
				c.Write([]byte("354 go\r\n"))
			case l == ".\r\n":
				c.Write([]byte("250 queued\r\n"))
			case l == "QUIT\r\n":
				c.Write([]byte("221 bye\r\n"))
				return
			case strings.HasPrefix(l, "HELO"), strings.HasPrefix(l, "MAIL"), strings.HasPrefix(l, "RCPT"):
				c.Write([]byte("250 ok\r\n"))
			}
		}
	})
	s := settings()
	s.Server, s.To = addr, []string{"a@x"}
	var lg logs
	Send(context.Background(), s, "Subject: x\r\n\r\nbody\r\n\r\n.\r\n", true, lg.add)
	want := "HELO lb1\r\nMAIL FROM:<root@lb1>\r\nRCPT TO:<a@x>\r\nDATA\r\nSubject: x\r\n\r\nbody\r\n\r\n.\r\nQUIT\r\n"
	if got.String() != want {
		t.Errorf("server read %q\nwant %q", got.String(), want)
	}
	if w := "Remote SMTP server " + s.ServerName() + " connected.|SMTP alert successfully sent."; lg.String() != w {
		t.Errorf("logged %q, want %q", lg.String(), w)
	}
}

// A server that never answers: keepalived's read timeout, then QUIT,
// then its timeout too.
func TestSendReadTimeout(t *testing.T) {
	addr := listen(t, func(c net.Conn, r *bufio.Reader) { r.ReadString('\n'); time.Sleep(time.Second) })
	s := settings()
	s.Server, s.Timeout = addr, 100*time.Millisecond
	var lg logs
	Send(context.Background(), s, "", false, lg.add)
	line := "Timeout reading data to remote SMTP server " + s.ServerName() + "."
	if lg.String() != line+"|"+line {
		t.Errorf("logged %q", lg.String())
	}
}

func TestSendRefused(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := netip.MustParseAddrPort(ln.Addr().String())
	ln.Close() // nothing listens there now
	s := settings()
	s.Server = addr
	var lg logs
	Send(context.Background(), s, "", false, lg.add)
	if !regexp.MustCompile(`^smtp fd \d+ returned write error$`).MatchString(lg.String()) {
		t.Errorf("logged %q, want keepalived's refused-connect line", lg.String())
	}
}
