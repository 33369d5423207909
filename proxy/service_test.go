package proxy

import (
	"strings"
	"testing"
	"time"
)

// echoService answers with what it saw of the request.
type echoService struct{ chunked bool }

func (echoService) LogName() string { return "<ECHO>" }

func (e echoService) Serve(r *ServiceRequest) ServiceReply {
	body := r.Method + " " + r.Path + " " + r.Query + " " + string(r.Header("x-a")) + " " + string(r.Body) + "\n"
	return ServiceReply{Status: 200, Headers: []ReplyHeader{{"content-type", "text/plain"}}, Body: []byte(body), Chunked: e.chunked}
}

// refuseService answers with the frontend's error page.
type refuseService struct{}

func (refuseService) LogName() string { return "<NO>" }

func (refuseService) Serve(*ServiceRequest) ServiceReply {
	return ServiceReply{Status: 400, ErrorPage: true}
}

type pathIs string

func (p pathIs) Match(r *RequestInfo) bool { return strings.HasPrefix(string(r.Target), string(p)) }

// TestUseService: a use-service rule answers in the proxy, framed as
// HAProxy frames its applets' replies (HTTP/1.1 status line, chunked with
// upper-case sizes or content-length, keep-alive kept), logged as
// "fe fe/<NAME>" with LR, and counted on the frontend.
func TestUseService(t *testing.T) {
	web := textBackend(t, "ok")
	cfg := seedConfig(web.addr)
	fe := cfg.Frontends[0]
	fe.ConnMode = KeepAlive
	fe.ResponseRules = []HeaderRule{{Action: SetHeader, Name: "X-Test", Value: "1", Cond: pathIs("/c")}}
	fe.RequestRules = []HeaderRule{
		{Action: UseService, Service: echoService{chunked: true}, Cond: pathIs("/c")},
		{Action: UseService, Service: echoService{}, Cond: pathIs("/l")},
		{Action: UseService, Service: refuseService{}, Cond: pathIs("/e")},
	}
	sink, addr, stop := startLoggedProxy(t, cfg)
	for _, c := range []struct{ req, want string }{
		{"GET /c/x?q=1 HTTP/1.1\r\nhost: a\r\nx-a: b\r\n\r\nGET /l HTTP/1.1\r\nhost: a\r\nconnection: close\r\n\r\n",
			"HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\ntransfer-encoding: chunked\r\nx-test: 1\r\n\r\n" +
				"10\r\nGET /c/x q=1 b \n\r\n0\r\n\r\n" +
				"HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\ncontent-length: 10\r\nconnection: close\r\n\r\nGET /l   \n"},
		{"POST /l HTTP/1.0\r\nconnection: keep-alive\r\ncontent-length: 3\r\n\r\nabcHEAD /l HTTP/1.0\r\n\r\n",
			"HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\ncontent-length: 14\r\nconnection: keep-alive\r\n\r\nPOST /l   abc\n" +
				"HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\ncontent-length: 11\r\nconnection: close\r\n\r\n"},
		{"GET /c HTTP/1.0\r\nconnection: keep-alive\r\n\r\n",
			"HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\ntransfer-encoding: chunked\r\nx-test: 1\r\nconnection: close\r\n\r\nA\r\nGET /c   \n\r\n0\r\n\r\n"},
		// HAProxy 2.6's answer to a refused scrape, measured.
		{"GET /e HTTP/1.1\r\nhost: a\r\n\r\n",
			"HTTP/1.1 400 Bad request\r\ncontent-length: 90\r\ncache-control: no-cache\r\ncontent-type: text/html\r\nconnection: close\r\n\r\n" +
				"<html><body><h1>400 Bad request</h1>\nYour browser sent an invalid request.\n</body></html>\n"},
	} {
		if got := rawExchange(t, addr, c.req, 2*time.Second); got != c.want {
			t.Errorf("%q:\n got %q\nwant %q", c.req, got, c.want)
		}
	}
	stop()
	lines := sink.get()
	if len(lines) != 6 {
		t.Fatalf("log lines: %q", lines)
	}
	for _, l := range lines {
		if !strings.HasPrefix(l, "main main/<ECHO> 200 LR ") && !strings.HasPrefix(l, "main main/<NO> 400 LR ") {
			t.Errorf("log line %q", l)
		}
	}
}
