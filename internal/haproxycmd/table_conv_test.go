package haproxycmd

import (
	"net"
	"net/http"
	"strconv"
	"testing"
	"time"
)

const tableTimeConvCfg = sockHTTPHead + `frontend fe
    bind BIND
    stick-table type ip size 100 expire 30s store http_req_cnt
    http-request track-sc0 src if { path /t }
    http-request return status 200 hdr x-exp "%[src,table_expire(fe)]" hdr x-idle "%[src,table_idle(fe)]" hdr x-expd "%[src,table_expire(fe,-1)]" hdr x-idled "%[src,table_idle(fe,7)]" hdr x-none "%[req.hdr(x-k),table_expire(fe,-5)]" hdr x-zero "%[src,table_idle(noexp,3)]"
backend noexp
    stick-table type ip size 10 store gpc0
`

// TestTableTimeConvertersMatchHAProxy: table_expire and table_idle, with
// and without their default value, on a key the table lacks (the default,
// or no sample) and on one tracked 300ms earlier (the ms left before
// expiry and the ms since it was last touched, within 100ms of
// HAProxy's).
func TestTableTimeConvertersMatchHAProxy(t *testing.T) {
	haBind, goBind, _, _ := tablesPair(t, tableTimeConvCfg)
	hdrs := func(bind string) http.Header {
		tr := &http.Transport{DisableKeepAlives: true, DialContext: (&net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP("127.0.0.5")}}).DialContext}
		resp, err := (&http.Client{Timeout: 5 * time.Second, Transport: tr}).Get("http://" + bind + "/")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.Header
	}
	names := []string{"X-Exp", "X-Idle", "X-Expd", "X-Idled", "X-None", "X-Zero"}
	ha, goha := hdrs(haBind), hdrs(goBind)
	for _, h := range names {
		if ha.Get(h) != goha.Get(h) || len(ha.Values(h)) != len(goha.Values(h)) {
			t.Errorf("before tracking, %s: haproxy %q, goha %q", h, ha.Values(h), goha.Values(h))
		}
	}
	statusFrom(t, "127.0.0.5", haBind, "/t")
	statusFrom(t, "127.0.0.5", goBind, "/t")
	time.Sleep(300 * time.Millisecond)
	ha, goha = hdrs(haBind), hdrs(goBind)
	for _, h := range names {
		if h == "X-None" { // no input sample: no header from either
			if len(ha.Values(h))+len(goha.Values(h)) != 0 {
				t.Errorf("%s: haproxy %q, goha %q", h, ha.Values(h), goha.Values(h))
			}
			continue
		}
		a, errA := strconv.Atoi(ha.Get(h))
		b, errB := strconv.Atoi(goha.Get(h))
		if errA != nil || errB != nil || a-b > 100 || b-a > 100 {
			t.Errorf("after tracking, %s: haproxy %q, goha %q", h, ha.Values(h), goha.Values(h))
		}
	}
	if idle, _ := strconv.Atoi(goha.Get("X-Idle")); idle < 250 || idle > 1000 {
		t.Errorf("goha's table_idle 300ms after the touch: %d", idle)
	}
}
