package haproxycfg

import (
	"testing"
	"time"

	"github.com/goha-lb/goha/internal/haproxytest"
)

// TestImplicitUpgradeRedirectDifferential: the legacy redirect rules of a
// tcp frontend upgraded to HTTP by its backend run, beside HAProxy 2.6,
// after its http-request rules (-c warns that they are ignored, as it
// does for those): on the first request of a connection and on the next
// ones. The answers, what the server got, the log lines and the
// frontend's counters are compared.
func TestImplicitUpgradeRedirectDifferential(t *testing.T) {
	t.Parallel()
	rec := startRecorder(t)
	cfg := upgradeHead + `frontend fe
    mode tcp
    option tcplog
    bind BIND
    http-request set-header x-fe implicit
    http-request deny if { path /deny }
    redirect prefix http://r.example code 301 if { path_beg /r }
    redirect location /moved if { path /old }
    default_backend web
backend web
    mode http
    server s1 ` + rec.ln.Addr().String() + `
`
	ha, goha, haLog, goLog, px, sock, before := startSettled(t, cfg)
	fe0, be0 := px.Frontends()[0].Stats, px.Backends()[0].Stats
	cases := []switchCase{
		{"GET /r/x HTTP/1.1\r\nhost: x\r\n\r\n", 300 * time.Millisecond, 1},
		{"GET /old HTTP/1.1\r\nhost: x\r\n\r\n", 300 * time.Millisecond, 1},
		{upgradeGet + "GET /r HTTP/1.1\r\nhost: x\r\n\r\n", 300 * time.Millisecond, 2},
		{"GET /deny HTTP/1.1\r\nhost: x\r\n\r\n", 300 * time.Millisecond, 1},
		{upgradeGet, 300 * time.Millisecond, 1},
	}
	sameUpgradeExchanges(t, ha, goha, haLog, goLog, []*recorder{rec}, cases)
	after := haproxytest.StatsCmd(t, sock, "show stat")
	fe, be := statsSince(px.Frontends()[0].Stats, fe0), statsSince(px.Backends()[0].Stats, be0)
	sameStatDeltas(t, before, after, append(statCols("fe/FRONTEND", fe, "dreq", "req_tot"), statCols("web/BACKEND", be, "stot")...), nil, true)
	// the redirect happened in HAProxy: checked so that the comparison
	// cannot pass on two servers' answers
	if got, _ := exchangeFrom(t, "", ha, "GET /r/x HTTP/1.1\r\nhost: x\r\n\r\n", 300*time.Millisecond); len(got) < 12 || string(got[:12]) != "HTTP/1.1 301" {
		t.Errorf("haproxy answered %q, want its 301", got)
	}
}
