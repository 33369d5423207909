package haproxycfg

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"
	"testing"

	"github.com/goha-lb/goha/internal/testenv"
	"github.com/goha-lb/goha/proxy/internal/difftest"
)

// `option accept-invalid-http-request|response` against HAProxy 2.6: the
// corpora testdata/http1/accept-invalid-*.txt hold messages HAProxy
// refuses by default and treats otherwise with the option; both proxies
// run them with the option on every frontend and backend, in front of a
// recording backend that frames what they forward leniently (the strict
// recorder would not answer a request with "x y: z" in it).

// startLaxRecorder is startRecorder framing requests by laxSplit.
func startLaxRecorder(t *testing.T) *recorder {
	return newRecorder(t, func(b []byte) (int, []byte, error) {
		n, rest := laxSplit(b)
		return n, rest, nil
	})
}

// laxSplit counts the whole requests at the start of b: a head ends at
// the first empty line, and a "content-length:" line (exactly that name)
// gives the body's length. Both proxies re-emit heads with CR LF and
// de-chunk nothing these corpora send chunked.
func laxSplit(b []byte) (n int, rest []byte) {
	for {
		end := bytes.Index(b, []byte("\r\n\r\n"))
		if end < 0 {
			return n, b
		}
		body := 0
		for _, l := range bytes.Split(b[:end], []byte("\r\n")) {
			if v, ok := bytes.CutPrefix(bytes.ToLower(l), []byte("content-length:")); ok {
				body, _ = strconv.Atoi(string(bytes.TrimSpace(v)))
			}
		}
		if len(b) < end+4+body {
			return n, b
		}
		b = b[end+4+body:]
		n++
	}
}

// laxConfig is corpusConfig with both options on every lane.
func laxConfig(binds []string, recs []*recorder) string {
	cfg := corpusConfig(binds, recs)
	cfg = strings.ReplaceAll(cfg, "    http-request deny if { path_beg /admin }\n",
		"    option accept-invalid-http-request\n    http-request deny if { path_beg /admin }\n")
	return strings.ReplaceAll(cfg, "    server s ", "    option accept-invalid-http-response\n    server s ")
}

func startLaxSides(t *testing.T) (ha, goha corpusSide) {
	testenv.LookPath(t, "haproxy")
	ha, goha = newCorpusSides(t, corpusLanes, startLaxRecorder)
	cfg := laxConfig(ha.binds, ha.recs)
	if strings.Count(cfg, "option accept-invalid-http-re") != 2*corpusLanes {
		t.Fatalf("laxConfig did not set both options on every lane:\n%s", cfg)
	}
	difftest.StartHAProxy(t, cfg, ha.binds[0])
	runPlan(t, laxConfig(goha.binds, goha.recs))
	return ha, goha
}

func TestAcceptInvalidRequestCorpus(t *testing.T) {
	t.Parallel()
	cases := loadCorpus(t, "../../testdata/http1/accept-invalid-requests.txt")
	if len(cases) < 40 {
		t.Fatalf("corpus holds %d requests, want >= 40", len(cases))
	}
	ha, goha := startLaxSides(t)
	runCorpusOn(t, ha, goha, cases, false, func(c corpusCase) ([]byte, []byte, bool) { return c.raw, nil, false })
}

func TestAcceptInvalidResponseCorpus(t *testing.T) {
	cases := loadCorpus(t, "../../testdata/http1/accept-invalid-responses.txt")
	if len(cases) < 15 {
		t.Fatalf("corpus holds %d responses, want >= 15", len(cases))
	}
	ha, goha := startLaxSides(t)
	runCorpusOn(t, ha, goha, cases, true, func(c corpusCase) ([]byte, []byte, bool) {
		return []byte("GET /r HTTP/1.1\r\nHost: t\r\n\r\n"), c.raw, true
	})
}

// scopeConfig decides, as HAProxy does, whose option applies: the
// frontend's for requests, the backend's for responses, inherited from
// defaults and turned off by "no option"; a request option in a backend
// and a response option in a frontend are ignored (with a warning).
func scopeConfig(binds []string, recs []*recorder) string {
	return fmt.Sprintf(`defaults
    mode http
    timeout connect 2s
    timeout client 3s
    timeout server 3s
frontend plain
    bind %s
    option accept-invalid-http-response
    default_backend be_plain
backend be_plain
    option accept-invalid-http-request
    server s %s
defaults
    mode http
    timeout connect 2s
    timeout client 3s
    timeout server 3s
    option accept-invalid-http-request
    option accept-invalid-http-response
frontend inherit
    bind %s
    default_backend be_inherit
frontend negated
    bind %s
    no option accept-invalid-http-request
    default_backend be_negated
backend be_inherit
    server s %s
backend be_negated
    no option accept-invalid-http-response
    server s %s
`, binds[0], recs[0].ln.Addr(), binds[1], binds[2], recs[1].ln.Addr(), recs[2].ln.Addr())
}

func TestAcceptInvalidScope(t *testing.T) {
	t.Parallel()
	testenv.LookPath(t, "haproxy")
	ha, goha := newCorpusSides(t, 3, startLaxRecorder)
	difftest.StartHAProxy(t, scopeConfig(ha.binds, ha.recs), ha.binds[0])
	runPlan(t, scopeConfig(goha.binds, goha.recs))
	ok := []byte("HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok")
	badReq := []byte("GET / HTTP/1.1\r\nHost: t\r\nX Y: z\r\n\r\n")
	badResp := []byte("HTTP/1.1 200 OK\r\nX Y: z\r\nContent-Length: 2\r\n\r\nok")
	goodReq := []byte("GET / HTTP/1.1\r\nHost: t\r\n\r\n")
	for _, tc := range []struct {
		name        string
		lane        int
		raw, answer []byte
		want        int
	}{
		{"frontend without the option: strict requests", 0, badReq, ok, 400},
		{"backend without the option: strict responses", 0, goodReq, badResp, 502},
		{"inherited from defaults: lax requests", 1, badReq, ok, 200},
		{"inherited from defaults: lax responses", 1, goodReq, badResp, 200},
		{"no option in the frontend: strict requests", 2, badReq, ok, 400},
		{"no option in the backend: strict responses", 2, goodReq, badResp, 502},
	} {
		h := run1(ha.binds[tc.lane], ha.recs[tc.lane], tc.raw, tc.answer, true)
		g := run1(goha.binds[tc.lane], goha.recs[tc.lane], tc.raw, tc.answer, true)
		if fmt.Sprint(h.statuses) != fmt.Sprint([]int{tc.want}) {
			t.Errorf("%s: haproxy answered %v, want [%d] (the test's premise)", tc.name, h.statuses, tc.want)
		}
		if !bytes.Equal(h.client, g.client) || !bytes.Equal(h.backend, g.backend) {
			t.Errorf("%s:\n haproxy answered %q\n    goha answered %q\n haproxy forwarded %q\n    goha forwarded %q", tc.name, h.client, g.client, h.backend, g.backend)
		}
	}
}

// TestHTTP1StrictVersionsAndHost: shapes HAProxy 2.6 accepts without the
// options and re-emits in a way the lax work brought in line (checked on
// haproxy 2.6.12): a version other than 1.1 is forwarded and relayed as
// received, and a URI's dropped default port makes Host the URI's host.
func TestHTTP1StrictVersionsAndHost(t *testing.T) {
	requests := []corpusCase{
		{name: "version-09", raw: []byte("GET / HTTP/0.9\r\nHost: t\r\n\r\n")},
		{name: "version-01", raw: []byte("GET / HTTP/0.1\r\nHost: t\r\n\r\n")},
		{name: "default-port-host-case", raw: []byte("GET http://a:80/x HTTP/1.1\r\nHost: A\r\n\r\n")},
		{name: "default-port-host-port", raw: []byte("GET http://a:80/x HTTP/1.1\r\nHost: A:80\r\n\r\n")},
	}
	ha, goha := startCorpusSides(t)
	runCorpusOn(t, ha, goha, requests, false, func(c corpusCase) ([]byte, []byte, bool) { return c.raw, nil, false })
	responses := []corpusCase{
		{name: "response-09", raw: []byte("HTTP/0.9 200 OK\r\nContent-Length: 2\r\n\r\nok")},
		{name: "response-09-until-close", raw: []byte("HTTP/0.9 200 OK\r\n\r\nbody")},
	}
	runCorpusOn(t, ha, goha, responses, true, func(c corpusCase) ([]byte, []byte, bool) {
		return []byte("GET /r HTTP/1.1\r\nHost: t\r\n\r\n"), c.raw, true
	})
}
