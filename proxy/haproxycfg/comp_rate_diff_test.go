package haproxycfg

import (
	"bytes"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/goha-lb/goha/internal/haproxytest"
	"github.com/goha-lb/goha/internal/loopback"
	"github.com/goha-lb/goha/internal/testenv"
	"github.com/goha-lb/goha/proxy/internal/difftest"
)

// TestMaxCompRateMatchesHAProxy: global maxcomprate beside HAProxy 2.6.
// An 18 KB response is compressed while nothing was (rate 0); the next
// one, at once, is not (the compressors took in 18 KB over the last
// second, above 8 kB/s); with the limit lifted at run time it is again,
// and with it set back it is not; two seconds later the rate has gone
// and it is compressed. The response heads (Content-Encoding or not) and
// decoded bodies are compared, and show info's CompressBpsRateLim.
func TestMaxCompRateMatchesHAProxy(t *testing.T) {
	t.Parallel()
	testenv.LookPath(t, "haproxy")
	recHA, recGo := startRecorder(t), startRecorder(t)
	cfg := "global\n    maxcomprate 8\n" + httpHead + "frontend fe\n    bind BIND\n    compression algo gzip\n    compression type text/html\n" +
		"    default_backend be\nbackend be\n    server s1 BACKEND\n"
	if n := notices(buildText(t, strings.NewReplacer("BIND", "127.0.0.1:1", "BACKEND", "127.0.0.1:2").Replace(cfg))); len(n) != 0 {
		t.Fatalf("goha refuses part of the configuration: %q", n)
	}
	ha, goha := loopback.FreeAddr(t), loopback.FreeAddr(t)
	sock := filepath.Join(t.TempDir(), "stats.sock")
	difftest.StartHAProxy(t, strings.Replace(strings.NewReplacer("BIND", ha, "BACKEND", recHA.ln.Addr().String()).Replace(cfg),
		"global\n", "global\n    stats socket "+sock+" level admin\n", 1), ha)
	_, px := gohaRun(t, strings.NewReplacer("BIND", goha, "BACKEND", recGo.ln.Addr().String()).Replace(cfg), false, nil)
	if _, _, g := px.CompressionRates(); haproxytest.ShowInfoField(t, sock, "CompressBpsRateLim") != "8192" || g != 8192 {
		t.Fatalf("CompressBpsRateLim: haproxy %q goha %d, want 8192", haproxytest.ShowInfoField(t, sock, "CompressBpsRateLim"), g)
	}
	answer := []byte(compAnswer("200 OK", "content-type: text/html\r\n", compText))
	req := []byte(compGet("/", "accept-encoding: gzip\r\n"))
	step := func(label string, compressed bool) {
		t.Helper()
		recHA.reset(answer, false)
		recGo.reset(answer, false)
		want, err1 := difftest.Exchange(ha, req, time.Second)
		got, err2 := difftest.Exchange(goha, req, time.Second)
		if err1 != nil || err2 != nil {
			t.Fatalf("%s: %v %v", label, err1, err2)
		}
		wh, wb := splitCompressed(t, want, false)
		gh, gb := splitCompressed(t, got, false)
		if wh != gh || wb != gb {
			t.Errorf("%s: response\n haproxy %q %s\n goha    %q %s", label, wh, trunc(wb), gh, trunc(gb))
		}
		if enc := bytes.Contains(bytes.ToLower(want), []byte("content-encoding: gzip")); enc != compressed {
			t.Errorf("%s: haproxy compressed %v, want %v", label, enc, compressed)
		}
	}
	step("first", true)
	step("over the rate", false)
	haproxytest.StatsCmd(t, sock, "set rate-limit http-compression global 0")
	px.SetCompressionRateLimit(0)
	step("limit lifted", true)
	haproxytest.StatsCmd(t, sock, "set rate-limit http-compression global 8")
	px.SetCompressionRateLimit(8 << 10)
	step("limit set again", false)
	time.Sleep(2200 * time.Millisecond)
	step("two seconds later", true)
}
