package haproxycmd

import (
	"fmt"
	"io"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/goha-lb/goha/internal/loopback"
	"github.com/goha-lb/goha/internal/testenv"
)

// trackLogLines runs bin with counters tracked by http-request rules (on a
// request the proxy answers itself and on one a server answers) and by a
// backend's rules, sends three requests on one kept-alive connection, and
// returns the log lines' bodies.
func trackLogLines(t *testing.T, bin string) []string {
	t.Helper()
	web := loopback.StartWeb(t, "s1")
	syslog := loopback.ListenUDP(t)
	fe := loopback.FreeAddr(t)
	startWithConfig(t, bin, syslogHTTPHead(syslog.LocalAddr())+fmt.Sprintf(`frontend fe
    bind %s
    log-format "%%HP c=%%[sc0_http_req_cnt] g=%%[sc0_get_gpc0] t=%%[sc0_trackers] k=%%[sc0_tracked] b=%%[sc0_kbytes_in] c1=%%[sc1_http_req_cnt] t1=%%[sc1_trackers] src=%%[src_http_req_cnt(fe)]"
    stick-table type ip size 10 store gpc0,http_req_cnt,bytes_in_cnt
    http-request track-sc0 src
    http-request sc-inc-gpc0(0)
    http-request return status 200 if { path /self }
    default_backend be
backend be
    stick-table type ip size 10 store http_req_cnt
    http-request track-sc1 src
    server s1 %s
`, fe, web.Addr), fe)
	c, err := net.Dial("tcp", fe)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(5 * time.Second))
	for _, p := range []string{"/self", "/srv", "/last"} {
		closing := ""
		if p == "/last" {
			closing = "connection: close\r\n"
		}
		fmt.Fprintf(c, "GET %s HTTP/1.1\r\nhost: x\r\n%s\r\n", p, closing)
		if p != "/last" { // a bounded read of the answer before the next request
			buf := make([]byte, 4096)
			c.Read(buf)
		}
	}
	io.ReadAll(c)
	var lines []string
	readSyslog(syslog, func(l string) bool {
		lines = append(lines, syslogBody.ReplaceAllString(strings.TrimSuffix(l, "\n"), ""))
		return len(lines) < 3
	})
	return lines
}

// TestTrackedCountersInLogMatchHAProxy: a log-format reading the request's
// own stick counters (sc0_*/sc1_* of a frontend's and a backend's
// track-sc) reads them before they are released, as HAProxy does (its
// stream_stop_content_counters runs after the log line); goha logged "-".
func TestTrackedCountersInLogMatchHAProxy(t *testing.T) {
	hp := testenv.LookPath(t, "haproxy")
	want := trackLogLines(t, hp)
	got := trackLogLines(t, gohaproxy)
	if strings.Join(got, "\n") != strings.Join(want, "\n") || len(want) != 3 {
		t.Errorf("log lines\ngohaproxy:\n%s\nhaproxy:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if len(want) > 0 && !strings.Contains(want[0], "c=1 g=1 t=1 k=1") {
		t.Errorf("haproxy's first line: %q (the test's premise)", want[0])
	}
}
