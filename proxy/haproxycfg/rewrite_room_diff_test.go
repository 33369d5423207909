package haproxycfg

import (
	"bufio"
	"bytes"
	"fmt"
	"net"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/goha-lb/goha/internal/haproxytest"
	"github.com/goha-lb/goha/internal/loopback"
)

// TestRewriteRoomDifferential: replace-header, replace-value, set-path,
// set-query, set-uri, replace-path and set-method rewrite a block already
// in HAProxy's buffer; each fails when the request no longer fits (500,
// PR, wrew and eint counted), or is skipped and counted after
// strict-mode off. For each rule the boundary is measured on HAProxy
// (the largest field x-a with which the rewrite still succeeds), then
// both proxies get that size and the next: bytes, log lines, and at the
// end wrew/eint/hrsp_5xx in show stat.
func TestRewriteRoomDifferential(t *testing.T) {
	grow := strings.Repeat("g", 2000) // more than tune.maxrewrite, which the receive keeps free
	cfg := httplogFrontend + `    http-request strict-mode off if { url_beg /off }
    http-request replace-header x-b ^(.*)$ \1` + grow + ` if { path_end /rh }
    http-request replace-value x-b ^(.*)$ \1` + grow + ` if { path_end /rv }
    http-request set-path /` + grow + ` if { path_end /sp }
    http-request set-query ` + grow + ` if { path_end /sq }
    http-request set-uri /` + grow + ` if { path_end /su }
    http-request replace-path (.*) \1` + grow + ` if { path_end /rp }
    http-request set-method M` + grow + ` if { path_end /sm }
    http-request return status 200 content-type text/plain lf-string "p=%[path,length] q=%[query,length] b=%[req.hdr(x-b),length]"
`
	ha, goha, haLog, goLog, px, sock, base := startSettled(t, cfg)
	req := func(path string, n int) string {
		if strings.HasPrefix(path, "/body") {
			// a body sent with the head takes room too
			return "POST " + path + " HTTP/1.1\r\nHost: h\r\nx-a: " + strings.Repeat("a", n) +
				"\r\nx-b: 1, 2\r\nContent-Length: 3000\r\nConnection: close\r\n\r\n" + strings.Repeat("d", 3000)
		}
		if strings.HasPrefix(path, "/chunk") {
			return "POST " + path + " HTTP/1.1\r\nHost: h\r\nx-a: " + strings.Repeat("a", n) +
				"\r\nx-b: 1, 2\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\nbb8\r\n" +
				strings.Repeat("d", 3000) + "\r\n0\r\n\r\n"
		}
		return "GET " + path + " HTTP/1.1\r\nHost: h\r\nx-a: " + strings.Repeat("a", n) +
			"\r\nx-b: 1, 2\r\nConnection: close\r\n\r\n"
	}
	// fits is whether HAProxy's rewrite of path succeeds with n bytes of
	// x-a; probes500 counts the 500s it answered while searching.
	probes500 := int64(0)
	fits := func(path string, n int) bool {
		got, _ := exchangeFrom(t, "", ha, req(path, n), time.Second)
		nextLine(t, haLog, "haproxy")
		if bytes.HasPrefix(got, []byte("HTTP/1.1 500")) {
			probes500++
		}
		return bytes.HasPrefix(got, []byte("HTTP/1.1 200"))
	}
	for _, path := range []string{"/rh", "/rv", "/sp", "/sq", "/su", "/rp", "/sm", "/body/rh", "/body/sp", "/chunk/rh"} {
		lo := haproxyBoundary(t, path+" x-a", 1000, 16300, func(n int) bool { return fits(path, n) })
		for _, c := range []struct {
			path string
			n    int
		}{{path, lo}, {path, lo + 1}, {"/off" + path, lo + 1}} {
			label := fmt.Sprintf("%s %d", c.path, c.n)
			sameAnswer(t, label, ha, goha, req(c.path, c.n), time.Second)
			sameLogLines(t, label, haLog, goLog, 1)
		}
	}
	fe := px.Frontends()[0].Stats
	sameStatDeltas(t, base, haproxytest.StatsCmd(t, sock, "show stat"), []statCounter{
		{"fe/FRONTEND", "wrew", fe.WRew}, {"fe/FRONTEND", "eint", fe.EInt}, {"fe/FRONTEND", "hrsp_5xx", fe.HRsp5xx},
	}, func(statCounter) int64 { return probes500 }, true)
}

// TestResponseRewriteRoomDifferential: http-response and
// http-after-response replace-header, replace-value and set-status on
// the server's response, measured and compared as the request's
// (TestRewriteRoomDifferential): the field x-a the server sends is sized
// by the path's last part. A failure in strict mode gets the 500 page,
// logged PH; after strict-mode off the rewrite is skipped, except
// set-status's, which HAProxy 2.6.12 fails strictly even after
// http-request strict-mode off. Compared: the
// bytes, the log lines, and wrew/eint/hrsp_5xx of the frontend, backend
// and server.
func TestResponseRewriteRoomDifferential(t *testing.T) {
	grow := strings.Repeat("g", 2000)
	cfg := strings.ReplaceAll(httplogFrontend+`    http-request set-var(txn.p) path
    http-request strict-mode off if { path_beg /roff }
    http-response strict-mode off if { var(txn.p) -m beg /off }
    http-response replace-header x-a ^(.*)$ \1GROW if { var(txn.p) -m sub /rh/ }
    http-response set-status 203 reason GROW if { var(txn.p) -m sub /ss/ }
    http-after-response strict-mode off if { var(txn.p) -m beg /aoff }
    http-after-response replace-value x-a ^(.*)$ \1GROW if { var(txn.p) -m sub /arv/ }
    http-after-response set-status 203 reason GROW if { var(txn.p) -m sub /ass/ } { status 200 }
    default_backend be
backend be
    server s1 SRV
`, "GROW", grow)
	cfg = strings.ReplaceAll(cfg, "SRV", bigHeaderServer(t))
	ha, goha, haLog, goLog, px, sock, base := startSettled(t, cfg)
	req := func(path string) string {
		return "GET " + path + " HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n"
	}
	probes500, probes502 := int64(0), int64(0) // the 502s: a response too big to parse
	fits := func(path string) bool {
		got, _ := exchangeFrom(t, "", ha, req(path), time.Second)
		nextLine(t, haLog, "haproxy")
		if bytes.HasPrefix(got, []byte("HTTP/1.1 500")) {
			probes500++
		}
		if bytes.HasPrefix(got, []byte("HTTP/1.1 502")) {
			probes502++
		}
		return bytes.HasPrefix(got, []byte("HTTP/1.1 20"))
	}
	for _, kind := range []string{"/rh/", "/ss/", "/arv/", "/ass/"} {
		lo := haproxyBoundary(t, kind+" x-a", 1000, 16300, func(n int) bool { return fits(kind + strconv.Itoa(n)) })
		off := "/off"
		if strings.HasPrefix(kind, "/a") {
			off = "/aoff"
		}
		n := strconv.Itoa(lo + 1)
		for _, p := range []string{kind + strconv.Itoa(lo), kind + n, off + kind + n, "/roff" + kind + n} {
			sameAnswer(t, p, ha, goha, req(p), time.Second)
			sameLogLines(t, p, haLog, goLog, 1)
		}
	}
	fe, be := px.Frontends()[0].Stats, px.Backends()[0]
	srv := be.Servers[0].Stats
	sameStatDeltas(t, base, haproxytest.StatsCmd(t, sock, "show stat"), []statCounter{
		{"fe/FRONTEND", "wrew", fe.WRew}, {"fe/FRONTEND", "eint", fe.EInt}, {"fe/FRONTEND", "hrsp_5xx", fe.HRsp5xx},
		{"be/BACKEND", "wrew", be.Stats.WRew}, {"be/BACKEND", "eint", be.Stats.EInt},
		{"be/s1", "wrew", srv.WRew}, {"be/s1", "eint", srv.EInt},
	}, func(c statCounter) int64 { // the searches' answers
		if c.col == "hrsp_5xx" {
			return probes500 + probes502
		}
		return probes500
	}, true)
}

// chunkedBodyServer is bigHeaderServer with a chunked body of 3000 bytes
// sent with the head, in one write.
func chunkedBodyServer(t *testing.T) string {
	t.Helper()
	return loopback.ServeEach(t, loopback.Listen(t), func(c net.Conn) {
		r := bufio.NewReader(c)
		line, err := r.ReadString('\n')
		if err != nil {
			return
		}
		for {
			l, err := r.ReadString('\n')
			if err != nil || l == "\r\n" {
				break
			}
		}
		f := strings.Fields(line)
		n, _ := strconv.Atoi(f[1][strings.LastIndexByte(f[1], '/')+1:])
		fmt.Fprintf(c, "HTTP/1.1 200 OK\r\nx-a: %s\r\nTransfer-Encoding: chunked\r\n\r\nbb8\r\n%s\r\n0\r\n\r\n",
			strings.Repeat("a", n), strings.Repeat("d", 3000))
	})
}

// TestChunkedResponseRoomDifferential: the data of a chunked body that
// came with the head takes room from the http-response rewrites, without
// its framing. The boundary is measured on HAProxy, then both proxies get
// it and the next size: bytes and log lines.
func TestChunkedResponseRoomDifferential(t *testing.T) {
	cfg := strings.ReplaceAll(httplogFrontend+`    http-response replace-header x-a ^(.*)$ \1GROW
    default_backend be
backend be
    server s1 SRV
`, "GROW", strings.Repeat("g", 2000))
	cfg = strings.ReplaceAll(cfg, "SRV", chunkedBodyServer(t))
	ha, goha, haLog, goLog := startBothLogged(t, cfg)
	req := func(n int) string {
		return "GET /" + strconv.Itoa(n) + " HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n"
	}
	fits := func(n int) bool {
		got, _ := exchangeFrom(t, "", ha, req(n), time.Second)
		nextLine(t, haLog, "haproxy")
		return bytes.HasPrefix(got, []byte("HTTP/1.1 200"))
	}
	lo := haproxyBoundary(t, "x-a", 1000, 16300, fits)
	for _, n := range []int{lo, lo + 1} {
		label := strconv.Itoa(n)
		sameAnswer(t, label, ha, goha, req(n), time.Second)
		sameLogLines(t, label, haLog, goLog, 1)
	}
}
