package haproxycfg

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/goha-lb/goha/internal/haproxytest"
	"github.com/goha-lb/goha/internal/loopback"
	"github.com/goha-lb/goha/proxy"
)

// bytesAnswers are the raw answers of statBytesServer, by path.
var bytesAnswers = map[string]string{
	"/small":   "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello",
	"/chunked": "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5;ext=1\r\nhello\r\n3\r\nabc\r\n0\r\nX-Trailer: t\r\n\r\n",
	"/hdrs":    "HTTP/1.1 200 OK\r\nX-Mixed-Case:    spaced value   \r\nSet-Cookie: a=1\r\nSet-Cookie: b=2\r\nContent-Length: 2\r\n\r\nok",
	"/404":     "HTTP/1.1 404 Not Found\r\nContent-Length: 9\r\n\r\nnot found",
	"/close":   "HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nbody until the close",
	"/http10":  "HTTP/1.0 200 OK\r\nContent-Length: 3\r\n\r\nold",
}

// statBytesServer reads requests (bodies included) and answers each by
// its path; /close closes after its answer.
func statBytesServer(t *testing.T) string {
	return loopback.ServeEach(t, loopback.Listen(t), func(c net.Conn) {
		c.SetDeadline(time.Now().Add(5 * time.Second))
		br := bufio.NewReader(c)
		for {
			req, err := http.ReadRequest(br)
			if err != nil {
				return
			}
			io.Copy(io.Discard, req.Body)
			answer, ok := bytesAnswers[req.URL.Path]
			if !ok {
				answer = bytesAnswers["/small"]
			}
			c.Write([]byte(answer))
			if req.URL.Path == "/close" {
				return
			}
		}
	})
}

// TestStatBytesHTTPMatchesHAProxy: show stat's bin and bout in HTTP mode
// for the frontend, backend and server rows beside HAProxy 2.6.12, after
// requests of various shapes (headers in odd case and spacing, a
// content-length body, a chunked body with an extension and a trailer,
// HEAD, HTTP/1.0, keep-alive and close) and answers of various framings
// (content-length, chunked with trailer, until close, HTTP/1.0, 404),
// the proxy's own page (a deny), a CONNECT tunnel, and HTTP/2 requests.
func TestStatBytesHTTPMatchesHAProxy(t *testing.T) {
	t.Parallel()
	cfg := httpHead + `frontend fe
    bind BIND
    http-request deny if { path /deny }
    default_backend be
backend be
    server s1 ` + statBytesServer(t) + `
`
	ha, goha, _, _, px, sock, base := startSettled(t, cfg)
	gBase := gohaBytes(px)
	reqs := []string{
		"GET /small HTTP/1.1\r\nHost: a\r\n\r\n",
		"GET /hdrs HTTP/1.1\r\nhost:   a  \r\nX-Odd-CASE:\tv \r\nAccept: */*\r\n\r\n",
		"POST /small HTTP/1.1\r\nHost: a\r\nContent-Length: 11\r\n\r\nhello world",
		"POST /chunked HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n4;x=y\r\nabcd\r\n2\r\nef\r\n0\r\nX-T: 1\r\n\r\n",
		"HEAD /small HTTP/1.1\r\nHost: a\r\n\r\n",
		"GET /404 HTTP/1.1\r\nHost: a\r\n\r\n",
		"GET /http10 HTTP/1.0\r\n\r\n",
		"GET /small HTTP/1.1\r\nHost: a\r\n\r\nGET /chunked HTTP/1.1\r\nHost: a\r\n\r\nGET /close HTTP/1.1\r\nHost: a\r\n\r\n",
		"GET /deny HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n",
		"CONNECT t.example:443 HTTP/1.1\r\nHost: t.example:443\r\n\r\nearly tunnel bytes",
	}
	for _, raw := range reqs {
		sameAnswerAtOnce(t, strings.SplitN(raw, "\r\n", 2)[0], ha, goha, raw, 500*time.Millisecond)
		sameStatBytes(t, strings.SplitN(raw, "\r\n", 2)[0], sock, px, base, gBase)
	}
	// HTTP/2 clients: a GET, and a POST with a body.
	for _, body := range []string{"", "h2 body"} {
		method := "GET"
		if body != "" {
			method = "POST"
		}
		var got [2]string
		for i, addr := range []string{ha, goha} {
			got[i] = h2Ask(addr, body, ":method", method, ":scheme", "http", ":path", "/hdrs", ":authority", "a", "x-h2", "v")
		}
		if got[0] != got[1] {
			t.Errorf("h2 %s: the client got\nhaproxy %q\ngoha    %q", method, got[0], got[1])
		}
		sameStatBytes(t, "h2 "+method, sock, px, base, gBase)
	}
}

// gohaBytes is goha's bin and bout by row (fe/FRONTEND, be/BACKEND,
// be/s1).
func gohaBytes(px *proxy.Proxy) map[string][2]int64 {
	out := map[string][2]int64{}
	for _, f := range px.Frontends() {
		out[f.Name+"/FRONTEND"] = [2]int64{f.Stats.BytesIn, f.Stats.BytesOut}
	}
	for _, b := range px.Backends() {
		out[b.Name+"/BACKEND"] = [2]int64{b.Stats.BytesIn, b.Stats.BytesOut}
		for _, s := range b.Servers {
			out[b.Name+"/"+s.Name] = [2]int64{s.Stats.BytesIn, s.Stats.BytesOut}
		}
	}
	return out
}

// sameStatBytes compares what bin and bout grew by since the bases, 50
// ms after an exchange (the sessions' ends); the counters of a session
// that ends later on a loaded machine are read again, every 50 ms, for
// 2 s at most, until both sides agree.
func sameStatBytes(t *testing.T, label, sock string, px *proxy.Proxy, base string, gBase map[string][2]int64) {
	t.Helper()
	var diffs []string
	for deadline := time.Now().Add(2 * time.Second); ; {
		time.Sleep(50 * time.Millisecond)
		if diffs = statBytesDiffs(base, haproxytest.StatsCmd(t, sock, "show stat"), gBase, gohaBytes(px)); len(diffs) == 0 || time.Now().After(deadline) {
			break
		}
	}
	for _, d := range diffs {
		t.Errorf("%s: %s", label, d)
	}
}

// statBytesDiffs lists the rows whose bin and bout grew by other amounts
// since the bases on each side.
func statBytesDiffs(base, stat string, gBase, gNow map[string][2]int64) []string {
	var diffs []string
	before := map[string][2]int64{}
	for _, r := range showStatRows(base) {
		v := r.ints()
		before[r.key()] = [2]int64{v["bin"], v["bout"]}
	}
	for _, r := range showStatRows(stat) {
		k := r.key()
		if _, ok := gNow[k]; !ok {
			continue
		}
		v := r.ints()
		want := [2]int64{v["bin"] - before[k][0], v["bout"] - before[k][1]}
		got := [2]int64{gNow[k][0] - gBase[k][0], gNow[k][1] - gBase[k][1]}
		if want != got {
			diffs = append(diffs, fmt.Sprintf("%s bin/bout: haproxy %v, goha %v", k, want, got))
		}
	}
	return diffs
}
