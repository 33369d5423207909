package haproxycfg

import (
	"bytes"
	"cmp"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/goha-lb/goha/internal/haproxytest"
)

// switchCase is one connection of the upgrade tests: what the client
// sends, how long it waits for more, and how many lines it logs.
type switchCase struct {
	raw   string
	idle  time.Duration
	lines int
}

const upgradeGet = "GET /a HTTP/1.1\r\nhost: x\r\n\r\n"

// upgradeHead starts the upgrade tests' configurations: logging to the
// test (startBothLogged's LOG), a 1 s client timeout (a first request
// that never comes whole ends within the tests' 2 s wait), one thread
// (with two, HAProxy 2.6.12 sometimes closed a first request that timed
// out, "GET / HT", without its 408 or a log line: 1 run of 6 in each of
// two tests; with one, 10 runs of 10 unloaded; at a load of 8 to 12 it
// still did in about one run of four).
const upgradeHead = `global
    log LOG local0
    nbthread 1
defaults
    log global
    timeout connect 2s
    timeout client 1s
    timeout server 5s
`

// sameUpgradeExchanges sends each case to HAProxy, then to goha, and
// compares the bytes the client got, the bytes each backend recorder
// got, and the log lines.
func sameUpgradeExchanges(t *testing.T, ha, goha string, haLog, goLog chan string, recs []*recorder, cases []switchCase) {
	t.Helper()
	if upgradeExchangesRaced(t, ha, goha, haLog, goLog, recs, cases) {
		t.Errorf("haproxy closed the timed-out first request with no 408 (its race, see upgradeHead): the cases after it were not compared")
	}
}

// upgradeRounds runs round, which starts both daemons fresh and
// compares them, again while it says HAProxy closed the timed-out first
// request with no 408 (upgradeExchangesRaced), three rounds at most.
func upgradeRounds(t *testing.T, round func() (haproxyRaced bool)) {
	t.Helper()
	for n := 1; round(); n++ {
		if n == 3 {
			t.Fatalf("haproxy closed the timed-out first request with no 408 in %d rounds of %d: nothing to compare goha's 408 with", n, n)
		}
		t.Logf("round %d: haproxy closed the timed-out first request with no 408; again with both fresh", n)
	}
}

// upgradeExchangesRaced is sameUpgradeExchanges, but it stops, and
// returns true, when HAProxy closed a first request that timed out (a
// case waiting past timeout client) with no answer: its race (see
// upgradeHead), which leaves no log line and other counters; the caller
// runs its round again with both daemons fresh.
func upgradeExchangesRaced(t *testing.T, ha, goha string, haLog, goLog chan string, recs []*recorder, cases []switchCase) bool {
	t.Helper()
	for _, c := range cases {
		label := fmt.Sprintf("%.50q", c.raw)
		var got [2][][]byte
		var ends [2]string
		for i, addr := range []string{ha, goha} {
			for _, r := range recs {
				r.reset(nil, false)
			}
			var answer []byte
			answer, ends[i] = exchangeFrom(t, "", addr, c.raw, c.idle)
			if i == 0 && c.idle > time.Second && len(answer) == 0 && ends[0] == "closed" {
				t.Logf("%s: haproxy closed the timed-out request with no answer", label)
				return true
			}
			got[i] = append(got[i], answer)
			for _, r := range recs {
				got[i] = append(got[i], r.bytes())
			}
		}
		compareAnswers(t, label, got[0][0], got[1][0], ends[0], ends[1])
		for i := 1; i < len(got[0]); i++ {
			if !bytes.Equal(got[0][i], got[1][i]) {
				t.Errorf("%s: backend %d got\nhaproxy: %q\ngoha:    %q", label, i, got[0][i], got[1][i])
			}
		}
		sameLogLines(t, label, haLog, goLog, c.lines)
	}
	return false
}

// TestTCPFrontendImplicitHTTPUpgradeMatchesHAProxy: a tcp frontend whose
// backend is in mode http serves HTTP (HAProxy 2.6 upgrades the stream
// when it sets the backend): keep-alive, the frontend's http-request,
// http-response and http-after-response rules (run although -c says
// they are ignored), no X-Forwarded-For (option forwardfor is dropped),
// a 400 for bytes that are not HTTP, tcplog lines per request, a first
// request that never comes whole logged PR (408 or 400) and counted
// twice in ereq, an HTTP/2 client served after its preface, and show
// stat's frontend counters.
func TestTCPFrontendImplicitHTTPUpgradeMatchesHAProxy(t *testing.T) {
	t.Parallel()
	rec := startRecorder(t)
	cfg := upgradeHead + `frontend fe
    mode tcp
    option tcplog
    bind BIND
    http-request set-header x-fe implicit
    http-response set-header x-rfe implicit
    http-after-response set-header x-afe implicit
    option forwardfor
    default_backend web
backend web
    mode http
    server s1 ` + rec.ln.Addr().String() + `
`
	cases := []switchCase{
		{upgradeGet, 300 * time.Millisecond, 1},
		{upgradeGet + "GET /b HTTP/1.1\r\nhost: x\r\n\r\n", 300 * time.Millisecond, 2},
		{"HELLO garbage\r\n\r\n", 300 * time.Millisecond, 1},
		{upgradeGet + "HELLO garbage\r\n\r\n", 300 * time.Millisecond, 2},
		{"GET / HT", 2 * time.Second, 1}, // timeout client: 408, PR
	}
	upgradeRounds(t, func() bool {
		ha, goha, haLog, goLog, px, sock, before := startSettled(t, cfg)
		fe0, be0 := px.Frontends()[0].Stats, px.Backends()[0].Stats
		if upgradeExchangesRaced(t, ha, goha, haLog, goLog, []*recorder{rec}, cases) {
			return true
		}
		sameH2Exchange(t, ha, goha, haLog, goLog, []*recorder{rec}, "/a", "/b")
		after := haproxytest.StatsCmd(t, sock, "show stat")
		fe, be := statsSince(px.Frontends()[0].Stats, fe0), statsSince(px.Backends()[0].Stats, be0)
		sameStatDeltas(t, before, after, append(statCols("fe/FRONTEND", fe, "stot", "ereq", "req_tot"), statCols("web/BACKEND", be, "stot", "req_tot")...), nil, true)
		return false
	})
}

// switchModeConfig is the configuration of the switch-mode tests: a tcp
// frontend (httplog, which falls back to tcplog) switching to HTTP with
// proto (may be empty), HTTP rules after the switch, and two backends.
// No tcp-request inspect-delay: with one, HAProxy 2.6.12 closes some of
// the first requests that time out (GET / HT) without a 408 or a log
// line, and answers the others 408 (measured: 3 of 6 each way).
func switchModeConfig(proto string, web, other *recorder) string {
	return switchModeConfigLog(proto, "option httplog", web, other)
}

// switchModeConfigLog is switchModeConfig with the frontend's log line.
func switchModeConfigLog(proto, logLine string, web, other *recorder) string {
	return upgradeHead + `frontend fe
    mode tcp
    ` + logLine + `
    bind BIND
    tcp-request content switch-mode http ` + proto + `
    tcp-request content reject
    http-request deny if { path /deny }
    http-request set-header x-fe explicit
    http-response set-header x-rfe explicit
    option forwardfor
    use_backend other if { path_beg /o }
    default_backend web
backend web
    mode http
    server s1 ` + web.ln.Addr().String() + `
backend other
    mode http
    server s2 ` + other.ln.Addr().String() + `
`
}

// TestTCPFrontendSwitchModeMatchesHAProxy: `tcp-request content
// switch-mode http` upgrades before the switching rules, so use_backend
// sees the HTTP request, every HTTP setting of the frontend applies
// (option forwardfor, http-request deny), the content rules after the
// switch never run, and option httplog falls back to tcplog. With
// `proto h1` an HTTP/2 preface gets a 400 (no upgrade to HTTP/2).
func TestTCPFrontendSwitchModeMatchesHAProxy(t *testing.T) {
	t.Parallel()
	for _, c := range []struct{ proto, log string }{
		{"", "option httplog"}, {"proto h1", "option httplog"},
		// what a custom format sees of a refused first request
		{"", `log-format "%ST %b/%s %B %ts %Tw/%Tc/%Tt %U"`}, // no %ac/%fc: see normLog
	} {
		proto := c.proto
		name := strings.ReplaceAll(cmp.Or(proto, "default"), " ", "-") // no '#' (a comment in the stats socket's path)
		if c.log != "option httplog" {
			name += "-log-format"
		}
		t.Run(name, func(t *testing.T) {
			cases := []switchCase{
				{upgradeGet, 300 * time.Millisecond, 1},
				{"GET /o HTTP/1.1\r\nhost: x\r\n\r\n", 300 * time.Millisecond, 1},
				{"GET /deny HTTP/1.1\r\nhost: x\r\n\r\n", 300 * time.Millisecond, 1},
				{upgradeGet + "GET /o HTTP/1.1\r\nhost: x\r\n\r\n" + upgradeGet, 300 * time.Millisecond, 3},
				{"HELLO garbage\r\n\r\n", 300 * time.Millisecond, 1},
				{"GET / HT", 2 * time.Second, 1},
			}
			if proto != "" {
				cases = append(cases, switchCase{"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", 300 * time.Millisecond, 1})
			}
			upgradeRounds(t, func() bool {
				web, other := startRecorder(t), startRecorder(t)
				ha, goha, haLog, goLog, px, sock, before := startSettled(t, switchModeConfigLog(proto, c.log, web, other))
				fe0 := px.Frontends()[0].Stats
				if upgradeExchangesRaced(t, ha, goha, haLog, goLog, []*recorder{web, other}, cases) {
					return true
				}
				after := haproxytest.StatsCmd(t, sock, "show stat")
				sameStatDeltas(t, before, after, statCols("fe/FRONTEND", statsSince(px.Frontends()[0].Stats, fe0), "ereq", "dreq", "req_tot"), nil, true)
				return false
			})
		})
	}
}

// TestTCPFrontendSwitchModeH2MatchesHAProxy: `switch-mode http proto h2`
// speaks HTTP/2 from the first byte: an HTTP/2 client is served (its
// streams logged in tcplog), bytes that are not HTTP/2 end the connection
// at the first wrong one with a PR line, and the upgraded TCP stream
// counts nothing.
func TestTCPFrontendSwitchModeH2MatchesHAProxy(t *testing.T) {
	t.Parallel()
	web, other := startRecorder(t), startRecorder(t)
	ha, goha, haLog, goLog, px, sock, before := startSettled(t, switchModeConfig("proto h2", web, other))
	fe0 := px.Frontends()[0].Stats
	sameH2Exchange(t, ha, goha, haLog, goLog, []*recorder{web, other}, "/a", "/o", "/deny")
	// not HTTP/2: closed at the first wrong byte, a PR line
	sameUpgradeExchanges(t, ha, goha, haLog, goLog, []*recorder{web, other}, []switchCase{
		{upgradeGet, 300 * time.Millisecond, 1},
		{"GET /", 300 * time.Millisecond, 1},
	})
	after := haproxytest.StatsCmd(t, sock, "show stat")
	sameStatDeltas(t, before, after, statCols("fe/FRONTEND", statsSince(px.Frontends()[0].Stats, fe0), "ereq", "dreq", "req_tot"), nil, false)
}

// sameH2Exchange sends GETs of paths over one HTTP/2 connection (prior
// knowledge) to HAProxy, then to goha, and compares the answers, the
// bytes the backends got and the log lines (one per request).
func sameH2Exchange(t *testing.T, ha, goha string, haLog, goLog chan string, recs []*recorder, paths ...string) {
	t.Helper()
	var answers [2][]string
	var got [2][]byte
	for i, addr := range []string{ha, goha} {
		for _, r := range recs {
			r.reset(nil, false)
		}
		c := h2Client(t, testPKI{}, addr, false)
		for _, path := range paths {
			resp, err := c.Get("http://x" + path)
			answers[i] = append(answers[i], describe(resp, err))
		}
		c.Transport.(*http.Transport).CloseIdleConnections()
		time.Sleep(300 * time.Millisecond)
		for _, r := range recs {
			got[i] = append(got[i], r.bytes()...)
		}
	}
	if strings.Join(answers[0], "\n--\n") != strings.Join(answers[1], "\n--\n") {
		t.Errorf("h2 answers\nhaproxy: %q\ngoha:    %q", answers[0], answers[1])
	}
	if !bytes.Equal(got[0], got[1]) {
		t.Errorf("h2: backends got\nhaproxy: %q\ngoha:    %q", got[0], got[1])
	}
	sameLogLines(t, "h2", haLog, goLog, len(paths))
}
