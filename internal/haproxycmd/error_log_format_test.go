package haproxycmd

import (
	"fmt"
	"io"
	"net"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/goha-lb/goha/internal/loopback"
	"github.com/goha-lb/goha/internal/testenv"
)

// errorLogLines runs bin with an error-log-format frontend (TLS, PROXY
// and clear-text binds), sends each raw input to its bind and returns,
// per input, the lines logged until the error line (its "E " prefix)
// came, syslog header removed.
func errorLogLines(t *testing.T, bin, crt string) []string {
	t.Helper()
	web := loopback.StartWeb(t, "s1")
	syslog := loopback.ListenUDP(t)
	tlsBind, ppBind, plainBind := loopback.FreeAddr(t), loopback.FreeAddr(t), loopback.FreeAddr(t)
	startWithConfig(t, bin, syslogHTTPHead(syslog.LocalAddr())+fmt.Sprintf(`frontend fe
    bind %s ssl crt %s name tlsb
    bind %s accept-proxy name ppb
    bind %s name plain
    option httplog
    capture request header Host len 20
    error-log-format "E %%ci [%%tr] %%ft %%b/%%s %%TR/%%Tw/%%Tc/%%Tr/%%Ta/%%Ti/%%Tq %%ST %%B %%U %%CC %%tsc %%bc/%%sc/%%rc %%sq/%%bq %%hr %%{+Q}r %%HM %%[fc_err]/%%[ssl_fc_err,hex]/%%[ssl_fc_err_str]/%%{+Q}[fc_err_str] %%[ssl_fc_sni]/%%sslv/%%sslc %%fi %%ts %%f"
    default_backend be
backend be
    server s1 %s
`, tlsBind, crt, ppBind, plainBind, web.Addr), tlsBind, ppBind, plainBind)
	var out []string
	for _, c := range []struct{ addr, send string }{
		{tlsBind, "GET / HTTP/1.0\r\n\r\n"},
		{tlsBind, "CONNECT x:443 HTTP/1.1\r\n\r\n"},
		{ppBind, "PROXY TCP4 bad\r\n"},
		{ppBind, "GARBAGEGARBAGEGARBAGE\r\n"},
		{plainBind, "GARBAGE\r\n\r\n"},
		{plainBind, "GET / HTTP/1.1\r\nHost: h\r\n\r\nBAD\r\n\r\n"},
	} {
		conn, err := net.Dial("tcp", c.addr)
		if err != nil {
			t.Fatal(err)
		}
		conn.SetDeadline(time.Now().Add(5 * time.Second))
		io.WriteString(conn, c.send)
		io.ReadAll(conn)
		conn.Close()
		var got []string
		readSyslog(syslog, func(l string) bool {
			l = syslogBody.ReplaceAllString(strings.TrimSuffix(l, "\n"), "")
			got = append(got, l)
			return !strings.HasPrefix(l, "E ")
		})
		out = append(out, fmt.Sprintf("%q: %s", c.send, strings.Join(got, " | ")))
	}
	return out
}

// TestErrorLogFormatMatchesHAProxy: error-log-format is the format of the
// lines HAProxy 2.6 writes with a session and no stream: failed TLS
// handshakes (fc_err 34 and OpenSSL's error in ssl_fc_err), refused PROXY
// headers (15, 16) and requests its HTTP/1 parser refused, the first on a
// connection or a later one (400, no byte counts, no captures). Their
// %ST, the timers but %Ta and %Ti, names, termination state and connection fields are
// compared with HAProxy's on the same inputs; a good request in between
// keeps its httplog line.
func TestErrorLogFormatMatchesHAProxy(t *testing.T) {
	hp := testenv.LookPath(t, "haproxy")
	crt := exampleCertFile(t, 0x78)
	want := errorLogLines(t, hp, crt)
	got := errorLogLines(t, gohaproxy, crt)
	mask := func(l string) string {
		l = maskLogLine(l)
		// %Ta and %Ti are the time the line took and the idle time before
		// the bytes came: 0 on a quiet machine, a few ms under load.
		l = regexp.MustCompile(`(-1/-1/-1/-1/)\d+/\d+/`).ReplaceAllString(l, "${1}Ta/Ti/")
		return regexp.MustCompile(`E 127\.0\.0\.1 \[[^]]+\]`).ReplaceAllString(l, "E 127.0.0.1 [DATE]")
	}
	sameMaskedLines(t, "case", want, got, mask)
}
