package haproxycfg

import (
	"testing"
	"time"

	"github.com/goha-lb/goha/internal/haproxytest"
)

// TestH2BadPrefaceLogMatchesHAProxy: on a `bind ... proto h2` listener,
// bytes that are not the HTTP/2 preface (compared once there are as many,
// or when the client ends before) close the connection without a word,
// and HAProxy's H2 mux logs a line without a stream: status 0, <BADREQ>,
// PR--; it counts no request.
func TestH2BadPrefaceLogMatchesHAProxy(t *testing.T) {
	rec := startRecorder(t)
	cfg := `global
    log LOG local0
defaults
    mode http
    log global
    option httplog
    timeout connect 2s
    timeout client 1s
    timeout server 5s
frontend fe
    bind BIND proto h2
    default_backend be
backend be
    server s1 ` + rec.ln.Addr().String() + `
`
	ha, goha, haLog, goLog, px, sock, before := startSettled(t, cfg)
	fe0 := px.Frontends()[0].Stats
	sameUpgradeExchanges(t, ha, goha, haLog, goLog, []*recorder{rec}, []switchCase{
		{upgradeGet, 300 * time.Millisecond, 1},
		{"GET /", 300 * time.Millisecond, 1}, // logged once the client leaves
	})
	after := haproxytest.StatsCmd(t, sock, "show stat")
	sameStatDeltas(t, before, after, statCols("fe/FRONTEND", statsSince(px.Frontends()[0].Stats, fe0), "ereq", "req_tot", "stot"), nil, false)
}
