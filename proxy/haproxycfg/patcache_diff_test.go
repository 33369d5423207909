package haproxycfg

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/goha-lb/goha/internal/loopback"
	"github.com/goha-lb/goha/internal/testenv"
	"github.com/goha-lb/goha/parser/haproxy"
	"github.com/goha-lb/goha/proxy/internal/difftest"
)

// patCacheCfg matches header Y against one pattern file (7, abc) with -m
// end then -m sub, and map_end_int then map_sub_int of a map file.
const patCacheCfg = `GLOBAL` + httpHead + `frontend fe
    bind BIND
    http-request set-var(txn.e) bool(1) if { req.hdr(y) -m end -f DIR/p.txt }
    http-request set-var(txn.s) bool(1) if { req.hdr(y) -m sub -f DIR/p.txt }
    http-request return status 200 content-type text/plain lf-string "e=%[var(txn.e)] s=%[var(txn.s)] me=%[req.hdr(y),map_end_int(DIR/m.map,1)] ms=%[req.hdr(y),map_sub_int(DIR/m.map,2)]\n"
`

// TestPatternCacheSharingRefused: with HAProxy 2.6's pattern cache on
// (the default), -m end and -m sub on one file share cached results: on
// "7x" the sub match answers end's "no match" (measured here, so a
// HAProxy that stops doing so fails this test). goha refuses that
// configuration at -c; with tune.pattern.cache-size 0 it runs it, and both
// answer the true matches.
func TestPatternCacheSharingRefused(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "p.txt"), []byte("7\nabc\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "m.map"), []byte("7 70\nabc 5\n"), 0o644)
	cfg := strings.ReplaceAll(patCacheCfg, "DIR", dir)
	req := "GET / HTTP/1.1\r\nHost: h\r\nY: 7x\r\nConnection: close\r\n\r\n"

	cached := strings.ReplaceAll(cfg, "GLOBAL", "")
	res := haproxy.CheckBytes("test.cfg", []byte(strings.ReplaceAll(cached, "BIND", "127.0.0.1:1")), nil)
	refused := false
	for _, d := range res.Diags.List {
		refused = refused || d.Severity == haproxy.Alert && strings.Contains(d.Text, "pattern cache")
	}
	if res.Exit == 0 || !refused {
		t.Errorf("goha accepts the shared sub/end matches: exit %d %+v", res.Exit, res.Diags.List)
	}
	testenv.LookPath(t, "haproxy")
	ha := loopback.FreeAddr(t)
	difftest.StartHAProxy(t, strings.ReplaceAll(cached, "BIND", ha), ha)
	if raw, _ := exchangeFrom(t, "", ha, req, time.Second); !strings.HasSuffix(string(raw), "e= s= me=1 ms=2\n") {
		t.Errorf("HAProxy with its pattern cache no longer shares sub/end results: %q", raw)
	}

	off := strings.ReplaceAll(cfg, "GLOBAL", "global\n    tune.pattern.cache-size 0\n")
	ha, goha := startBoth(t, off)
	want, _ := exchangeFrom(t, "", ha, req, time.Second)
	got, _ := exchangeFrom(t, "", goha, req, time.Second)
	if !strings.HasSuffix(string(want), "e= s=1 me=1 ms=70\n") || string(want) != string(got) {
		t.Errorf("without the cache:\nhaproxy %q\ngoha    %q", want, got)
	}
}
