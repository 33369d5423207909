package promex

import (
	"math"
	"strings"
	"testing"
	"time"

	"github.com/goha-lb/goha/proxy"
	"github.com/goha-lb/goha/proxy/runtimeapi"
	"github.com/prometheus/client_golang/prometheus"
)

// TestParseQuery: the query strings HAProxy 2.6 accepts and refuses
// (measured on the Debian binary: 400 for an unknown scope, a scope
// without '=', a value with '=', a bad escape).
func TestParseQuery(t *testing.T) {
	for _, c := range []struct {
		q       string
		scopes  Scope
		noMaint bool
		ok      bool
	}{
		{"", ScopeAll, false, true},
		{"foo=bar", ScopeAll, false, true},
		{"no-maint", ScopeAll, true, true},
		{"scope=global", ScopeGlobal, false, true},
		{"scope=global&scope=server", ScopeGlobal | ScopeServer, false, true},
		{"scope=server&no-maint", ScopeServer, true, true},
		{"scope=", 0, false, true},
		{"scope=global&scope=&scope=backend", ScopeBackend, false, true},
		{"scope=*", ScopeAll, false, true},
		{"scope=listener", ScopeListener, false, true},
		{"scope=sticktable", ScopeSticktable, false, true},
		{"scope=%67lobal", ScopeGlobal, false, true},
		{"scope=frontend#x&scope=backend", ScopeFrontend, false, true},
		{"scope=bogus", 0, false, false},
		{"scope=all", 0, false, false},
		{"scope", 0, false, false},
		{"scope=a=b", 0, false, false},
		{"scope=%zz", 0, false, false},
		{"scope=%6", 0, false, false},
	} {
		s, nm, ok := ParseQuery(c.q)
		if ok != c.ok || (ok && (s != c.scopes || nm != c.noMaint)) {
			t.Errorf("ParseQuery(%q) = %b, %v, %v; want %b, %v, %v", c.q, s, nm, ok, c.scopes, c.noMaint, c.ok)
		}
	}
}

func TestSrvState(t *testing.T) {
	for _, c := range []struct {
		sv   runtimeapi.Server
		want string
	}{
		{runtimeapi.Server{Up: true}, "UP"},
		{runtimeapi.Server{}, "DOWN"},
		{runtimeapi.Server{Up: true, Drain: true}, "DRAIN"},
		{runtimeapi.Server{Up: true, Stopping: true}, "NOLB"},
		{runtimeapi.Server{Up: true, Maint: true}, "MAINT"},
		{runtimeapi.Server{ConfigDisabled: true}, "MAINT"},
	} {
		if got := srvState(&c.sv); got != c.want {
			t.Errorf("%+v: %s, want %s", c.sv, got, c.want)
		}
	}
}

func TestMetricsTable(t *testing.T) {
	if len(metrics) != 130 {
		t.Errorf("%d metrics rows", len(metrics))
	}
	for _, m := range metrics {
		if strings.HasSuffix(m.name, "_total") != (m.typ == prometheus.CounterValue) && m.name != "pipes_used_total" &&
			m.name != "pipes_free_total" && m.name != "failed_resolutions" {
			t.Errorf("%s: type %v", m.name, m.typ)
		}
	}
}

func snapshot() Snapshot {
	return Snapshot{
		Info: runtimeapi.Info{Version: "2.6.12", Nbthread: 2, Maxconn: 100, CumReq: 7, StartTime: time.Unix(1000, 0)},
		Proxies: []runtimeapi.Proxy{
			{Name: "fe", ID: 2, HTTP: true, Frontend: &runtimeapi.Frontend{Counters: runtimeapi.Counters{
				ReqTot: 5, HRsp: [6]int64{0, 4, 0, 1, 0, 0}, Intercepted: 2}}},
			{Name: "tcp", ID: 3, Frontend: &runtimeapi.Frontend{}},
			{Name: "be", ID: 4, HTTP: true, Backend: &runtimeapi.Backend{Counters: runtimeapi.Counters{QTime: 1500},
				Servers: []runtimeapi.Server{
					{Name: "a", ID: 1, Up: true, Weight: 1, Counters: runtimeapi.Counters{HRsp: [6]int64{0, 3}},
						Check: &runtimeapi.Check{Status: "L7STS", Code: 503, Duration: 5 * time.Millisecond}},
					{Name: "b", ID: 2, Maint: true, Weight: 1},
				}}},
		},
	}
}

// TestRender: values, labels and the scope and no-maint filters on a
// fixed snapshot, as the exposition format prints them.
func TestRender(t *testing.T) {
	for _, c := range []struct {
		scopes      Scope
		noMaint     bool
		want, never []string
	}{
		{ScopeGlobal, false, []string{
			"# HELP haproxy_process_nbthread Number of started threads (global.nbthread)\n# TYPE haproxy_process_nbthread gauge\nhaproxy_process_nbthread 2\n",
			"haproxy_process_requests_total 7\n", `haproxy_process_build_info{version="2.6.12"} 1`,
			"haproxy_process_start_time_seconds 1000\n", "haproxy_process_current_zlib_memory NaN\n",
		}, []string{"haproxy_frontend_"}},
		{ScopeFrontend, false, []string{
			`haproxy_frontend_http_requests_total{proxy="fe"} 5`, `haproxy_frontend_http_responses_total{code="4xx",proxy="fe"} 1`,
			`haproxy_frontend_intercepted_requests_total{proxy="fe"} 2`, `haproxy_frontend_status{proxy="tcp",state="UP"} 1`,
			`haproxy_frontend_sessions_total{proxy="tcp"} 0`,
		}, []string{`haproxy_frontend_http_requests_total{proxy="tcp"}`, "haproxy_process_", "haproxy_backend_"}},
		{ScopeBackend, false, []string{
			`haproxy_backend_queue_time_average_seconds{proxy="be"} 1.5`,
			`haproxy_backend_agg_server_status{proxy="be",state="MAINT"} 1`,
			`haproxy_backend_agg_check_status{proxy="be",state="L7STS"} 1`,
		}, []string{"haproxy_server_"}},
		{ScopeServer, false, []string{
			`haproxy_server_status{proxy="be",server="b",state="MAINT"} 1`,
			`haproxy_server_check_status{proxy="be",server="a",state="L7STS"} 1`,
			`haproxy_server_check_code{proxy="be",server="a"} 503`,
			`haproxy_server_check_duration_seconds{proxy="be",server="a"} 0.005`,
			`haproxy_server_http_responses_total{code="2xx",proxy="be",server="a"} 3`,
			`haproxy_server_limit_sessions{proxy="be",server="a"} NaN`,
		}, []string{`server="b",state="L`, `haproxy_server_http_requests_total`}},
		{ScopeServer, true, []string{`haproxy_server_status{proxy="be",server="a",state="UP"} 1`}, []string{`server="b"`}},
		{0, false, nil, []string{"haproxy_"}},
	} {
		b, err := Render(snapshot(), c.scopes, c.noMaint)
		if err != nil {
			t.Fatal(err)
		}
		out := string(b)
		for _, w := range c.want {
			if !strings.Contains(out, w) {
				t.Errorf("scopes %b no-maint %v: no %q in\n%s", c.scopes, c.noMaint, w, out)
			}
		}
		for _, n := range c.never {
			if strings.Contains(out, n) {
				t.Errorf("scopes %b no-maint %v: %q in\n%s", c.scopes, c.noMaint, n, out)
			}
		}
	}
}

type fakeSource struct{ s Snapshot }

func (f fakeSource) Info() runtimeapi.Info     { return f.s.Info }
func (f fakeSource) Stats() []runtimeapi.Proxy { return f.s.Proxies }

func TestServe(t *testing.T) {
	e := New()
	if r := e.Serve(&proxy.ServiceRequest{Path: "/metrics"}); r.Status != 503 || !r.ErrorPage {
		t.Errorf("no source: %+v", r)
	}
	e.SetSource(fakeSource{snapshot()})
	r := e.Serve(&proxy.ServiceRequest{Path: "/metrics", Query: "scope=global"})
	if r.Status != 200 || !r.Chunked || len(r.Headers) != 2 || r.Headers[1].Value != "text/plain; version=0.0.4" ||
		!strings.Contains(string(r.Body), "haproxy_process_nbthread 2") {
		t.Errorf("%+v", r)
	}
	if r := e.Serve(&proxy.ServiceRequest{Query: "scope=x"}); r.Status != 400 || !r.ErrorPage {
		t.Errorf("bad scope: %+v", r)
	}
	if math.IsNaN(number("")) != true || number("12") != 12 {
		t.Error("number")
	}
}
