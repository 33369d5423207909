package proxy

import (
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/goha-lb/goha/proxy/stick"
)

// rateAbove is `{ sc_http_req_rate(0) gt n }` without the ACL engine.
type rateAbove uint64

func (n rateAbove) Match(r *RequestInfo) bool {
	ref, ok := r.Tracked(0)
	if !ok {
		return false
	}
	v, ok := ref.Value(stick.HTTPReqRate, 0, StickNow())
	return ok && v > uint64(n)
}

// trackSrc adds HAProxy's rate-limit example to the frontend: a table of
// source addresses, `http-request track-sc0 src` and a deny when the
// rate passes limit.
func trackSrc(tb testing.TB, cfg *Config, limit uint64) *stick.Table {
	t, err := stick.New(stick.Config{Name: "fe", Key: stick.KeyIP, Size: 100 << 10, Expire: 30000,
		Stores: []stick.Store{{Type: stick.HTTPReqRate, Period: 10000}, {Type: stick.ConnCur}, {Type: stick.GPC0}}})
	if err != nil {
		tb.Fatal(err)
	}
	cfg.Tables = append(cfg.Tables, t)
	fe := cfg.Frontends[0]
	fe.Table = t
	key := func(r *RequestInfo) ([]byte, bool) {
		k, err := t.Config().KeyFromAddr(r.Src.Addr())
		return k, err == nil
	}
	fe.RequestRules = append([]HeaderRule{
		{Action: TrackSC, Stick: &StickRule{SC: 0, Table: t, Key: key}},
		{Action: Deny, Status: 429, Cond: rateAbove(limit)},
	}, fe.RequestRules...)
	return t
}

// BenchmarkHTTPKeepAliveTracked is BenchmarkHTTPKeepAlive with every
// request tracked and its rate checked: the cost of rate limiting.
func BenchmarkHTTPKeepAliveTracked(b *testing.B) {
	benchmarkKeepAlive(b, "hello world\n", func(c *Config) { trackSrc(b, c, 1<<40) })
}

// A tracked request counts on its entry and releases it when it ends.
func TestTrackedRequestCounts(t *testing.T) {
	be := textBackend(t, "ok")
	cfg := keepAliveCfg(be.addr)
	tb := trackSrc(t, cfg, 2)
	_, addr := startProxy(t, cfg)
	var got []string
	for range 4 {
		c := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
		resp, err := c.Get("http://" + addr + "/")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		got = append(got, strconv.Itoa(resp.StatusCode))
	}
	if want := "200 200 429 429"; strings.Join(got, " ") != want {
		t.Fatalf("statuses %q, want %q", got, want)
	}
	// The last request's entry is released once it is logged, just
	// after its response: wait (bounded) for that.
	var out string
	for i := 0; i < 100; i++ {
		if out = string(tb.AppendEntries(nil, nil, nil, StickNow())); contains(out, "use=0 ") {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	for _, w := range []string{"key=127.0.0.1 use=0 ", " gpc0=0 conn_cur=0 http_req_rate(10000)=4\n"} {
		if !contains(out, w) {
			t.Fatalf("table %q lacks %q", out, w)
		}
	}
}

// An HTTP/2 stream runs the frontend's track-sc and rate rules as an
// HTTP/1 request does: a rate limit must not let HTTP/2 clients through.
func TestTrackedH2Streams(t *testing.T) {
	be := textBackend(t, "ok")
	cfg := keepAliveCfg(be.addr)
	cfg.Frontends[0].H2 = map[string]bool{"127.0.0.1:0": true}
	trackSrc(t, cfg, 2)
	_, addr := startProxy(t, cfg)
	var prot http.Protocols
	prot.SetUnencryptedHTTP2(true)
	tr := &http.Transport{Protocols: &prot, MaxConnsPerHost: 1}
	defer tr.CloseIdleConnections()
	c := &http.Client{Transport: tr, Timeout: 5 * time.Second}
	var got []string
	for range 4 {
		resp, err := c.Get("http://" + addr + "/")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.ProtoMajor != 2 {
			t.Fatalf("%s, want HTTP/2", resp.Proto)
		}
		got = append(got, strconv.Itoa(resp.StatusCode))
	}
	if want := "200 200 429 429"; strings.Join(got, " ") != want {
		t.Fatalf("statuses %q, want %q", got, want)
	}
}
