package haproxycmd

import (
	"bufio"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/goha-lb/goha/internal/loopback"
	"github.com/goha-lb/goha/internal/testenv"
)

// connRecorder is a web server (HTTP/1.1, or HTTP/2 in clear text)
// noting which of its connections carried each request, numbered in the
// order they arrived.
type connRecorder struct {
	mu    sync.Mutex
	ids   map[string]int
	trail []string
}

func startConnRecorder(t *testing.T, h2 bool) (*connRecorder, string) {
	r := &connRecorder{ids: map[string]int{}}
	ln := loopback.Listen(t)
	srv := &http.Server{ErrorLog: log.New(io.Discard, "", 0), Handler: http.HandlerFunc(func(w http.ResponseWriter, q *http.Request) {
		r.mu.Lock()
		if _, ok := r.ids[q.RemoteAddr]; !ok {
			r.ids[q.RemoteAddr] = len(r.ids) + 1
		}
		r.trail = append(r.trail, fmt.Sprintf("%s@%d", q.URL.Path, r.ids[q.RemoteAddr]))
		r.mu.Unlock()
		io.WriteString(w, "ok")
	})}
	if h2 {
		var p http.Protocols
		p.SetUnencryptedHTTP2(true)
		srv.Protocols = &p
	}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return r, ln.Addr().String()
}

func (r *connRecorder) take() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := strings.Join(r.trail, " ")
	r.trail, r.ids = nil, map[string]int{}
	return out
}

// `max-reuse <n>`: an HTTP/2 server connection carries n+1 requests, then
// closes, and the next request dials a new one; HTTP/1.1 server
// connections ignore it (HAProxy 2.6's H1 mux does not look at it, as
// measured). One client sends four requests on one connection, then four
// clients one request each; the connection each request reached at the
// server is compared with HAProxy 2.6's, under http-reuse safe and always.
func TestMaxReuseMatchHAProxy(t *testing.T) {
	testenv.LookPath(t, "haproxy")
	h2rec, h2addr := startConnRecorder(t, true)
	h1rec, h1addr := startConnRecorder(t, false)
	traffic := func(bind string) {
		c, err := net.Dial("tcp", bind)
		if err != nil {
			t.Fatal(err)
		}
		br := bufio.NewReader(c)
		for i := 0; i < 4; i++ {
			fmt.Fprintf(c, "GET /k%d HTTP/1.1\r\nHost: h\r\n\r\n", i)
			res, err := http.ReadResponse(br, nil)
			if err != nil {
				t.Fatal(err)
			}
			io.Copy(io.Discard, res.Body)
		}
		c.Close()
		for i := 0; i < 4; i++ {
			time.Sleep(20 * time.Millisecond) // the server side settles
			loopback.Get(t, bind)
		}
	}
	for _, tc := range []struct {
		name, backend string
		rec           *connRecorder
	}{
		{"h2 max-reuse 0", "server s1 " + h2addr + " proto h2 max-reuse 0", h2rec},
		{"h2 max-reuse 2", "server s1 " + h2addr + " proto h2 max-reuse 2", h2rec},
		{"h2 always max-reuse 2", "http-reuse always\n    server s1 " + h2addr + " proto h2 max-reuse 2", h2rec},
		{"h2 max-reuse -1", "http-reuse always\n    server s1 " + h2addr + " proto h2 max-reuse -1", h2rec},
		{"h1 max-reuse 0", "http-reuse always\n    server s1 " + h1addr + " max-reuse 0", h1rec},
	} {
		var got [2]string
		for i, ha := range []bool{true, false} {
			_, _, bind := serverOptsDaemon(t, ha, "", "backend be\n    "+tc.backend+"\n")
			tc.rec.take()
			traffic(bind)
			got[i] = tc.rec.take()
		}
		if got[0] != got[1] {
			t.Errorf("%s: request@connection at the server\nhaproxy %s\n   goha %s", tc.name, got[0], got[1])
		} else {
			t.Logf("%s: %s", tc.name, got[0])
		}
	}
}
