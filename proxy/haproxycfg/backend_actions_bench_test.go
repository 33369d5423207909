package haproxycfg

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/goha-lb/goha/parser/haproxy"
)

// benchBackendActions are actions backends run beside the header ones:
// a content track and counter, a capture into the frontend's slot, an
// http-request track-sc with counters, a priority, a map lookup and an
// http-response capture and counter.
const benchBackendActions = `    stick-table type ip size 100 store gpc0,gpc1,http_req_cnt,conn_cur
    tcp-request content track-sc1 src
    tcp-request content sc-inc-gpc1(1)
    http-request capture req.hdr(host) id 0
    http-request track-sc0 src
    http-request sc-inc-gpc0(0)
    http-request set-priority-class int(1)
    http-request set-header x-map %[req.hdr(host),map(MAP,none)]
    http-request deny if { src_get_gpc0 lt 0 }
    http-response capture res.hdr(content-length) id 0
    http-response sc-inc-gpc0(0)
`

// BenchmarkBackendActionsKeepAlive is BenchmarkBackendRulesKeepAlive with
// benchBackendActions in the backend (the frontend declaring the capture
// slots): what stick counters, captures and the other actions cost there
// (8 allocs/op on 2026-12-07: the stick keys (acl valueKey) and the
// capture's copy).
func BenchmarkBackendActionsKeepAlive(b *testing.B) {
	fe := "    declare capture request len 16\n    declare capture response len 8\n"
	cfg := "defaults\n    mode http\n    timeout connect 5s\n    timeout client 30s\n    timeout server 30s\n" +
		"frontend rules\n    bind 127.0.0.1:1\n" + fe + "    default_backend servers\nbackend servers\n" +
		benchBackendActions + "    server web1 127.0.0.1:2\n"
	m := filepath.Join(b.TempDir(), "m.map")
	os.WriteFile(m, []byte("bench v\n"), 0o644)
	res := haproxy.CheckBytes("bench.cfg", []byte(strings.ReplaceAll(cfg, "MAP", m)), nil)
	if n := Build(res.Config).Notices.List; res.Exit != 0 || len(n) != 0 {
		b.Fatalf("config exit %d, notices %+v", res.Exit, n)
	}
	do := startRulesClientIn(b, fe, benchBackendActions)
	b.ReportAllocs()
	cpu0 := processCPU()
	for b.Loop() {
		do()
	}
	b.ReportMetric(float64(processCPU()-cpu0)/float64(b.N), "cpu-ns/op")
}
