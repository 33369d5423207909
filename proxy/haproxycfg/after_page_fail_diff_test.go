package haproxycfg

import (
	"bytes"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/goha-lb/goha/internal/haproxytest"
	"github.com/goha-lb/goha/internal/loopback"
)

// TestAfterResponsePageFailDifferential: an http-after-response rewrite
// that finds no room on a page the proxy makes itself other than a
// deny/return/redirect answer (503 of a server refusing connections, 504
// of a silent server) replaces it with the 500 page; the
// log line's status, flags and timers and the status counters follow the
// 500, as in HAProxy. Compared: bytes, log lines, show stat's hrsp_5xx,
// wrew and eint of the frontend and the backends.
func TestAfterResponsePageFailDifferential(t *testing.T) {
	t.Parallel()
	silent := loopback.Listen(t)
	go func() {
		for {
			c, err := silent.Accept()
			if err != nil {
				return
			}
			defer c.Close() // reads nothing, answers nothing
		}
	}()
	refused := loopback.FreeAddr(t)
	cfg := `global
    log LOG local0
defaults
    mode http
    log global
    option httplog
    timeout connect 1s
    timeout client 5s
    timeout server 300ms
    retries 0
frontend fe
    bind BIND
    http-request set-var(txn.a) req.hdr(x-a)
    http-after-response add-header x-big %[var(txn.a)] if { var(txn.a) -m len gt 100 }
    http-after-response add-header x-big2 %[var(txn.a)] if { var(txn.a) -m len 101: }
    use_backend silent if { path_beg /silent }
    default_backend refused
backend refused
    server s1 REFUSED
backend silent
    server s1 SILENT
`
	cfg = strings.ReplaceAll(cfg, "REFUSED", refused)
	cfg = strings.ReplaceAll(cfg, "SILENT", silent.Addr().(*net.TCPAddr).String())
	ha, goha, haLog, goLog, px, sock, base := startSettled(t, cfg)
	for _, c := range []struct {
		path string
		n    int
	}{{"/", 10}, {"/", 15000}, {"/silent", 10}, {"/silent", 15000}} {
		raw := "GET " + c.path + " HTTP/1.1\r\nHost: h\r\nx-a: " + strings.Repeat("a", c.n) + "\r\n\r\n"
		var want []byte
		var wantEnd string
		done := make(chan struct{})
		go func() { want, wantEnd = exchangeFrom(t, "", ha, raw, 600*time.Millisecond); close(done) }()
		got, gotEnd := exchangeFrom(t, "", goha, raw, 600*time.Millisecond)
		<-done
		if c.n > 100 && !bytes.HasPrefix(want, []byte("HTTP/1.1 500")) {
			t.Errorf("%s %d: haproxy answered %.60q", c.path, c.n, want)
		}
		if !bytes.Equal(want, got) || wantEnd != gotEnd {
			t.Errorf("%s %d\nhaproxy (%s):\n%.400q\ngoha (%s):\n%.400q", c.path, c.n, wantEnd, want, gotEnd, got)
		}
		if w, g := nextLine(t, haLog, "haproxy"), nextLine(t, goLog, "goha"); w != g {
			t.Errorf("%s %d: log\nhaproxy: %s\ngoha:    %s", c.path, c.n, w, g)
		}
	}
	before, after := allStatRows(base), allStatRows(haproxytest.StatsCmd(t, sock, "show stat"))
	fe := px.Frontends()[0].Stats
	got := map[string]int64{"fe/FRONTEND hrsp_5xx": fe.HRsp5xx, "fe/FRONTEND hrsp_2xx": fe.HRsp2xx,
		"fe/FRONTEND wrew": fe.WRew, "fe/FRONTEND eint": fe.EInt}
	for _, be := range px.Backends() {
		got[be.Name+"/BACKEND hrsp_5xx"] = be.Stats.HRsp5xx
		got[be.Name+"/BACKEND hrsp_2xx"] = be.Stats.HRsp2xx
		got[be.Name+"/BACKEND wrew"] = be.Stats.WRew
		got[be.Name+"/BACKEND eint"] = be.Stats.EInt
		got[be.Name+"/s1 wrew"] = be.Servers[0].Stats.WRew
		got[be.Name+"/s1 eint"] = be.Servers[0].Stats.EInt
		got[be.Name+"/s1 hrsp_5xx"] = be.Servers[0].Stats.HRsp5xx
	}
	for k, g := range got {
		row, col, _ := strings.Cut(k, " ")
		if w := after[row][col] - before[row][col]; w != g {
			t.Errorf("%s: haproxy %d, goha %d", k, w, g)
		}
	}
}
