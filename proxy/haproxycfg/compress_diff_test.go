package haproxycfg

import (
	"bytes"
	"compress/flate"
	"compress/gzip"
	"compress/zlib"
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/goha-lb/goha/internal/haproxytest"
	"github.com/goha-lb/goha/internal/loopback"
	"github.com/goha-lb/goha/internal/testenv"
	"github.com/goha-lb/goha/proxy"
	"github.com/goha-lb/goha/proxy/internal/difftest"
)

// compCase is one request and the answer the backend gives it.
type compCase struct {
	name, req, answer string
}

func compAnswer(status, hdrs, body string) string {
	return "HTTP/1.1 " + status + "\r\n" + hdrs + fmt.Sprintf("content-length: %d\r\n\r\n", len(body)) + body
}

func compChunked(status, hdrs string, parts ...string) string {
	s := "HTTP/1.1 " + status + "\r\n" + hdrs + "transfer-encoding: chunked\r\n\r\n"
	for _, p := range parts {
		s += fmt.Sprintf("%x\r\n%s\r\n", len(p), p)
	}
	return s + "0\r\n\r\n"
}

var compText = strings.Repeat("the quick brown fox jumps over the lazy dog. ", 400) // 18 KB

func compGet(path, hdrs string) string {
	return "GET " + path + " HTTP/1.1\r\nhost: h\r\n" + hdrs + "connection: close\r\n\r\n"
}

var compCases = []compCase{
	{"gzip, text/html", compGet("/", "accept-encoding: gzip\r\n"), compAnswer("200 OK", "content-type: text/html\r\n", compText)},
	{"deflate preferred by q", compGet("/", "accept-encoding: gzip;q=0.5, deflate\r\n"), compAnswer("200 OK", "content-type: text/plain; charset=utf-8\r\n", "hello")},
	{"q=0 refuses", compGet("/", "accept-encoding: gzip;q=0\r\n"), compAnswer("200 OK", "content-type: text/html\r\n", "hello")},
	{"star", compGet("/", "accept-encoding: br, *;q=0.3\r\n"), compAnswer("200 OK", "content-type: text/html\r\n", "hello")},
	{"upper case token, two headers", compGet("/", "accept-encoding: br\r\naccept-encoding: GZIP ; q=0.9\r\n"), compAnswer("200 OK", "content-type: text/html\r\n", "hello")},
	{"no accept-encoding", compGet("/", ""), compAnswer("200 OK", "content-type: text/html\r\n", "hello")},
	{"type not listed", compGet("/", "accept-encoding: gzip\r\n"), compAnswer("200 OK", "content-type: image/png\r\n", "png")},
	{"no content-type", compGet("/", "accept-encoding: gzip\r\n"), compAnswer("200 OK", "", "hello")},
	{"multipart", compGet("/", "accept-encoding: gzip\r\n"), compAnswer("200 OK", "content-type: multipart/mixed\r\n", "hello")},
	{"already encoded", compGet("/", "accept-encoding: gzip\r\n"), compAnswer("200 OK", "content-type: text/html\r\ncontent-encoding: br\r\n", "xx")},
	{"no-transform", compGet("/", "accept-encoding: gzip\r\n"), compAnswer("200 OK", "content-type: text/html\r\ncache-control: max-age=3, No-Transform\r\n", "hello")},
	{"404", compGet("/", "accept-encoding: gzip\r\n"), compAnswer("404 Not Found", "content-type: text/html\r\n", "missing")},
	{"201", compGet("/", "accept-encoding: gzip\r\n"), compAnswer("201 Created", "content-type: text/html\r\n", "made")},
	{"304", compGet("/", "accept-encoding: gzip\r\n"), "HTTP/1.1 304 Not Modified\r\ncontent-type: text/html\r\netag: \"a\"\r\n\r\n"},
	{"HEAD", "HEAD / HTTP/1.1\r\nhost: h\r\naccept-encoding: gzip\r\nconnection: close\r\n\r\n", "HTTP/1.1 200 OK\r\ncontent-type: text/html\r\ncontent-length: 5\r\n\r\n"},
	{"HTTP/1.0 client", "GET / HTTP/1.0\r\naccept-encoding: gzip\r\n\r\n", compAnswer("200 OK", "content-type: text/html\r\n", "hello")},
	{"HTTP/1.0 server", compGet("/", "accept-encoding: gzip\r\n"), "HTTP/1.0 200 OK\r\ncontent-type: text/html\r\ncontent-length: 5\r\n\r\nhello"},
	{"strong etag", compGet("/", "accept-encoding: gzip\r\n"), compAnswer("200 OK", "content-type: text/html\r\netag: \"v1\"\r\n", "hello")},
	{"weak etag", compGet("/", "accept-encoding: gzip\r\n"), compAnswer("200 OK", "content-type: text/html\r\netag: W/\"v1\"\r\n", "hello")},
	{"bad etag", compGet("/", "accept-encoding: gzip\r\n"), compAnswer("200 OK", "content-type: text/html\r\netag: v1\r\n", "hello")},
	{"two etags", compGet("/", "accept-encoding: gzip\r\n"), compAnswer("200 OK", "content-type: text/html\r\netag: \"a\"\r\netag: \"b\"\r\n", "hello")},
	{"chunked", compGet("/", "accept-encoding: gzip\r\n"), compChunked("200 OK", "content-type: text/html\r\nvary: Cookie\r\n", "hello ", compText, "bye")},
	{"chunked, empty", compGet("/", "accept-encoding: gzip\r\n"), compChunked("200 OK", "content-type: text/html\r\n")},
	{"chunked with trailers", compGet("/", "accept-encoding: gzip\r\n"),
		"HTTP/1.1 200 OK\r\ncontent-type: text/html\r\ntransfer-encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\nx-sum: 1\r\n\r\n"},
	{"empty body", compGet("/", "accept-encoding: gzip\r\n"), compAnswer("200 OK", "content-type: text/html\r\n", "")},
	{"old mozilla", compGet("/", "user-agent: Mozilla/4.0 (compatible; MSIE 5.5; Windows 98)\r\naccept-encoding: gzip\r\n"), compAnswer("200 OK", "content-type: text/html\r\n", "hello")},
	{"msie 6 sv1", compGet("/", "user-agent: Mozilla/4.0 (compatible; MSIE 6.0; Windows NT 5.1; SV1)\r\naccept-encoding: gzip\r\n"), compAnswer("200 OK", "content-type: text/html\r\n", "hello")},
	{"identity asked", compGet("/", "accept-encoding: identity, gzip;q=0.5\r\n"), compAnswer("200 OK", "content-type: text/html\r\n", "hello")},
	{"rule header and etag rewritten", compGet("/r", "accept-encoding: gzip\r\n"), compAnswer("200 OK", "content-type: text/html\r\netag: \"z\"\r\n", "hello")},
	{"until close", compGet("/", "accept-encoding: gzip\r\n"), "HTTP/1.1 200 OK\r\ncontent-type: text/html\r\n\r\nhello"},
}

// compConfigs are the configurations of TestCompressionDifferential.
var compConfigs = []struct{ name, fe, be string }{
	{"frontend gzip deflate and types", "    compression algo gzip deflate\n    compression type text/html text/plain\n" +
		"    http-response set-header x-r 1 if { status 200 }\n    http-response set-header x-comp %[res.comp]\n" +
		"    http-response set-header x-algo %[res.comp_algo] if { res.comp }\n    http-response set-header etag \"r\" if { res.hdr(etag) \"z\" }\n", ""},
	{"backend raw-deflate identity and offload", "    http-response set-header x-algo %[res.comp_algo]\n", "    compression algo identity raw-deflate\n    compression offload\n"},
	{"defaults algo and frontend offload", "    compression offload\n    filter compression\n", ""},
}

// TestCompressionDifferential: HTTP compression beside HAProxy 2.6, the
// same backend answers and the same requests: the response heads must be
// the same bytes, the bodies the same once de-chunked and decompressed
// (the compressed bytes are libslz's on one side and Go's on the other),
// the backend must receive the same request (offload drops
// Accept-Encoding), and comp_rsp must count the same responses.
func TestCompressionDifferential(t *testing.T) {
	t.Parallel()
	testenv.LookPath(t, "haproxy")
	for _, c := range compConfigs {
		t.Run(c.name, func(t *testing.T) {
			recHA, recGo := startRecorder(t), startRecorder(t)
			cfg := httpHead
			if strings.HasPrefix(c.name, "defaults") {
				cfg += "    compression algo gzip\n"
			}
			cfg += "frontend fe\n    bind BIND\n" + c.fe + "    default_backend be\nbackend be\n" + c.be + "    server s1 BACKEND\n"
			if n := notices(buildText(t, strings.NewReplacer("BIND", "127.0.0.1:1", "BACKEND", "127.0.0.1:2").Replace(cfg))); len(n) != 0 {
				t.Fatalf("goha refuses part of the configuration: %q", n)
			}
			ha, goha := loopback.FreeAddr(t), loopback.FreeAddr(t)
			sock := filepath.Join(t.TempDir(), "stats.sock")
			difftest.StartHAProxy(t, "global\n    stats socket "+sock+"\n"+
				strings.NewReplacer("BIND", ha, "BACKEND", recHA.ln.Addr().String()).Replace(cfg), ha)
			_, px := gohaRun(t, strings.NewReplacer("BIND", goha, "BACKEND", recGo.ln.Addr().String()).Replace(cfg), false, nil)
			for _, cc := range compCases {
				recHA.reset([]byte(cc.answer), strings.Contains(cc.name, "until close"))
				recGo.reset([]byte(cc.answer), strings.Contains(cc.name, "until close"))
				want, err1 := difftest.Exchange(ha, []byte(cc.req), 500*time.Millisecond)
				got, err2 := difftest.Exchange(goha, []byte(cc.req), 500*time.Millisecond)
				if err1 != nil || err2 != nil {
					t.Fatalf("%s: %v %v", cc.name, err1, err2)
				}
				if !bytes.HasPrefix(want, []byte("HTTP/1.")) || !bytes.HasPrefix(got, []byte("HTTP/1.")) {
					t.Errorf("%s: no response:\n haproxy %q\n goha    %q", cc.name, want, got)
				}
				wh, wb := splitCompressed(t, want, strings.HasPrefix(cc.req, "HEAD"))
				gh, gb := splitCompressed(t, got, strings.HasPrefix(cc.req, "HEAD"))
				if wh != gh {
					t.Errorf("%s: response head\n haproxy %q\n goha    %q", cc.name, wh, gh)
				}
				if wt, gt := lastChunk(want), lastChunk(got); wt != gt {
					t.Errorf("%s: last chunk and trailers\n haproxy %q\n goha    %q", cc.name, wt, gt)
				}
				if wb != gb {
					t.Errorf("%s: decoded body\n haproxy %q\n goha    %q", cc.name, trunc(wb), trunc(gb))
				}
				if w, g := recHA.bytes(), recGo.bytes(); !bytes.Equal(w, g) {
					t.Errorf("%s: backend got\n haproxy %q\n goha    %q", cc.name, w, g)
				}
			}
			// Keep-alive: two pipelined requests, the first answer
			// compressed, on one client connection.
			recHA.reset([]byte(compAnswer("200 OK", "content-type: text/html\r\n", compText)), false)
			recGo.reset([]byte(compAnswer("200 OK", "content-type: text/html\r\n", compText)), false)
			two := "GET / HTTP/1.1\r\nhost: h\r\naccept-encoding: gzip, deflate\r\n\r\nGET / HTTP/1.1\r\nhost: h\r\n\r\n"
			want, _ := difftest.Exchange(ha, []byte(two), 500*time.Millisecond)
			got, _ := difftest.Exchange(goha, []byte(two), 500*time.Millisecond)
			if w, g := decodeAll(t, want), decodeAll(t, got); w != g || strings.Count(w, "HTTP/1.1 200") != 2 {
				t.Errorf("keep-alive:\n haproxy %s\n goha    %s", trunc(w), trunc(g))
			}
			compareCompStats(t, haproxytest.StatsCmd(t, sock, "show stat"), px)
		})
	}
}

// compareCompStats compares comp_rsp, comp_in and comp_byp of the
// frontend and backend rows of HAProxy's show stat with goha's counters
// (comp_out counts compressed bytes, which differ by design; it must only
// be non-zero where comp_in is), and bout of those rows and the server's:
// HAProxy counts a compressed body before its compression.
func compareCompStats(t *testing.T, stat string, px *proxy.Proxy) {
	t.Helper()
	// goha settles a transaction's counters once its last bytes are
	// written: the client may have read them a moment before.
	diffs := compStatDiffs(t, stat, px)
	for i := 0; len(diffs) > 0 && i < 40; i++ {
		time.Sleep(50 * time.Millisecond)
		diffs = compStatDiffs(t, stat, px)
	}
	for _, d := range diffs {
		t.Error(d)
	}
}

// compStatDiffs is compareCompStats' comparison: what differs.
func compStatDiffs(t *testing.T, stat string, px *proxy.Proxy) (diffs []string) {
	be := px.Backends()[0]
	goRows := map[string]proxy.Stats{"fe/FRONTEND": px.Frontends()[0].Stats, "be/BACKEND": be.Stats, "be/s1": be.Servers[0].Stats}
	for _, r := range showStatRows(stat) {
		st, ok := goRows[r.key()]
		if !ok {
			continue
		}
		if w := r["bout"]; w != fmt.Sprint(st.BytesOut) {
			diffs = append(diffs, fmt.Sprintf("%s bout: haproxy %s, goha %d", r.key(), w, st.BytesOut))
		}
		if r["svname"] == "s1" {
			continue // no compression counters
		}
		got := map[string]int64{"comp_rsp": st.CompRsp, "comp_in": st.CompIn, "comp_byp": st.CompByp}
		for col, g := range got {
			if w := r[col]; w != fmt.Sprint(g) {
				diffs = append(diffs, fmt.Sprintf("%s %s: haproxy %s, goha %d", r.key(), col, w, g))
			}
		}
		if (r["comp_out"] == "0") != (st.CompOut == 0) {
			diffs = append(diffs, fmt.Sprintf("%s comp_out: haproxy %s, goha %d", r.key(), r["comp_out"], st.CompOut))
		}
		t.Logf("%s bout %d comp_in %d comp_out haproxy %s goha %d", r.key(), st.BytesOut, st.CompIn, r["comp_out"], st.CompOut)
	}
	return diffs
}

// decodeAll is each response of raw: its head and its body decompressed.
func decodeAll(t *testing.T, raw []byte) string {
	msgs, _, err := difftest.SplitMessages(raw, true)
	if err != nil {
		return "unreadable: " + err.Error()
	}
	var out []string
	for _, m := range msgs {
		h, b := splitCompressed(t, m.Raw, false)
		out = append(out, h+b)
	}
	return strings.Join(out, "\n")
}

// lastChunk is what follows the last chunk's size line "0" of a chunked
// response: its trailers and the final CRLF ("" when not chunked).
func lastChunk(raw []byte) string {
	if !bytes.Contains(bytes.ToLower(raw), []byte("\r\ntransfer-encoding: chunked\r\n")) {
		return ""
	}
	if i := bytes.LastIndex(raw, []byte("\r\n0\r\n")); i >= 0 {
		return string(raw[i:])
	}
	return "no last chunk"
}

func trunc(s string) string {
	if len(s) > 200 {
		return s[:200] + fmt.Sprintf("...(%d bytes)", len(s))
	}
	return s
}

// splitCompressed returns a response's head and its body de-chunked and
// decompressed as its content-encoding says.
func splitCompressed(t *testing.T, raw []byte, head bool) (string, string) {
	t.Helper()
	i := bytes.Index(raw, []byte("\r\n\r\n"))
	if i < 0 {
		return string(raw), ""
	}
	h := string(raw[:i+4])
	if head {
		return h, string(raw[i+4:])
	}
	body := raw[i+4:]
	if msgs, _, err := difftest.SplitMessages(raw, true); err == nil && len(msgs) == 1 {
		body = msgs[0].Body
	} else {
		t.Logf("reading %q: %v", trunc(string(raw)), err)
	}
	var r io.Reader
	var err error
	lh := strings.ToLower(h)
	switch {
	case strings.Contains(lh, "\r\ncontent-encoding: gzip\r\n"):
		r, err = gzip.NewReader(bytes.NewReader(body))
	case strings.Contains(lh, "\r\ncontent-encoding: deflate\r\n") && len(body) > 0 && body[0] == 0x78:
		r, err = zlib.NewReader(bytes.NewReader(body))
	case strings.Contains(lh, "\r\ncontent-encoding: deflate\r\n"):
		r = flate.NewReader(bytes.NewReader(body))
	default:
		return h, string(body)
	}
	if err != nil {
		return h, "undecodable: " + err.Error()
	}
	out, err := io.ReadAll(r)
	if err != nil {
		return h, "undecodable: " + err.Error()
	}
	return h, string(out)
}

// TestCompressionH2Differential: an HTTP/2 client (h2c) gets the same
// compressed responses from both: headers, and the body once gunzipped;
// show stat counts the same (compareCompStats).
func TestCompressionH2Differential(t *testing.T) {
	testenv.LookPath(t, "haproxy")
	recHA, recGo := startRecorder(t), startRecorder(t)
	cfg := httpHead +
		"frontend fe\n    bind BIND proto h2\n    compression algo gzip\n    default_backend be\nbackend be\n    server s1 BACKEND\n"
	ha, goha := loopback.FreeAddr(t), loopback.FreeAddr(t)
	sock := filepath.Join(t.TempDir(), "stats.sock")
	difftest.StartHAProxy(t, "global\n    stats socket "+sock+"\n"+
		strings.NewReplacer("BIND", ha, "BACKEND", recHA.ln.Addr().String()).Replace(cfg), ha)
	_, px := gohaRun(t, strings.NewReplacer("BIND", goha, "BACKEND", recGo.ln.Addr().String()).Replace(cfg), false, nil)
	cHA, cGo := h2Client(t, testPKI{}, ha, false), h2Client(t, testPKI{}, goha, false)
	for _, cc := range []compCase{
		{"content-length", "gzip", compAnswer("200 OK", "content-type: text/html\r\netag: \"e\"\r\n", compText)},
		{"chunked", "gzip;q=0.5", compChunked("200 OK", "content-type: text/plain\r\n", "hello ", "world")},
		{"not asked", "br", compAnswer("200 OK", "content-type: text/html\r\n", "hello")},
	} {
		one := func(c *http.Client, addr string) string {
			req, _ := http.NewRequest("GET", "http://"+addr+"/", nil)
			req.Header.Set("Accept-Encoding", cc.req) // set by hand: the transport leaves the body as sent
			resp, err := c.Do(req)
			if err != nil {
				return "error: " + err.Error()
			}
			defer resp.Body.Close()
			var r io.Reader = resp.Body
			if resp.Header.Get("Content-Encoding") == "gzip" {
				if r, err = gzip.NewReader(resp.Body); err != nil {
					return "gzip: " + err.Error()
				}
			}
			body, _ := io.ReadAll(r)
			var hs []string
			for k, v := range resp.Header {
				if k != "Date" {
					hs = append(hs, k+": "+strings.Join(v, ","))
				}
			}
			sort.Strings(hs)
			return fmt.Sprintf("%s %d\n%s\n%s", resp.Proto, resp.StatusCode, strings.Join(hs, "\n"), trunc(string(body)))
		}
		recHA.reset([]byte(cc.answer), false)
		recGo.reset([]byte(cc.answer), false)
		want, got := one(cHA, ha), one(cGo, goha)
		t.Logf("%s: %s", cc.name, got)
		if want != got {
			t.Errorf("%s:\n haproxy %s\n goha    %s", cc.name, want, got)
		}
	}
	compareCompStats(t, haproxytest.StatsCmd(t, sock, "show stat"), px)
}
