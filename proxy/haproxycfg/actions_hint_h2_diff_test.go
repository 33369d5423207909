package haproxycfg

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptrace"
	"net/textproto"
	"strings"
	"testing"
	"time"
)

// TestEarlyHintH2Differential: http-request early-hint for an HTTP/2
// client, in a frontend and in a backend, beside HAProxy 2.6.12: the
// interim 103 responses the client gets (one HEADERS per rule run, its
// field), then the final status.
func TestEarlyHintH2Differential(t *testing.T) {
	cfg := strings.Replace(httplogFrontend, "bind BIND\n", "bind BIND proto h2\n", 1) + `    http-request early-hint link "</fe.css>; rel=preload" if { path /fe }
    default_backend be
backend be
    http-request early-hint link "</be.css>; rel=preload" if { path_beg /be }
    http-request early-hint x-path %[path] if { path /be2 }
    server s1 REC
`
	ha, goha, haLog, goLog := startBothLogged(t, strings.ReplaceAll(cfg, "REC", startHeadRecorder(t)))
	get := func(addr, path string) string {
		tr := h2cTransport(addr)
		defer tr.CloseIdleConnections()
		var out []string
		trace := &httptrace.ClientTrace{Got1xxResponse: func(code int, h textproto.MIMEHeader) error {
			out = append(out, fmt.Sprintf("%d %v", code, h))
			return nil
		}}
		req, _ := http.NewRequestWithContext(httptrace.WithClientTrace(context.Background(), trace), "GET", "http://"+addr+path, nil)
		resp, err := (&http.Client{Transport: tr, Timeout: 5 * time.Second}).Do(req)
		if err != nil {
			return "error: " + err.Error()
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return strings.Join(append(out, resp.Status), " | ")
	}
	for _, path := range []string{"/fe", "/be", "/be2", "/"} {
		want, got := get(ha, path), get(goha, path)
		if want != got {
			t.Errorf("%s: haproxy %q, goha %q", path, want, got)
		}
		if path == "/be2" && strings.Count(want, "103 ") != 2 {
			t.Errorf("%s: haproxy %q: not the two 103s the test expects", path, want)
		}
		w := strings.ReplaceAll(nextLine(t, haLog, "haproxy"), ha, "ADDR")
		g := strings.ReplaceAll(nextLine(t, goLog, "goha"), goha, "ADDR")
		if w != g {
			t.Errorf("%s: log\nhaproxy: %s\ngoha:    %s", path, w, g)
		}
	}
}
