package haproxycfg

import (
	"bufio"
	"bytes"
	"fmt"
	"net"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/goha-lb/goha/internal/loopback"
)

// headShapeServer answers GET /r/<n> with a field x-a of n bytes and
// GET /h/<n> with n header lines, each with Content-Length: 0.
func headShapeServer(t *testing.T) string {
	t.Helper()
	return loopback.ServeEach(t, loopback.Listen(t), func(c net.Conn) {
		r := bufio.NewReader(c)
		for {
			line, err := r.ReadString('\n')
			if err != nil {
				return
			}
			if _, err := readHead(r); err != nil {
				return
			}
			f := strings.Fields(line)
			kind, num, _ := strings.Cut(strings.TrimPrefix(f[1], "/"), "/")
			n, _ := strconv.Atoi(num)
			var b strings.Builder
			b.WriteString("HTTP/1.1 200 OK\r\n")
			if kind == "h" {
				for i := range n {
					fmt.Fprintf(&b, "x-h%d: %d\r\n", i, i)
				}
			} else {
				b.WriteString("x-a: " + strings.Repeat("a", n) + "\r\n")
			}
			b.WriteString("Content-Length: 0\r\n\r\n")
			c.Write([]byte(b.String()))
		}
	})
}

// limitsConfig is httplogFrontend with global tune lines, answering /
// itself and passing /r/ and /h/ to headShapeServer.
func limitsConfig(t *testing.T, tune string) string {
	cfg := strings.Replace(httplogFrontend, "global\n", "global\n"+tune, 1)
	cfg += "    http-request return status 200 content-type text/plain string ok if { path / }\n" +
		"    default_backend be\nbackend be\n    server s1 " + headShapeServer(t) + "\n"
	return cfg
}

// TestBufsizeHeadLimitDifferential: for three tune.bufsize/maxrewrite
// pairs (8200, rounded up to 8208; 32768 with maxrewrite 4096; 4096 with
// maxrewrite 3000, which HAProxy clamps to half the buffer), HAProxy's
// largest request field and response field found by bisection, then the
// same request at the boundary and one byte over, and a request head
// still unfinished when the buffer is full, through both: bytes, how the
// connection ended, and log lines.
func TestBufsizeHeadLimitDifferential(t *testing.T) {
	for _, tune := range []string{
		"    tune.bufsize 8200\n",
		"    tune.bufsize 32768\n    tune.maxrewrite 4096\n",
		"    tune.maxrewrite 3000\n    tune.bufsize 4096\n",
	} {
		label := strings.Join(strings.Fields(tune), " ")
		t.Run(strings.ReplaceAll(label, " ", "_"), func(t *testing.T) {
			ha, goha, haLog, goLog := startBothLogged(t, limitsConfig(t, tune))
			size, _ := strconv.Atoi(strings.Fields(tune[strings.Index(tune, "bufsize"):])[1])
			reqOf := func(n int) string {
				return "GET / HTTP/1.1\r\nHost: t\r\nX-Big: " + strings.Repeat("b", n) + "\r\nConnection: close\r\n\r\n"
			}
			probe := func(raw string) bool {
				got, _ := exchangeFrom(t, "", ha, raw, time.Second)
				nextLine(t, haLog, "haproxy")
				return bytes.HasPrefix(got, []byte("HTTP/1.1 200"))
			}
			req := haproxyBoundary(t, label+" request x-big", 100, size+100, func(n int) bool { return probe(reqOf(n)) })
			resp := haproxyBoundary(t, label+" response x-a", 100, size+100, func(n int) bool {
				return probe(fmt.Sprintf("GET /r/%d HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n", n))
			})
			for _, c := range []struct{ name, raw string }{
				{"request at the limit", reqOf(req)},
				{"request over the limit", reqOf(req + 1)},
				{"unfinished head", "GET / HTTP/1.1\r\nHost: t\r\nX-Big: " + strings.Repeat("b", size+200)},
				{"response at the limit", fmt.Sprintf("GET /r/%d HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n", resp)},
				{"response over the limit", fmt.Sprintf("GET /r/%d HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n", resp+1)},
			} {
				sameAnswer(t, label+": "+c.name, ha, goha, c.raw, time.Second)
				sameLogLines(t, label+": "+c.name, haLog, goLog, 1)
			}
		})
	}
}

// TestMaxHdrDifferential: with tune.http.maxhdr 10 and 300, the most
// header lines HAProxy takes in a request and in a server's response
// (found by bisection) and one more, through both.
func TestMaxHdrDifferential(t *testing.T) {
	for _, max := range []int{10, 300} {
		label := fmt.Sprintf("maxhdr %d", max)
		t.Run(strconv.Itoa(max), func(t *testing.T) {
			ha, goha, haLog, goLog := startBothLogged(t, limitsConfig(t, fmt.Sprintf("    tune.http.maxhdr %d\n", max)))
			reqOf := func(n int) string {
				var b strings.Builder
				b.WriteString("GET / HTTP/1.1\r\nHost: t\r\nConnection: close\r\n")
				for i := range n {
					fmt.Fprintf(&b, "x-h%d: %d\r\n", i, i)
				}
				return b.String() + "\r\n"
			}
			respOf := func(n int) string {
				return fmt.Sprintf("GET /h/%d HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n", n)
			}
			probe := func(raw string) bool {
				got, _ := exchangeFrom(t, "", ha, raw, time.Second)
				nextLine(t, haLog, "haproxy")
				return bytes.HasPrefix(got, []byte("HTTP/1.1 200"))
			}
			req := haproxyBoundary(t, label+" request fields", 0, max+5, func(n int) bool { return probe(reqOf(n)) })
			resp := haproxyBoundary(t, label+" response fields", 0, max+5, func(n int) bool { return probe(respOf(n)) })
			for _, c := range []struct{ name, raw string }{
				{"request at the limit", reqOf(req)},
				{"request over the limit", reqOf(req + 1)},
				{"response at the limit", respOf(resp)},
				{"response over the limit", respOf(resp + 1)},
			} {
				sameAnswer(t, label+": "+c.name, ha, goha, c.raw, time.Second)
				sameLogLines(t, label+": "+c.name, haLog, goLog, 1)
			}
		})
	}
}

// TestInspectBufferDifferential: what a tcp-mode connection buffers
// while its content rules wait is tune.bufsize less tune.maxrewrite
// (15360 bytes by default, 7184 with bufsize 8200, 8108 with maxrewrite
// 100 too). A client sends 40000 bytes at once; a rule waiting for
// req.len of that size is met at once, one byte more waits out the
// inspect delay and the connection goes to the other backend.
func TestInspectBufferDifferential(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		tune  string
		limit int
	}{{"", 15360}, {"    tune.bufsize 8200\n", 7184}, {"    tune.bufsize 8200\n    tune.maxrewrite 100\n", 8108}} {
		for _, n := range []int{c.limit, c.limit + 1} {
			cfg := "global\n" + c.tune + strings.NewReplacer("BIG", tcpNamed(t, "full"), "SMALL", tcpNamed(t, "short")).Replace(`defaults
    mode tcp
    timeout connect 2s
    timeout client 3s
    timeout server 3s
frontend fe
    bind BIND
    tcp-request inspect-delay 600ms
    tcp-request content accept if { req.len ge N }
    use_backend big if { req.len ge N }
    default_backend small
backend big
    server s1 BIG
backend small
    server s1 SMALL
`)
			ha, goha := startBoth(t, strings.ReplaceAll(cfg, " N ", fmt.Sprintf(" %d ", n)))
			try := func(addr string) string {
				a := namedAnswer(addr, []string{strings.Repeat("x", 40000)})
				name, _, _ := strings.Cut(a, ":")
				return name + " " + a[strings.LastIndexByte(a, ' ')+1:]
			}
			want, got := bothAtOnce(ha, goha, try)
			label := fmt.Sprintf("%q req.len ge %d", c.tune, n)
			if want != got {
				t.Errorf("%s: haproxy %s, goha %s", label, want, got)
			}
			if full := strings.HasPrefix(want, `"full`); full != (n == c.limit) {
				t.Errorf("%s: haproxy %s: the limit moved", label, want)
			}
		}
	}
}

// TestLogURILenDifferential: tune.http.logurilen cuts the request line
// the log keeps (%r of the httplog line) to its value, none logging
// ""; compared for 0, 20 and 600 with a short and a 1500-byte target
// (the default keeps 1023 bytes; past 1024 bytes HAProxy's syslog line
// itself is cut, which this harness does not model).
func TestLogURILenDifferential(t *testing.T) {
	for _, n := range []int{0, 20, 600} {
		t.Run(strconv.Itoa(n), func(t *testing.T) {
			cfg := strings.Replace(httplogFrontend, "global\n", fmt.Sprintf("global\n    tune.http.logurilen %d\n", n), 1) +
				"    http-request return status 200 content-type text/plain string ok\n"
			ha, goha, haLog, goLog := startBothLogged(t, cfg)
			for _, target := range []string{"/short?q=1", "/p" + strings.Repeat("a", 10) + "?" + strings.Repeat("q", 1500)} {
				raw := "GET " + target + " HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n"
				label := fmt.Sprintf("logurilen %d %.30s", n, target)
				sameAnswer(t, label, ha, goha, raw, time.Second)
				sameLogLines(t, label, haLog, goLog, 1)
			}
		})
	}
}

// TestCookieLenDifferential: tune.http.cookielen 200 lets `capture cookie
// ... len 150` run (past 63 goha refuses it without the tune): the
// cookie logged in the httplog line (%CC) is cut to 150 bytes.
func TestCookieLenDifferential(t *testing.T) {
	cfg := strings.Replace(httplogFrontend, "global\n", "global\n    tune.http.cookielen 200\n", 1) +
		"    capture cookie SID len 150\n    default_backend b\nbackend b\n    server s1 " + startHeadRecorder(t) + "\n"
	ha, goha, haLog, goLog := startBothLogged(t, cfg)
	for _, v := range []string{"short", strings.Repeat("c", 170)} {
		raw := "GET / HTTP/1.1\r\nHost: t\r\nCookie: SID=" + v + "\r\nConnection: close\r\n\r\n"
		label := fmt.Sprintf("cookie of %d bytes", len(v))
		sameAnswer(t, label, ha, goha, raw, time.Second)
		if l := sameLogLines(t, label, haLog, goLog, 1); len(v) > 150 && !strings.Contains(l[0], strings.Repeat("c", 140)) {
			t.Errorf("%s: haproxy logged no long cookie: %s", label, l[0])
		}
	}
}
