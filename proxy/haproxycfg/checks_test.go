package haproxycfg

import (
	"testing"
	"time"

	"github.com/goha-lb/goha/proxy/check"
)

// The request line of an HTTP check: the parts `option httpchk` and
// `http-check send` leave out are the defaults table's (OPTIONS / HTTP/1.0,
// as HAProxy 2.6 sends them; proxy/check defaults nothing).
func TestHTTPCheckRequestDefaults(t *testing.T) {
	for lines, want := range map[string]string{
		"option httpchk":                                "OPTIONS / HTTP/1.0\r\n\r\n",
		"option httpchk /health":                        "OPTIONS /health HTTP/1.0\r\n\r\n",
		"option httpchk HEAD /h":                        "HEAD /h HTTP/1.0\r\n\r\n",
		"option httpchk GET /x HTTP/1.1":                "GET /x HTTP/1.1\r\nconnection: close\r\n\r\n",
		"option httpchk\n    http-check send meth HEAD": "HEAD / HTTP/1.0\r\n\r\n",
		"option httpchk\n    http-check send uri /u":    "OPTIONS /u HTTP/1.0\r\n\r\n",
	} {
		p := buildText(t, "defaults\n    mode http\n    timeout connect 1s\n    timeout client 5s\n    timeout server 5s\n"+
			"backend b\n    "+lines+"\n    server s 127.0.0.1:1 check\n")
		if len(p.Checks) != 1 || p.Checks[0].HTTP == nil {
			t.Fatalf("%q: checks %+v", lines, p.Checks)
		}
		if got := string(p.Checks[0].HTTP.Bytes()); got != want {
			t.Errorf("%q: sends %q, want %q", lines, got, want)
		}
	}
}

// A server line with `check` alone gets HAProxy 2.6's values from the
// defaults table (rise 2, fall 3, inter 2s, fastinter and downinter =
// inter, the whole check bounded by inter without `timeout check`);
// proxy/check defaults none of them.
func TestCheckDefaultsFilled(t *testing.T) {
	for server, want := range map[string]check.Target{
		"server s 127.0.0.1:1 check": {Rise: 2, Fall: 3, Intervals: check.Intervals{Inter: 2 * time.Second, FastInter: 2 * time.Second, DownInter: 2 * time.Second},
			Timeouts: check.Timeouts{Connect: 2 * time.Second, Total: 2 * time.Second}},
		"server s 127.0.0.1:1 check inter 5s rise 1": {Rise: 1, Fall: 3, Intervals: check.Intervals{Inter: 5 * time.Second, FastInter: 5 * time.Second, DownInter: 5 * time.Second},
			Timeouts: check.Timeouts{Connect: 5 * time.Second, Total: 5 * time.Second}},
		"server s 127.0.0.1:1 check fastinter 1s downinter 3s": {Rise: 2, Fall: 3, Intervals: check.Intervals{Inter: 2 * time.Second, FastInter: time.Second, DownInter: 3 * time.Second},
			Timeouts: check.Timeouts{Connect: 2 * time.Second, Total: 2 * time.Second}},
	} {
		p := buildText(t, "defaults\n    timeout connect 1s\n    timeout client 5s\n    timeout server 5s\nbackend b\n    "+server+"\n")
		if len(p.Checks) != 1 {
			t.Fatalf("%q: checks %+v", server, p.Checks)
		}
		got := p.Checks[0].Target
		if got.Rise != want.Rise || got.Fall != want.Fall || got.Intervals != want.Intervals || got.Timeouts != want.Timeouts {
			t.Errorf("%q: rise %d fall %d %+v %+v, want rise %d fall %d %+v %+v", server,
				got.Rise, got.Fall, got.Intervals, got.Timeouts, want.Rise, want.Fall, want.Intervals, want.Timeouts)
		}
	}
}

// tune.vars.check-max-size reaches a tcp-check ruleset's probe, capped by
// sess-max-size (proxy/check varlimit.go, TestDifferentialCheckVarLimits).
func TestCheckVarLimitBuilt(t *testing.T) {
	for global, want := range map[string]int64{
		"":                             0,
		"tune.vars.check-max-size 300": 300,
		"tune.vars.sess-max-size 200":  200,
		"tune.vars.check-max-size 300\n    tune.vars.sess-max-size 200": 200,
	} {
		p := buildText(t, "global\n    "+global+"\ndefaults\n    timeout connect 1s\n    timeout client 5s\n    timeout server 5s\n"+
			"backend b\n    option tcp-check\n    tcp-check set-var(check.a) str(x)\n    server s 127.0.0.1:1 check\n")
		if len(p.Checks) != 1 {
			t.Fatalf("%q: checks %+v", global, p.Checks)
		}
		if p.Checks[0].TCP == nil {
			t.Fatalf("%q: no tcp-check probe", global)
		}
		if got := p.Checks[0].TCP.VarLimit; got != want {
			t.Errorf("%q: probe's variable limit %d, want %d", global, got, want)
		}
	}
}
