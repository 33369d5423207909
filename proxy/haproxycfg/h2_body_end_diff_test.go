package haproxycfg

import (
	"net"
	"strings"
	"testing"
	"time"

	"github.com/goha-lb/goha/internal/loopback"
	"golang.org/x/net/http2"
)

// h2AskPaced sends a POST of path with content-length 3 on a new HTTP/2
// connection, then its DATA frames one by one, gap apart, END_STREAM on
// the last, and says which frames came back until a while after the
// last one (WINDOW_UPDATE and SETTINGS left out: each proxy grants
// credit its own way).
func h2AskPaced(addr, path string, gap time.Duration, chunks ...string) string {
	c, err := net.DialTimeout("tcp", addr, 2*time.Second)
	if err != nil {
		return err.Error()
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(time.Duration(len(chunks))*gap + 600*time.Millisecond))
	fr := h2Start(c)
	fr.WriteHeaders(http2.HeadersFrameParam{StreamID: 1, EndHeaders: true,
		BlockFragment: h2Block(":method", "POST", ":scheme", "http", ":authority", "h", ":path", path, "content-length", "3")})
	go func() {
		for i, ch := range chunks {
			time.Sleep(gap)
			fr.WriteData(1, i == len(chunks)-1, []byte(ch))
		}
	}()
	var out []string
	for {
		f, err := fr.ReadFrame()
		if err != nil {
			return strings.Join(out, "\n")
		}
		if g, ok := f.(*http2.GoAwayFrame); ok {
			out = append(out, "GOAWAY "+g.ErrCode.String())
		} else if l := h2FrameLine(f, true); l != "" {
			out = append(out, l)
		}
	}
}

// TestH2RequestBodyEndMatchesHAProxy: an HTTP/2 request whose body came
// whole by its content-length, its END_STREAM later: HAProxy 2.6.12
// sends the response and waits for the end (no RST_STREAM); an
// empty DATA with END_STREAM then closes the stream, and DATA past the
// content-length gets RST_STREAM(PROTOCOL_ERROR) after the response.
// DATA past it in the first frame gets the reset and no response. An
// answer the proxy makes before the body came (http-request return) is
// followed by RST_STREAM(CANCEL), and the DATA then by STREAM_CLOSED. The
// frames at the client and the log lines match (an excess: CD, logged
// once it came; TestH2RequestBodyPastEndMatchesHAProxy has the other
// ends and the counters).
func TestH2RequestBodyEndMatchesHAProxy(t *testing.T) {
	t.Parallel()
	web := loopback.StartWeb(t, "w")
	cfg := `global
    log LOG local0
defaults
    mode http
    log global
    option httplog
    timeout connect 2s
    timeout client 5s
    timeout server 2s
frontend fe
    bind BIND proto h2
    http-request return status 200 content-type text/plain string ok if { path /ret }
    default_backend be
backend be
    server s1 ` + web.Addr + `
`
	ha, goha, haLog, goLog := startBothLogged(t, cfg)
	const gap = 500 * time.Millisecond
	for _, tc := range []struct {
		name, path string
		chunks     []string
	}{
		{"end later", "/x", []string{"abc", ""}},
		{"excess later", "/x", []string{"abc", "def"}},
		{"excess at once", "/x", []string{"abcdef"}},
		{"answered before the body", "/ret", []string{"abc"}},
		{"answered before an excess", "/ret", []string{"abcdef"}},
	} {
		var got [2]string
		for i, addr := range []string{ha, goha} {
			got[i] = h2AskPaced(addr, tc.path, gap, tc.chunks...)
		}
		w, g := loggedBoth(haLog, goLog, true)
		t.Logf("%s:\nhaproxy %q\n  %q\ngoha    %q\n  %q", tc.name, got[0], w, got[1], g)
		if got[0] != got[1] {
			t.Errorf("%s: the client saw\nhaproxy %q\ngoha    %q", tc.name, got[0], got[1])
		}
		if strings.Join(w, "\n") != strings.Join(g, "\n") {
			t.Errorf("%s: logs\nhaproxy %q\ngoha    %q", tc.name, w, g)
		}
	}
}
