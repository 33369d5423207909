package haproxycfg

import (
	"strings"
	"testing"
	"time"
)

// drainLines returns the normalised lines ch delivers until it is quiet
// for quiet.
func drainLines(ch chan string, quiet time.Duration) []string {
	var out []string
	for {
		select {
		case l := <-ch:
			out = append(out, normLog(l))
		case <-time.After(quiet):
			return out
		}
	}
}

// awaitLines is drainLines waiting up to first for the first line: a
// loaded machine may take longer than quiet to send one.
func awaitLines(ch chan string, first, quiet time.Duration) []string {
	select {
	case l := <-ch:
		return append([]string{normLog(l)}, drainLines(ch, quiet)...)
	case <-time.After(first):
		return nil
	}
}

// TestSetLogLevelDifferential: http-request and http-response
// set-log-level change the syslog severity of the transaction's line
// (over log-separate-errors), silent removes it; a kept-alive
// connection's next transaction starts again at the default.
func TestSetLogLevelDifferential(t *testing.T) {
	t.Parallel()
	w := webs3(t)
	cfg := `global
    log LOG local0
defaults
    mode http
    log global
    option httplog
    option log-separate-errors
    timeout connect 2s
    timeout client 5s
    timeout server 5s
frontend fe
    bind BIND
    http-request set-var(txn.p) path
    http-request set-log-level err if { path /e }
    http-request set-log-level silent if { path /s }
    http-request set-log-level debug if { path_beg /d }
    http-request set-log-level silent if { path /ds }
    http-request set-log-level warning if { path /x }
    http-request deny if { path /x }
    http-response set-log-level notice if { var(txn.p) -m str /n }
    http-response set-log-level silent if { var(txn.p) -m str /rs }
    http-response set-log-level alert if { var(txn.p) -m str /d }
    default_backend web
backend web
    server w1 ` + w[0] + `
`
	ha, goha, haLog, goLog := startBothLogged(t, cfg)
	// The priorities HAProxy 2.6 logs (local0 = 128 + severity), checked
	// so that the comparison cannot pass on two empty logs.
	for _, tc := range []struct{ raw, pris string }{
		{"GET /e HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n", "<131>"},
		{"GET /s HTTP/1.1\r\nHost: h\r\n\r\nGET /plain HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n", "<134>"},
		{"GET /d HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n", "<129>"},
		{"GET /ds HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n", ""},
		{"GET /x HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n", "<132>"},
		{"GET /n HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n", "<133>"},
		{"GET /rs HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n", ""},
	} {
		raw := tc.raw
		exchangeFrom(t, "", ha, raw, 300*time.Millisecond)
		exchangeFrom(t, "", goha, raw, 300*time.Millisecond)
		want, got := loggedBoth(haLog, goLog, tc.pris != "")
		var pris []string
		for _, l := range want {
			pris = append(pris, l[:5])
		}
		if strings.Join(pris, " ") != tc.pris {
			t.Errorf("%q: haproxy logged %q, want priorities %q", raw, want, tc.pris)
		}
		if strings.Join(want, "\n") != strings.Join(got, "\n") {
			t.Errorf("%q: log\nhaproxy: %q\ngoha:    %q", raw, want, got)
		}
	}
}
