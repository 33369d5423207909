package haproxycmd

import (
	"bytes"
	"fmt"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/goha-lb/goha/internal/loopback"
	"github.com/goha-lb/goha/internal/testenv"
)

// afterServiceRun runs bin with http-after-response rules in a frontend
// with a stats page and the prometheus exporter, and in a backend with its
// own stats page, and returns the status line and headers of each answer
// (the bodies differ: the figures are each daemon's own) and the log
// lines (masked).
func afterServiceRun(t *testing.T, bin string) (heads, lines []string) {
	t.Helper()
	syslog := loopback.ListenUDP(t)
	bind := loopback.FreeAddr(t)
	startWithConfig(t, bin, fmt.Sprintf(`global
    log %s local0
defaults
    mode http
    log global
    option httplog
    timeout connect 2s
    timeout client 5s
    timeout server 5s
frontend fe
    bind %s
    stats enable
    stats uri /stats
    http-request set-var(txn.p) path
    http-request use-service prometheus-exporter if { path /metrics }
    http-response set-header x-resp 1
    http-after-response set-header x-after %%[status]
    http-after-response add-header x-var "%%[var(txn.p)]"
    http-after-response del-header cache-control
    http-after-response replace-header content-type (.*)/(.*) \2-\1 if { var(txn.p) -m str /metrics }
    http-after-response set-status 299 reason "Fine" if { var(txn.p) -m beg /stats }
    http-after-response allow if { var(txn.p) -m beg /bst }
    http-after-response set-header x-last 1
    use_backend bs if { path_beg /bst }
    default_backend be
backend bs
    stats enable
    stats uri /bst
    http-after-response add-header x-order bs
backend be
    retries 0
    server s1 %s
`, syslog.LocalAddr(), bind, loopback.DeadAddr(t)), bind)
	n := 0
	for _, p := range []string{"/stats", "/stats;csv", "/metrics", "/bst", "/bst;csv", "/dead"} {
		for _, raw := range []string{
			"GET " + p + " HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n",
			"GET " + p + " HTTP/1.0\r\n\r\n",
			"HEAD " + p + " HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n",
		} {
			b := []byte(sendRaw(t, bind, raw))
			head, _, _ := bytes.Cut(b, []byte("\r\n\r\n"))
			heads = append(heads, strings.SplitN(raw, "\r\n", 2)[0]+"\n"+string(head))
			n++
		}
	}
	readSyslog(syslog, func(l string) bool {
		if l = maskLogLine(syslogBody.ReplaceAllString(strings.TrimSpace(l), "")); !strings.Contains(l, "<BADREQ>") { // the listen probe's
			// beconn: HAProxy may still count the previous closing request
			l = regexp.MustCompile(` AC/FC/\d+/`).ReplaceAllString(l, " AC/FC/N/")
			lines = append(lines, strings.Join(strings.Fields(l)[2:], " "))
		}
		return len(lines) < n
	})
	sort.Strings(lines) // HAProxy may log a closing request after the next one
	return heads, lines
}

// TestAfterResponseServiceMatchesHAProxy: http-after-response rules run on
// the replies of the stats page (HTML and CSV, a frontend's and a
// backend's, the backend's rules first) and of the prometheus exporter as
// on a server's (set-header, add-header, del-header, replace-header,
// set-status with a reason, allow), and the log shows the status they set.
// Compared with HAProxy 2.6: the status lines and headers on closing,
// HTTP/1.0 and HEAD requests, and the log lines.
func TestAfterResponseServiceMatchesHAProxy(t *testing.T) {
	hp := testenv.LookPath(t, "haproxy")
	wh, wl := afterServiceRun(t, hp)
	gh, gl := afterServiceRun(t, gohaproxy)
	diffLines(t, "heads", wh, gh)
	diffLines(t, "log lines", wl, gl)
	if len(wh) == 0 || !strings.Contains(wh[0], "x-after: 200\r\n") || !strings.Contains(gh[0], "HTTP/1.1 299 Fine") {
		t.Errorf("heads %q", gh)
	}
}
