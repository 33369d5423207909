package haproxycfg

import (
	"reflect"
	"testing"
)

// retries, option redispatch [<interval>] and retry-on reach
// proxy.Backend, inherited from defaults like HAProxy's; retry-on
// conditions other than conn-failure and none are reported (mode http
// only: HAProxy ignores them in mode tcp).
func TestRetryMapping(t *testing.T) {
	p := buildText(t, `defaults
    mode http
    timeout connect 1s
    timeout client 5s
    timeout server 5s
    option redispatch
    retry-on none
backend inherited
    server s 127.0.0.1:1
backend every2
    option redispatch 2
    retry-on conn-failure
    server s 127.0.0.1:1
backend off
    no option redispatch
    retries 1
    retry-on all-retryable-errors
    server s 127.0.0.1:1
backend more
    retry-on conn-failure empty-response 503
    server s 127.0.0.1:1
backend tcp
    mode tcp
    retry-on empty-response
    server s 127.0.0.1:1
`)
	type row struct {
		Retries, Every    int
		Redispatch, NoRet bool
	}
	want := map[string]row{
		"inherited": {3, -1, true, true},
		"every2":    {3, 2, true, false},
		"off":       {1, -1, false, false},
		"more":      {3, -1, true, false},
		"tcp":       {3, -1, true, true},
	}
	for _, be := range p.Proxy.Backends {
		got := row{be.Retries, be.RedispatchEvery, be.Redispatch, be.NoConnRetry}
		if got != want[be.Name] {
			t.Errorf("%s: %+v, want %+v", be.Name, got, want[be.Name])
		}
	}
	wantNotices := []string{
		"goha: [test.cfg:17] : 'retry-on all-retryable-errors' parsed but not supported yet.",
		"goha: [test.cfg:20] : 'retry-on empty-response' parsed but not supported yet.",
		"goha: [test.cfg:20] : 'retry-on 503' parsed but not supported yet.",
	}
	if n := notices(p); !reflect.DeepEqual(n, wantNotices) {
		t.Errorf("notices:\n%q\nwant\n%q", n, wantNotices)
	}
}
