package haproxycmd

import (
	"fmt"
	"io"
	"net"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/goha-lb/goha/internal/loopback"
	"github.com/goha-lb/goha/internal/testenv"
)

// recordingTCP hands what each connection sent, until it closed, to got.
func recordingTCP(t *testing.T, got chan<- string) string {
	t.Helper()
	return loopback.ServeEach(t, loopback.Listen(t), func(c net.Conn) {
		c.SetDeadline(time.Now().Add(4 * time.Second))
		b, _ := io.ReadAll(c)
		got <- string(b)
	})
}

// abortEvents runs two TCP frontends whose server takes one connection
// at a time, one backend with option abortonclose: a first client holds
// the server, a second one queues, sends a few bytes and hangs up. It
// returns, in order: the log lines seen while the first client still held
// the server, then what the server received and the other log lines.
func abortEvents(t *testing.T, bin string) []string {
	got := make(chan string, 16)
	srv := recordingTCP(t, got)
	syslog := loopback.ListenUDP(t)
	fa, fn := loopback.FreeAddr(t), loopback.FreeAddr(t)
	cfg := fmt.Sprintf(`global
    log %s local2
defaults
    mode tcp
    log global
    log-format "%%ft %%b/%%s %%Tc %%ts %%B %%U"
    timeout connect 1s
    timeout client 5s
    timeout server 5s
    timeout queue 5s
frontend fa
    bind %s
    default_backend ba
frontend fn
    bind %s
    default_backend bn
backend ba
    option abortonclose
    server s1 %s maxconn 1
backend bn
    server s1 %s maxconn 1
`, syslog.LocalAddr(), fa, fn, srv, srv)
	startWithConfig(t, bin, cfg, fa, fn)
	header := regexp.MustCompile(`^<\d+>[A-Z][a-z]{2} [ 0-9]\d \d\d:\d\d:\d\d [a-z]+\[\d+\]: `)
	connTime := regexp.MustCompile(`/s1 \d+ `) // %Tc once connected
	// lines reads log lines until it has want of them or within passed.
	lines := func(want int, within time.Duration) []string {
		var out []string
		buf := make([]byte, 4096)
		syslog.SetReadDeadline(time.Now().Add(within))
		for len(out) < want {
			n, err := syslog.Read(buf)
			if err != nil {
				break
			}
			l := header.ReplaceAllString(strings.TrimSuffix(string(buf[:n]), "\n"), "")
			out = append(out, connTime.ReplaceAllString(l, "/s1 Tc "))
		}
		sort.Strings(out)
		return out
	}
	recv := func(want int, within time.Duration) []string {
		var out []string
		for end := time.After(within); len(out) < want; {
			select {
			case s := <-got:
				out = append(out, fmt.Sprintf("server got %q", s))
			case <-end:
				want = 0
			}
		}
		sort.Strings(out)
		return out
	}
	recv(2, 2*time.Second) // the listen probes
	lines(2, time.Second)
	var out []string
	for i, fe := range []string{fa, fn} {
		c1, err := net.Dial("tcp", fe)
		if err != nil {
			t.Fatal(err)
		}
		io.WriteString(c1, "one")
		time.Sleep(200 * time.Millisecond) // c1 takes the server's only slot
		c2, err := net.Dial("tcp", fe)
		if err != nil {
			t.Fatal(err)
		}
		io.WriteString(c2, "two")
		time.Sleep(100 * time.Millisecond) // c2 is queued
		c2.Close()
		out = append(out, "while the server is held:")
		out = append(out, lines(1, 400*time.Millisecond)...)
		c1.Close()
		out = append(out, "after:")
		out = append(out, recv(i+1, 2*time.Second)...)
		out = append(out, lines(i+1, 2*time.Second)...)
	}
	return out
}

// TestAbortOnCloseMatchHAProxy: with option abortonclose a TCP client
// that hangs up while queued leaves the queue at once (logged
// <NOSRV> -1 CQ) and its bytes never reach the server; without it the
// session waits for the slot and its bytes are delivered, as HAProxy 2.6.
func TestAbortOnCloseMatchHAProxy(t *testing.T) {
	hp := testenv.LookPath(t, "haproxy")
	want := abortEvents(t, hp)
	got := abortEvents(t, gohaproxy)
	t.Logf("haproxy:\n%s", strings.Join(want, "\n"))
	if !strings.Contains(strings.Join(want, "\n"), "fa ba/<NOSRV> -1 CQ") {
		t.Errorf("haproxy did not abort the queued session")
	}
	if strings.Join(want, "\n") != strings.Join(got, "\n") {
		t.Errorf("gohaproxy:\n%s", strings.Join(got, "\n"))
	}
}
