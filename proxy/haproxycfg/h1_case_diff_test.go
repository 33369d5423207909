package haproxycfg

import (
	"bytes"
	"errors"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/goha-lb/goha/internal/loopback"
	"github.com/goha-lb/goha/internal/testenv"
	"github.com/goha-lb/goha/parser/haproxy"
	"github.com/goha-lb/goha/proxy/internal/difftest"
)

// caseRecorder is an HTTP/1.1 server that keeps each request's raw bytes
// by its first line and answers by path: /chunk with a chunked body and
// a trailer, anything else with a fixed-length body, names in mixed case.
type caseRecorder struct {
	mu   sync.Mutex
	seen map[string][]string
}

func startCaseRecorder(t *testing.T) (*caseRecorder, string) {
	r := &caseRecorder{seen: map[string][]string{}}
	addr := loopback.ServeEach(t, loopback.Listen(t), func(c net.Conn) {
		var buf []byte
		tmp := make([]byte, 4096)
		for {
			c.SetReadDeadline(time.Now().Add(5 * time.Second))
			n, err := c.Read(tmp)
			buf = append(buf, tmp[:n]...)
			msgs, rest, serr := difftest.SplitMessages(buf, false)
			if serr != nil && !errors.Is(serr, difftest.ErrShort) {
				return
			}
			buf = append([]byte(nil), rest...)
			for _, m := range msgs {
				first, _, _ := bytes.Cut(m.Raw, []byte("\r\n"))
				r.mu.Lock()
				r.seen[string(first)] = append(r.seen[string(first)], string(m.Raw))
				r.mu.Unlock()
				resp := "HTTP/1.1 200 OK\r\nX-FOO: a\r\ncontent-LENGTH: 2\r\nContent-Type: text/plain\r\nX-Other: b\r\n\r\nok"
				if bytes.Contains(first, []byte("/chunk")) {
					resp = "HTTP/1.1 200 OK\r\nX-Foo: a\r\nTransfer-Encoding: chunked\r\nTrailer: x-trailer\r\n\r\n2\r\nok\r\n0\r\nX-TRAILER: t\r\n\r\n"
				}
				if _, err := c.Write([]byte(resp)); err != nil {
					return
				}
			}
			if err != nil {
				return
			}
		}
	})
	return r, addr
}

// take removes and returns the requests received with that first line.
func (r *caseRecorder) take(first string) []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	v := r.seen[first]
	delete(r.seen, first)
	return v
}

// dump is every request received, sorted by first line, then bytes.
func (r *caseRecorder) dump() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var keys []string
	for k := range r.seen {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	for _, k := range keys {
		vs := append([]string(nil), r.seen[k]...)
		sort.Strings(vs) // the two frontends' requests come in any order
		for _, v := range vs {
			b.WriteString(v + "\n--\n")
		}
	}
	return b.String()
}

const h1CaseConfig = `global
    h1-case-adjust content-length Content-Length
    h1-case-adjust x-foo X-Foo
    h1-case-adjust connection CONNECTION
    h1-case-adjust Content-Type Content-Type
    h1-case-adjust-file CASEFILE
defaults
    mode http
    timeout connect 2s
    timeout client 3s
    timeout server 3s
frontend fe
    bind FE
    option h1-case-adjust-bogus-client
    option forwardfor
    http-response set-header x-added 1
    http-request deny if { path /deny }
    http-request redirect location /x if { path /redir }
    http-request return status 200 content-type text/plain hdr x-foo r string ret if { path /ret }
    default_backend be
frontend plain
    bind PLAIN
    default_backend be2
backend be
    option h1-case-adjust-bogus-server
    option httpchk
    http-check send meth GET uri /chk ver HTTP/1.1 hdr Host h hdr x-foo 1 body b
    server s1 REC check inter 60s
backend be2
    server s1 REC
`

// TestH1CaseAdjustMatchesHAProxy: h1-case-adjust and h1-case-adjust-file
// pairs applied by option h1-case-adjust-bogus-client (responses, the
// proxy's own HTX pages, trailers, the connection header HAProxy adds)
// and option h1-case-adjust-bogus-server (requests, trailers, the health
// check); not to the page of a request the H1 parser refuses, not on a
// frontend and backend without the options, not to an HTTP/2 client.
// Compared: the bytes each client gets and those the server gets.
func TestH1CaseAdjustMatchesHAProxy(t *testing.T) {
	t.Parallel()
	testenv.LookPath(t, "haproxy")
	caseFile := filepath.Join(t.TempDir(), "case.txt")
	if err := os.WriteFile(caseFile, []byte("# names\n\n  x-trailer   X-Trailer  \n\thost\tHOST\t\nx-forwarded-for X-Forwarded-For\nx-added X-ADDED\nlocation Location\ncache-control Cache-Control\ntransfer-encoding Transfer-Encoding\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	type side struct {
		fe, plain string
		rec       *caseRecorder
	}
	mk := func() (side, string) {
		var s side
		var rec string
		s.rec, rec = startCaseRecorder(t)
		s.fe, s.plain = loopback.FreeAddr(t), loopback.FreeAddr(t)
		return s, strings.NewReplacer("CASEFILE", caseFile, "REC", rec, "FE", s.fe, "PLAIN", s.plain).Replace(h1CaseConfig)
	}
	ha, cfg := mk()
	difftest.StartHAProxy(t, cfg, ha.fe)
	goha, cfg := mk()
	runPlan(t, cfg)

	for _, c := range []struct{ name, raw string }{
		{"get", "GET / HTTP/1.1\r\nHost: a\r\nX-FOO: b\r\nContent-Length: 0\r\n\r\n"},
		{"chunked", "POST /chunk HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n1\r\na\r\n0\r\nx-trailer: q\r\n\r\n"},
		{"http/1.0 keep-alive", "GET /10 HTTP/1.0\r\nHost: a\r\nConnection: keep-alive\r\n\r\n"},
		{"close", "GET /close HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n"},
		{"deny", "GET /deny HTTP/1.1\r\nHost: a\r\n\r\n"},
		{"redirect", "GET /redir HTTP/1.1\r\nHost: a\r\n\r\n"},
		{"return", "GET /ret HTTP/1.1\r\nHost: a\r\n\r\n"},
		{"bad header", "GET /bad HTTP/1.1\r\nHost: a\r\nBad Header: x\r\n\r\n"},
		{"pri", "PRI * HTTP/2.0\r\n\r\n"},
	} {
		var out [4]string
		var wg sync.WaitGroup
		for i, addr := range []string{ha.fe, goha.fe, ha.plain, goha.plain} {
			wg.Go(func() { out[i] = rawExchange(t, addr, c.raw) })
		}
		wg.Wait()
		if out[0] != out[1] {
			t.Errorf("%s: client\nhaproxy: %q\ngoha:    %q", c.name, out[0], out[1])
		}
		if out[2] != out[3] {
			t.Errorf("%s (no options): client\nhaproxy: %q\ngoha:    %q", c.name, out[2], out[3])
		}
	}
	for _, s := range []side{ha, goha} {
		cl := h2Client(t, testPKI{}, s.fe, false)
		req, _ := http.NewRequest("GET", "http://h/h2", nil)
		req.Header.Set("x-foo", "h2")
		resp, err := cl.Do(req)
		if err != nil || resp.ProtoMajor != 2 {
			t.Fatalf("h2 client: %v", err)
		}
		resp.Body.Close()
	}
	// The first health check has long been sent. In-process goha runs
	// no checks: HAProxy's is compared with the request goha's plan
	// sends (check.ProbeRequest.Bytes).
	gotRec := goha.rec.dump()
	haCheck := ha.rec.take("GET /chk HTTP/1.1")
	if len(haCheck) != 1 || !strings.Contains(haCheck[0], "\r\nHOST: h\r\nX-Foo: 1\r\nContent-Length: 1\r\n") {
		t.Errorf("haproxy's check: %q", haCheck)
	} else {
		res := haproxy.CheckBytes("case.cfg", []byte(cfg), nil)
		plan := Build(res.Config)
		if len(plan.Checks) != 1 || plan.Checks[0].HTTP == nil {
			t.Fatalf("goha's checks: %+v", plan.Checks)
		}
		if got := string(plan.Checks[0].HTTP.Bytes()); got != haCheck[0] {
			t.Errorf("check\nhaproxy: %q\ngoha:    %q", haCheck[0], got)
		}
	}
	// what HAProxy's server saw, its check taken out
	if wantRec := ha.rec.dump(); wantRec != gotRec {
		t.Errorf("server\nhaproxy:\n%s\ngoha:\n%s", wantRec, gotRec)
	}
}
