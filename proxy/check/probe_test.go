package check

import (
	"bytes"
	"context"
	"net"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/goha-lb/goha/internal/loopback"
)

// rawServer accepts on 127.0.0.1 and, per connection, records what it
// read (up to the end of the request head and a short body) and answers
// reply; hang holds the connection without answering.
type rawServer struct {
	ln   net.Listener
	mu   sync.Mutex
	got  [][]byte
	hold []net.Conn
}

func startRaw(t *testing.T, reply string, hang bool) *rawServer {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &rawServer{ln: ln}
	t.Cleanup(func() {
		ln.Close()
		s.mu.Lock()
		for _, c := range s.hold {
			c.Close()
		}
		s.mu.Unlock()
	})
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			if hang {
				s.mu.Lock()
				s.hold = append(s.hold, c)
				s.mu.Unlock()
				continue
			}
			go func() {
				defer c.Close()
				c.SetDeadline(time.Now().Add(2 * time.Second))
				var buf []byte
				tmp := make([]byte, 4096)
				for !bytes.Contains(buf, []byte("\r\n\r\n")) {
					n, err := c.Read(tmp)
					buf = append(buf, tmp[:n]...)
					if err != nil {
						break
					}
				}
				s.mu.Lock()
				s.got = append(s.got, buf)
				s.mu.Unlock()
				c.Write([]byte(reply))
			}()
		}
	}()
	return s
}

func (s *rawServer) addr() string { return s.ln.Addr().String() }

func (s *rawServer) requests() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for _, g := range s.got {
		out = append(out, string(g))
	}
	return out
}

var short = Timeouts{Connect: time.Second, Total: 300 * time.Millisecond}

func TestTCPProbe(t *testing.T) {
	s := startRaw(t, "", true)
	if r := (TCPProbe{}).Probe(context.Background(), s.addr(), short); r.Status != L4OK {
		t.Errorf("listening: %+v", r)
	}
	r := (TCPProbe{}).Probe(context.Background(), loopback.DeadAddr(t), short)
	if r.Status != L4CON || r.Info != "Connection refused" {
		t.Errorf("closed: %+v", r)
	}
	// the duration is the connect's, a few ms at most on a loaded machine
	if got := r.describe(); !regexp.MustCompile(`^reason: Layer4 connection problem, info: "Connection refused", check duration: [0-9]ms$`).MatchString(got) {
		t.Errorf("describe: %q", got)
	}
}

func TestHTTPProbe(t *testing.T) {
	const okBody = "HTTP/1.1 200 OK\r\nContent-Length: 11\r\n\r\nhello world"
	cases := []struct {
		name    string
		reply   string
		hang    bool
		on404   bool
		expects [][]string
		want    Result
	}{
		{name: "404 disable-on-404", reply: "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n", on404: true, want: Result{Status: L7OKC, Code: 404, Info: "Not Found", on404: true}},
		{name: "503 disable-on-404", reply: "HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\n\r\n", on404: true, want: Result{Status: L7STS, Code: 503, Info: "Service Unavailable"}},
		{name: "200 default", reply: okBody, want: Result{Status: L7OK, Code: 200, Info: "OK"}},
		{name: "302 default", reply: "HTTP/1.1 302 Found\r\nContent-Length: 0\r\n\r\n", want: Result{Status: L7OK, Code: 302, Info: "Found"}},
		{name: "503 default", reply: "HTTP/1.0 503 Service Unavailable\r\n\r\n", want: Result{Status: L7STS, Code: 503, Info: "Service Unavailable"}},
		{name: "404 default", reply: "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n", want: Result{Status: L7STS, Code: 404, Info: "Not Found"}},
		{name: "garbage", reply: "foo bar\r\n\r\n", want: Result{Status: L7RSP}},
		{name: "closed without answer", reply: "", want: Result{Status: L7RSP}},
		{name: "hang", hang: true, want: Result{Status: L7TOUT}},
		{name: "status list", reply: "HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\n\r\n",
			expects: [][]string{{"status", "200,201-204"}}, want: Result{Status: L7STS, Code: 503, Info: "Service Unavailable"}},
		{name: "status range ok", reply: "HTTP/1.1 203 Whatever\r\nContent-Length: 0\r\n\r\n",
			expects: [][]string{{"status", "200,201-204"}}, want: Result{Status: L7OK, Code: 203, Info: "Whatever"}},
		{name: "negated status", reply: okBody, expects: [][]string{{"!", "status", "200"}}, want: Result{Status: L7STS, Code: 200, Info: "OK"}},
		{name: "rstatus", reply: okBody, expects: [][]string{{"rstatus", "^3"}}, want: Result{Status: L7STS, Code: 200, Info: "OK"}},
		{name: "string ok", reply: okBody, expects: [][]string{{"string", "world"}}, want: Result{Status: L7OK, Code: 200, Info: "OK"}},
		{name: "string mismatch", reply: okBody, expects: [][]string{{"string", "nope"}},
			want: Result{Status: L7RSP, Code: 200, Info: "HTTP content check did not match"}},
		{name: "negated string", reply: okBody, expects: [][]string{{"!", "string", "world"}},
			want: Result{Status: L7RSP, Code: 200, Info: "HTTP check matched unwanted content"}},
		{name: "rstring", reply: okBody, expects: [][]string{{"rstring", "hel+o"}}, want: Result{Status: L7OK, Code: 200, Info: "OK"}},
		{name: "negated rstring", reply: okBody, expects: [][]string{{"!", "rstring", "hel+o"}},
			want: Result{Status: L7RSP, Code: 200, Info: "HTTP check matched unwanted content"}},
		{name: "chunked body", reply: "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n",
			expects: [][]string{{"string", "lo wo"}}, want: Result{Status: L7OK, Code: 200, Info: "OK"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := startRaw(t, tc.reply, tc.hang)
			p := HTTPProbe{Request: defaultRequest, DisableOn404: tc.on404}
			for _, w := range tc.expects {
				e, err := parseExpect(w)
				if err != nil {
					t.Fatal(err)
				}
				p.Expects = append(p.Expects, e)
			}
			r := p.Probe(context.Background(), s.addr(), short)
			d := r.Duration
			r.Duration = 0
			if r != tc.want {
				t.Errorf("got %+v want %+v", r, tc.want)
			}
			if tc.hang && (d < 300*time.Millisecond || d > 5*time.Second) {
				t.Errorf("timeout after %v, want about 300ms", d)
			}
		})
	}
	r := (HTTPProbe{Request: defaultRequest}).Probe(context.Background(), loopback.DeadAddr(t), short)
	if r.Status != L4CON || r.Info != "Connection refused" {
		t.Errorf("closed port: %+v", r)
	}
}

// The bytes on the wire, as captured from haproxy 2.6 by a raw listener.
func TestHTTPRequestBytes(t *testing.T) {
	withSend := func(base ProbeRequest, words ...string) ProbeRequest {
		if err := applySend(&base, words); err != nil {
			t.Fatal(err)
		}
		return base
	}
	cases := []struct {
		req  ProbeRequest
		want string
	}{
		{OptionHTTPChk("OPTIONS", "/", "HTTP/1.0"), "OPTIONS / HTTP/1.0\r\n\r\n"},
		{OptionHTTPChk("OPTIONS", "/health", "HTTP/1.0"), "OPTIONS /health HTTP/1.0\r\n\r\n"},
		{OptionHTTPChk("GET", "/health", `HTTP/1.1\r\nHost: www`), "GET /health HTTP/1.1\r\nhost: www\r\nconnection: close\r\n\r\n"},
		{OptionHTTPChk("GET", "/h", "HTTP/1.1\r\nHost: a\r\nX-Y: z"), "GET /h HTTP/1.1\r\nhost: a\r\nx-y: z\r\nconnection: close\r\n\r\n"},
		{withSend(ProbeRequest{}, "meth", "HEAD", "uri", "/x", "ver", "HTTP/1.1", "hdr", "Host", "example.com", "hdr", "X-A", "b"),
			"HEAD /x HTTP/1.1\r\nhost: example.com\r\nx-a: b\r\nconnection: close\r\n\r\n"},
		{withSend(ProbeRequest{}, "meth", "POST", "uri", "/p", "ver", "HTTP/1.1", "hdr", "Host", "h", "body", "abc"),
			"POST /p HTTP/1.1\r\nhost: h\r\ncontent-length: 3\r\nconnection: close\r\n\r\nabc"},
	}
	for i, tc := range cases {
		if got := string(tc.req.Bytes()); got != tc.want {
			t.Errorf("case %d: got %q want %q", i, got, tc.want)
		}
	}
	// and they are what the probe sends
	s := startRaw(t, "HTTP/1.0 200 OK\r\n\r\n", false)
	(HTTPProbe{Request: cases[4].req}).Probe(context.Background(), s.addr(), short)
	if got := s.requests(); len(got) != 1 || got[0] != cases[4].want {
		t.Errorf("on the wire: %q", got)
	}
}

func TestParseExpectErrors(t *testing.T) {
	for _, w := range [][]string{nil, {"status"}, {"status", "abc"}, {"status", "300-200"}, {"rstring", "("}, {"header", "x"}, {"!"}} {
		if _, err := parseExpect(w); err == nil {
			t.Errorf("parseExpect(%q) accepted", w)
		}
	}
	if e, err := parseExpect([]string{"comment", "c", "status", "200"}); err != nil || e.Kind != ExpectStatus {
		t.Errorf("comment option: %v %+v", err, e)
	}
	r := defaultRequest
	for _, w := range [][]string{{"meth"}, {"hdr", "a"}, {"frobnicate", "x"}} {
		if err := applySend(&r, w); err == nil {
			t.Errorf("ApplySend(%q) accepted", w)
		}
	}
	if !strings.Contains(string(r.Bytes()), "OPTIONS / HTTP/1.0") {
		t.Errorf("failed sends changed the request: %q", r.Bytes())
	}
}

func TestHTTPCheckConnect(t *testing.T) {
	s := startRaw(t, "HTTP/1.0 200 OK\r\n\r\n", false)
	_, port, _ := net.SplitHostPort(s.addr())
	c, err := parseConnect([]string{"port", port, "linger", "comment", "x"})
	if err != nil {
		t.Fatal(err)
	}
	// the server's own address is closed: the connect rule's port wins
	r := (HTTPProbe{Connect: c}).Probe(context.Background(), "127.0.0.1:1", short)
	if r.Status != L7OK {
		t.Errorf("connect port not used: %+v", r)
	}
	for _, w := range [][]string{{"port"}, {"proto", "fcgi"}, {"proto", "none"}} {
		if _, err := parseConnect(w); err == nil {
			t.Errorf("parseConnect(%q) accepted", w)
		}
	}
}

func TestHTTPProbeStopsOnCancel(t *testing.T) {
	s := startRaw(t, "", true)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan Result, 1)
	go func() { done <- (HTTPProbe{}).Probe(ctx, s.addr(), Timeouts{Connect: time.Second, Total: time.Minute}) }()
	time.Sleep(50 * time.Millisecond)
	cancel()
	select {
	case r := <-done:
		if r.Passed() {
			t.Errorf("cancelled check passed: %+v", r)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("probe ignored cancellation")
	}
}
