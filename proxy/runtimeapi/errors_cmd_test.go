package runtimeapi

import (
	"net/netip"
	"strings"
	"testing"
	"time"
)

// The dump of a refused message as HAProxy 2.6.12 printed it (captured
// from its stats socket): escapes, and lines cut at its 80-column budget
// with a '+' on their continuation.
func TestErrorDumpMatchesHAProxy(t *testing.T) {
	long := "GET /" + strings.Repeat("a", 100) + "\t\"\\\xe9~ HTTP/1.1\r\nHost: a\r\nX-Long: " + strings.Repeat("b", 90) + "\r\nBad Name: x\r\n\r\n"
	for _, c := range []struct{ buf, want string }{
		{"GET / HTTP/1.1\r\nA\x1b\x00\x80\xff\\: 1\r\n\r\n", `  00000  GET / HTTP/1.1\r\n
  00016  A\e\x00\x80\xFF\\: 1\r\n
  00027  \r\n
`},
		{long, `  00000  GET /` + strings.Repeat("a", 65) + `
  00070+ ` + strings.Repeat("a", 35) + `\t"\\\xE9~ HTTP/1.1\r\n
  00121  Host: a\r\n
  00130  X-Long: ` + strings.Repeat("b", 62) + `
  00200+ ` + strings.Repeat("b", 28) + `\r\n
  00230  Bad Name: x\r\n
  00243  \r\n
`},
		{"GET / HTTP/1.1\r\nHost", "  00000  GET / HTTP/1.1\\r\\n\n  00016  Host\n"},
	} {
		var b strings.Builder
		for p, bol := 0, 0; p < len(c.buf); {
			p, bol = dumpTextLine(&b, []byte(c.buf), p, bol)
		}
		if b.String() != c.want {
			t.Errorf("dump of %q:\n%s\nHAProxy:\n%s", c.buf, b.String(), c.want)
		}
	}
}

// Which captures `show errors` prints: a proxy named or numbered keeps
// its own and those it is the other end of; request/response keep one
// direction; an unknown name answers HAProxy's message.
func TestShowErrorsFilters(t *testing.T) {
	proxies := []Proxy{{Name: "fe", ID: 2}, {Name: "fe2", ID: 3}, {Name: "be", ID: 4}}
	at := time.Date(2026, 12, 6, 15, 31, 19, 878e6, time.Local)
	snap := func(other string, ev uint32) *ErrorSnapshot {
		return &ErrorSnapshot{When: at, Event: ev, Src: netip.MustParseAddrPort("127.0.0.1:39864"), Other: other, ServerID: -1,
			Buf: []byte("GET / HTTP/1.1\r\nHo\x01st: a\r\n\r\n"), Pos: 18, StateName: "MSG_HDR_NAME", State: 17,
			ConnFlags: 0x100, StreamFlags: 0x810, MsgFlags: 0x1410}
	}
	resp := snap("fe", 1)
	resp.Server, resp.ServerID = "s1", 1
	snaps := map[string]ProxyErrorSnapshots{"fe": {Request: snap("", 0)}, "be": {Response: resp}}
	want := `Total events captured on [06/Dec/2026:15:31:20.000] : 2
 
[06/Dec/2026:15:31:19.878] frontend fe (#2): invalid request
  backend <NONE> (#-1), server <NONE> (#-1), event #0, src 127.0.0.1:39864
  buffer starts at 0 (including 0 out), 16356 free,
  len 28, wraps at 16336, error at position 18
  H1 connection flags 0x00000100, H1 stream flags 0x00000810
  H1 msg state MSG_HDR_NAME(17), H1 msg flags 0x00001410
  H1 chunk len 0 bytes, H1 body len 0 bytes :
  
  00000  GET / HTTP/1.1\r\n
  00016  Ho\x01st: a\r\n
  00026  \r\n
`
	now := at.Add(122 * time.Millisecond)
	if got := FormatErrors(proxies, snaps, 2, -1, "request", now); got != want {
		t.Errorf("show errors request:\n%s\nHAProxy:\n%s", got, want)
	}
	count := func(iid int, dir string) (int, int) {
		out := FormatErrors(proxies, snaps, 2, iid, dir, now)
		return strings.Count(out, "invalid request"), strings.Count(out, "invalid response")
	}
	for _, c := range []struct {
		iid        int
		dir        string
		req, resps int
	}{{-1, "", 1, 1}, {2, "", 1, 1}, {3, "", 0, 0}, {4, "", 0, 1}, {2, "response", 0, 1}, {-1, "bogus", 1, 1}} {
		if q, r := count(c.iid, c.dir); q != c.req || r != c.resps {
			t.Errorf("iid %d %q: %d requests, %d responses; want %d, %d", c.iid, c.dir, q, r, c.req, c.resps)
		}
	}
	if out, _ := NewSession(newFakeSource(), LevelAdmin).Exec("show errors nosuch\n"); string(out) != "No such proxy.\n\n" {
		t.Errorf("show errors nosuch: %q", out)
	}
}
