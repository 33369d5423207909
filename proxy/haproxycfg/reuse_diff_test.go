package haproxycfg

import (
	"context"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/goha-lb/goha/internal/loopback"
	"github.com/goha-lb/goha/internal/testenv"
)

// connNumberKey carries a server connection's number in its context.
type connNumberKey struct{}

// startConnNumberer is a server speaking HTTP/1.1 and h2c (prior
// knowledge) that numbers its TCP connections and answers every
// request with the number of the connection it came on.
func startConnNumberer(t *testing.T) (addr string, conns *atomic.Int64) {
	t.Helper()
	conns = new(atomic.Int64)
	ln := loopback.Listen(t)
	var p http.Protocols
	p.SetHTTP1(true)
	p.SetUnencryptedHTTP2(true)
	srv := &http.Server{
		Protocols: &p,
		ErrorLog:  log.New(io.Discard, "", 0),
		ConnContext: func(ctx context.Context, _ net.Conn) context.Context {
			return context.WithValue(ctx, connNumberKey{}, conns.Add(1))
		},
		Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			fmt.Fprintf(w, "c%d", r.Context().Value(connNumberKey{}))
		}),
	}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return ln.Addr().String(), conns
}

// reuseSteps is the request sequence: each word is a client (a kept-
// alive HTTP/1.1 connection, opened on its first request) and the
// backend its request goes to. Requests run one after the other.
var reuseSteps = []string{"A", "B", "A", "B", "C", "A", "D", "B", "C", "E", "E", "F"}

// runReuseSteps plays reuseSteps, each a GET path, through the proxy at
// addr and gives what each request got: the body (the server connection
// number), or what describe (when set) makes of it and of the client's
// connection.
func runReuseSteps(t *testing.T, addr, path string, describe func(body string, c net.Conn) string) string {
	t.Helper()
	clients := newKeptClients(t, addr)
	defer clients.close()
	var got []string
	for _, who := range reuseSteps {
		cl := clients.client(who)
		b, err := cl.get(path)
		if err != nil {
			got = append(got, who+":err")
			continue
		}
		if describe != nil {
			got = append(got, who+":"+describe(b, cl.c))
		} else {
			got = append(got, who+":"+b)
		}
		// The proxy hands the server connection back once the response
		// is out: the client's next request must not overtake that.
		time.Sleep(10 * time.Millisecond)
	}
	return strings.Join(got, " ")
}

const reuseConfig = `global
    nbthread 1
defaults
    mode http
    timeout connect 2s
    timeout client 5s
    timeout server 5s
frontend fe
    bind BIND
    bind BIND2 proto h2
    use_backend %[path,field(2,/)]
REUSEBACKENDS`

// TestHTTPReuseDifferential: http-reuse never|safe|aggressive|always
// (and the default, safe) to an HTTP/1.1 and an HTTP/2 server, the same
// request sequence from kept-alive clients through HAProxy 2.6 and goha:
// which server connection each request went on, and how many the server
// saw.
func TestHTTPReuseDifferential(t *testing.T) {
	t.Parallel()
	modes := []string{"default", "never", "safe", "aggressive", "always"}
	mk := func() (string, map[string]*atomic.Int64) {
		var bes strings.Builder
		counts := map[string]*atomic.Int64{}
		for _, proto := range []string{"h1", "h2"} {
			for _, m := range modes {
				addr, n := startConnNumberer(t)
				name := proto + "-" + m
				counts[name] = n
				fmt.Fprintf(&bes, "backend %s\n", name)
				if m != "default" {
					fmt.Fprintf(&bes, "    http-reuse %s\n", m)
				}
				fmt.Fprintf(&bes, "    server s1 %s", addr)
				if proto == "h2" {
					bes.WriteString(" proto h2")
				}
				bes.WriteString("\n")
			}
		}
		return strings.Replace(reuseConfig, "REUSEBACKENDS", bes.String(), 1), counts
	}
	haCfg, haCounts := mk()
	goCfg, goCounts := mk()
	testenv.LookPath(t, "haproxy")
	has, gohas := startTemplatedEach(t, haCfg, goCfg, []string{"BIND2", "BIND"}) // BIND2 first: it holds BIND
	ha, ha2, goha, goha2 := has[1], has[0], gohas[1], gohas[0]
	for _, proto := range []string{"h1", "h2"} {
		for _, m := range modes {
			be := proto + "-" + m
			want := runReuseSteps(t, ha, "/"+be, nil)
			got := runReuseSteps(t, goha, "/"+be, nil)
			t.Logf("%s: haproxy %d connections: %s", be, haCounts[be].Load(), want)
			if want != got || haCounts[be].Load() != goCounts[be].Load() {
				t.Errorf("%s:\nhaproxy (%d connections) %s\ngoha    (%d connections) %s", be, haCounts[be].Load(), want, goCounts[be].Load(), got)
			}
		}
	}
	// An HTTP/2 client's streams, one after the other: none is a first
	// request to HAProxy (its H2 mux marks every stream as a later one),
	// and they share their session's own connections.
	for _, be := range []string{"h1-default", "h2-default", "h1-aggressive", "h1-never", "h2-never"} {
		want := runH2ClientSteps(t, ha2, be)
		got := runH2ClientSteps(t, goha2, be)
		t.Logf("%s from an HTTP/2 client: haproxy %s", be, want)
		if want != got {
			t.Errorf("%s from an HTTP/2 client:\nhaproxy %s\ngoha    %s", be, want, got)
		}
	}
}

// runH2ClientSteps sends four requests one after the other on one h2c
// connection to backend be through the proxy's h2 bind at addr.
func runH2ClientSteps(t *testing.T, addr, be string) string {
	t.Helper()
	tr := h2cTransport(addr)
	defer tr.CloseIdleConnections()
	cl := &http.Client{Transport: tr, Timeout: 3 * time.Second}
	var got []string
	for range 4 {
		resp, err := cl.Get("http://h/" + be)
		if err != nil {
			got = append(got, "err")
			continue
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		got = append(got, string(b))
		time.Sleep(10 * time.Millisecond)
	}
	return strings.Join(got, " ")
}
