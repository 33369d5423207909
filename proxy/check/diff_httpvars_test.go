package check

import (
	"bytes"
	"cmp"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/goha-lb/goha/internal/loopback"
	"github.com/goha-lb/goha/internal/testenv"
	"github.com/goha-lb/goha/parser/haproxy"
)

// httpProbeFromLines builds goha's HTTP probe for `option httpchk` and
// http-check lines the way proxy/haproxycfg's httpCheck does (variable
// steps before the send, comment lines labelling the expects after them).
func httpProbeFromLines(t *testing.T, lines []string) HTTPProbe {
	t.Helper()
	p := HTTPProbe{Request: defaultRequest}
	comment, prev := "", haproxy.StepComment
	for _, l := range lines {
		w := cfgWords(l)
		if w[0] != "http-check" {
			continue
		}
		st := haproxy.ParseHTTPCheckStep(haproxy.Pos{}, w)
		if st.Invalid != "" {
			t.Fatalf("%s: %s", l, st.Invalid)
		}
		if st.Kind != prev && prev != haproxy.StepComment {
			comment = ""
		}
		prev = st.Kind
		switch st.Kind {
		case haproxy.StepComment:
			comment = st.Comment
		case haproxy.StepSetVar:
			if err := p.Request.AddVarStep(st.Var); err != nil {
				t.Fatalf("%s: %v", l, err)
			}
		case haproxy.StepSend:
			if err := p.Request.ApplySend(st.Send); err != nil {
				t.Fatalf("%s: %v", l, err)
			}
		case haproxy.StepExpect:
			e, err := NewExpect(st.Expect)
			if err != nil {
				t.Fatalf("%s: %v", l, err)
			}
			e.Comment = cmp.Or(st.Comment, comment)
			p.Expects = append(p.Expects, e)
		}
	}
	return p
}

// TestDifferentialHTTPCheckVars runs HTTP checks with check variables,
// log-format send parts (uri-lf, hdr values, body-lf) and comments under
// the real haproxy and goha: the requests the servers received and the
// DOWN lines (comments in their info) must match.
func TestDifferentialHTTPCheckVars(t *testing.T) {
	testenv.LookPath(t, "haproxy")
	unavailable := startRaw(t, "HTTP/1.1 503 Nope\r\nContent-Length: 5\r\n\r\nhello", false)
	ok := startRaw(t, "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello", false)
	bad := startRaw(t, "HTTP/1.1 500 Bad\r\nContent-Length: 5\r\n\r\nhello", false)
	scenarios := []httpScenario{
		{"vars", []string{"option httpchk", "http-check comment c-top", "http-check set-var(check.x) str(abc)",
			`http-check set-var-fmt(check.y) "y-%[var(check.x),upper]"`, "http-check unset-var(check.z)",
			`http-check send meth GET uri-lf "/p/%[var(check.x)]" hdr X-A "%[var(check.y)]" hdr X-B "v%[var(check.none)]w" body-lf "b=%[var(check.x)]"`,
			"http-check expect status 200"}, unavailable},
		{"cmtbody", []string{"option httpchk", "http-check send meth GET uri /x", "http-check comment c-exp", "http-check expect string nope"}, ok},
		{"cmtinline", []string{"option httpchk", "http-check expect comment c-inline status 200"}, bad},
		{"cmtchain", []string{"option httpchk", "http-check comment c-two", "http-check expect status 200-499", "http-check expect status 200"}, bad},
	}
	wantReq := compareHTTPChecks(t, scenarios)
	if !bytes.Contains(wantReq["vars"], []byte("x-a: y-ABC")) {
		t.Errorf("haproxy did not build the variables: %q", wantReq["vars"])
	}
}

// TestDifferentialHTTPExpectOptions: the reporting options of http-check
// expect (ok-status, error-status, on-success, on-error, before or after
// the match) under the real haproxy and goha: the same check lines, the
// same server states (an L7OKC error-status is a conditional pass that
// brings a DOWN server up, then drains it).
func TestDifferentialHTTPExpectOptions(t *testing.T) {
	testenv.LookPath(t, "haproxy")
	ok := startRaw(t, "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello", false)
	bad := startRaw(t, "HTTP/1.1 500 Bad\r\nContent-Length: 5\r\n\r\nhello", false)
	hc := "option log-health-checks"
	compareHTTPChecks(t, []httpScenario{
		{"errokc", []string{"option httpchk", hc, "http-check expect status 200 error-status L7OKC"}, bad},
		{"onerror", []string{"option httpchk", hc, `http-check expect status 200 on-error "bad one" comment cc`}, bad},
		{"onsuccess", []string{"option httpchk", hc, `http-check expect on-success "fine" status 200`}, ok},
		{"okstatus", []string{"option httpchk", hc, "http-check expect ok-status L7OKC status 200"}, ok},
		{"l4con", []string{"option httpchk", hc, "http-check expect status 200 error-status L4CON"}, bad},
		{"bodyerr", []string{"option httpchk", hc, "http-check expect string nope error-status L7STS on-error nobody"}, ok},
		{"lastwins", []string{"option httpchk", hc, "http-check expect status 200 on-success first", "http-check expect string hello on-success second"}, ok},
	})
}

// httpScenario is one backend of compareHTTPChecks.
type httpScenario struct {
	name  string
	lines []string
	srv   *rawServer
}

// compareHTTPChecks runs the scenarios' backends under the real haproxy,
// then under goha's runner, and compares the check log lines (durations
// normalised) and the first request each server received; it returns
// HAProxy's requests.
func compareHTTPChecks(t *testing.T, scenarios []httpScenario) map[string][]byte {
	t.Helper()
	var cfg strings.Builder
	fmt.Fprintf(&cfg, "global\n    log stdout format raw local0\ndefaults\n    mode http\n    log global\n    timeout connect 1s\n    timeout client 5s\n    timeout server 5s\n")
	var targets []*Target
	for _, sc := range scenarios {
		fmt.Fprintf(&cfg, "backend %s\n", sc.name)
		for _, l := range sc.lines {
			fmt.Fprintf(&cfg, "    %s\n", l)
		}
		fmt.Fprintf(&cfg, "    server s1 %s check inter 300\n", sc.srv.addr())
		targets = append(targets, &Target{Backend: sc.name, Server: "s1", Addr: sc.srv.addr(), Rise: 2, Fall: 3,
			Intervals: sameIntervals(300 * time.Millisecond), Prober: httpProbeFromLines(t, sc.lines),
			LogHealthChecks: slices.Contains(sc.lines, "option log-health-checks"),
			Timeouts:        CheckTimeouts(300*time.Millisecond, 0, 0)})
	}
	fmt.Fprintf(&cfg, "frontend fe\n    bind %s\n    default_backend %s\n", loopback.FreeAddr(t), scenarios[0].name)

	first := func() map[string][]byte {
		out := map[string][]byte{}
		for _, sc := range scenarios {
			sc.srv.mu.Lock()
			if len(sc.srv.got) > 0 {
				out[sc.name] = bytes.Clone(sc.srv.got[0])
			}
			sc.srv.got = nil
			sc.srv.mu.Unlock()
		}
		return out
	}
	const window = 1500 * time.Millisecond
	want := runHAProxyLines(t, cfg.String(), window)
	wantReq := first()

	got := runGohaLines(t, targets, window)
	gotReq := first()

	norm := func(lines []string) string { return strings.Join(normCheckLines(lines), "\n") }
	if w, g := norm(want), norm(got); w != g {
		t.Errorf("haproxy:\n%s\n\ngoha:\n%s", w, g)
	}
	if !strings.Contains(norm(want), "Health check") && !strings.Contains(norm(want), " is DOWN") {
		t.Errorf("haproxy logged no check line:\n%s", norm(want))
	}
	for _, sc := range scenarios {
		if !bytes.Equal(wantReq[sc.name], gotReq[sc.name]) {
			t.Errorf("%s: server received\nhaproxy %q\ngoha    %q", sc.name, wantReq[sc.name], gotReq[sc.name])
		}
	}
	return wantReq
}
