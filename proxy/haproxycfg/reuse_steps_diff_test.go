package haproxycfg

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/goha-lb/goha/internal/testenv"
)

// reuseScenarios are request sequences played one request at a time:
// each step is client/backend, a client named H... an HTTP/2 (h2c)
// client, the others kept-alive HTTP/1.1 clients; each opens its
// connection on its first step.
var reuseScenarios = []string{
	// a later request of A dials y; is that connection safe for B's first?
	"A/x A/y B/y C/y",
	// two clients each sending 1, 2, 3 requests, interleaved
	"A/x B/x A/x C/x B/x A/x D/x E/x",
	"A/x B/x C/x A/x B/x C/x A/x B/x C/x D/x",
	// an HTTP/2 client's first stream dials: safe for an HTTP/1 first request?
	"H/x A/x B/x",
	"H/x H/x A/x B/x",
	"A/x H/x B/x C/x",
	"H/x H/y A/y B/y A/y C/y",
	"H/x H/x H/x A/x H/x B/x",
	// first requests after a safe connection went to a first request
	"A/x A/x B/x C/x D/x E/x",
	// a client whose requests alternate between backends
	"A/x A/y A/x B/x B/y C/y A/y D/x",
}

// runStepsScenario plays one scenario through the proxy (h1 bind addr,
// h2 bind addr2) and gives the server connection number per step.
func runStepsScenario(t *testing.T, addr, addr2, prefix, steps string) string {
	t.Helper()
	type h1client struct {
		c net.Conn
		r *bufio.Reader
	}
	h1 := map[string]*h1client{}
	h2 := map[string]*http.Client{}
	defer func() {
		for _, c := range h1 {
			c.c.Close()
		}
		for _, c := range h2 {
			c.Transport.(*http.Transport).CloseIdleConnections()
		}
	}()
	var got []string
	for _, step := range strings.Fields(steps) {
		who, be, _ := strings.Cut(step, "/")
		path := "/" + prefix + be
		body := "err"
		if strings.HasPrefix(who, "H") {
			cl := h2[who]
			if cl == nil {
				cl = &http.Client{Transport: h2cTransport(addr2), Timeout: 3 * time.Second}
				h2[who] = cl
			}
			if resp, err := cl.Get("http://h" + path); err == nil {
				b, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				body = string(b)
			}
		} else {
			cl := h1[who]
			if cl == nil {
				c, err := net.DialTimeout("tcp", addr, 2*time.Second)
				if err != nil {
					t.Fatal(err)
				}
				cl = &h1client{c, bufio.NewReader(c)}
				h1[who] = cl
			}
			cl.c.SetDeadline(time.Now().Add(3 * time.Second))
			fmt.Fprintf(cl.c, "GET %s HTTP/1.1\r\nHost: h\r\n\r\n", path)
			if resp, err := http.ReadResponse(cl.r, nil); err == nil {
				b, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				body = string(b)
			}
		}
		got = append(got, step+":"+body)
		time.Sleep(10 * time.Millisecond)
	}
	return strings.Join(got, " ")
}

// TestHTTPReuseStepsDifferential: under each http-reuse mode, with
// HTTP/1.1 and HTTP/2 servers, the scenarios above through HAProxy 2.6
// and goha: which server connection each request went on.
func TestHTTPReuseStepsDifferential(t *testing.T) {
	t.Parallel()
	testenv.LookPath(t, "haproxy")
	modes := []string{"safe", "aggressive", "always", "never"}
	type key struct{ proto, mode, sc, be string }
	mk := func() (string, map[key]*atomic.Int64) {
		var bes strings.Builder
		counts := map[key]*atomic.Int64{}
		for _, proto := range []string{"h1", "h2"} {
			for _, m := range modes {
				for i := range reuseScenarios {
					for _, be := range []string{"x", "y"} {
						addr, n := startConnNumberer(t)
						counts[key{proto, m, fmt.Sprint(i), be}] = n
						fmt.Fprintf(&bes, "backend %s-%s-%d-%s\n    http-reuse %s\n    server s1 %s", proto, m, i, be, m, addr)
						if proto == "h2" {
							bes.WriteString(" proto h2")
						}
						bes.WriteString("\n")
					}
				}
			}
		}
		return strings.Replace(reuseConfig, "REUSEBACKENDS", bes.String(), 1), counts
	}
	haCfg, _ := mk()
	goCfg, _ := mk()
	has, gohas := startTemplatedEach(t, haCfg, goCfg, []string{"BIND2", "BIND"}) // BIND2 first: it holds BIND
	ha, ha2, goha, goha2 := has[1], has[0], gohas[1], gohas[0]
	for _, proto := range []string{"h1", "h2"} {
		for _, m := range modes {
			for i, sc := range reuseScenarios {
				prefix := fmt.Sprintf("%s-%s-%d-", proto, m, i)
				want := runStepsScenario(t, ha, ha2, prefix, sc)
				got := runStepsScenario(t, goha, goha2, prefix, sc)
				t.Logf("%s%d: haproxy %s", prefix, i, want)
				if want != got {
					t.Errorf("%s %q:\nhaproxy %s\ngoha    %s", prefix, sc, want, got)
				}
			}
		}
	}
}
