package balance

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/goha-lb/goha/internal/loopback"
	"github.com/goha-lb/goha/internal/testenv"
	"github.com/goha-lb/goha/proxy/internal/difftest"
)

// heldBackends are three HTTP servers answering their name; requests to
// /slow are held until release() so that servers carry live connections,
// and each arrival of a /slow request is reported on arrived.
type heldBackends struct {
	addrs   []string
	arrived chan string
	release chan struct{}
	once    sync.Once
}

func startHeldBackends(t *testing.T, n int) *heldBackends {
	t.Helper()
	h := &heldBackends{arrived: make(chan string, 64), release: make(chan struct{})}
	for i := 1; i <= n; i++ {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		name := fmt.Sprintf("web%d", i)
		srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if strings.HasPrefix(r.URL.Path, "/slow") {
				h.arrived <- name
				select {
				case <-h.release:
				case <-time.After(10 * time.Second):
				}
			}
			io.WriteString(w, name)
		})}
		go srv.Serve(ln)
		t.Cleanup(func() { srv.Close() })
		h.addrs = append(h.addrs, ln.Addr().String())
	}
	t.Cleanup(h.releaseAll)
	return h
}

func (h *heldBackends) releaseAll() { h.once.Do(func() { close(h.release) }) }

// TestDifferentialLiveConnections holds some connections open (/slow) and
// sends quick requests in between, through haproxy and through our
// balancer (which sees the held connections in Conns), for the algorithms
// that depend on connection counts.
func TestDifferentialLiveConnections(t *testing.T) {
	testenv.LookPath(t, "haproxy")
	// script: "S" = a held request, "F" = a quick one
	cases := []struct {
		name    string
		balance string
		weights []int
		maxconn int
		script  string
	}{
		{"leastconn equal", "leastconn", []int{1, 1, 1}, 0, "S F F F S F F S F F F"},
		{"leastconn weighted", "leastconn", []int{1, 2, 3}, 0, "S S F F F S F S F F F F"},
		{"first maxconn 2", "first", []int{1, 1, 1}, 2, "F S F S F S F S F"},
		{"roundrobin maxconn 1", "roundrobin", []int{1, 1, 1}, 1, "S F F F S F F F"},
		{"roundrobin weighted maxconn 2", "roundrobin", []int{3, 1, 2}, 2, "S S F F F S F S F F F F"},
		{"static-rr maxconn 1", "static-rr", []int{1, 2, 1}, 1, "S F F F S F F F"},
		{"leastconn maxconn 1", "leastconn", []int{1, 2, 1}, 1, "S F F S F F F"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h := startHeldBackends(t, len(tc.weights))
			front := loopback.FreeAddr(t)
			var cfg strings.Builder
			sock := shortSock(t)
			fmt.Fprintf(&cfg, "global\n    maxconn 200\n    stats socket %s level admin\ndefaults\n    mode http\n    timeout connect 2s\n    timeout client 15s\n    timeout server 15s\n    timeout queue 1s\n", sock)
			fmt.Fprintf(&cfg, "listen lb\n    bind %s\n    balance %s\n", front, tc.balance)
			srv := servers(tc.weights...)
			for i, a := range h.addrs {
				mc := ""
				if tc.maxconn > 0 {
					mc = fmt.Sprintf(" maxconn %d", tc.maxconn)
					srv[i].MaxConn = int64(tc.maxconn)
				}
				fmt.Fprintf(&cfg, "    server web%d %s weight %d%s\n", i+1, a, tc.weights[i], mc)
			}
			difftest.StartHAProxy(t, cfg.String(), front)
			b := mustNew(t, tc.balance, nil, srv, Options{})
			byName := map[string]*Server{}
			for _, s := range srv {
				byName[s.Name] = s
			}

			var want, got []string
			held := 0
			client := &http.Client{Timeout: 15 * time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
			for _, op := range strings.Fields(tc.script) {
				// ours
				p := b.Pick(nil)
				got = append(got, nameOf(p))
				if p != nil && op == "S" {
					p.Conns.Add(1) // held until the end
				}
				// haproxy's
				if op == "S" {
					go func() {
						if resp, err := client.Get("http://" + front + "/slow"); err == nil {
							resp.Body.Close()
						}
					}()
					select {
					case name := <-h.arrived:
						want = append(want, name)
					case <-time.After(5 * time.Second):
						t.Fatal("held request never reached a backend")
					}
					held++
					waitSessions(t, sock, held)
					continue
				}
				want = append(want, fetchNames(t, front, []string{"/"}, nil)...)
				waitSessions(t, sock, held)
			}
			h.releaseAll()
			if strings.Join(want, " ") != strings.Join(got, " ") {
				t.Errorf("script %s\nhaproxy: %v\ngoha:    %v", tc.script, want, got)
			}
		})
	}
}

// TestDifferentialBoundedLoads holds requests for one URI under `balance
// uri` + `hash-type consistent` + `hash-balance-factor`: once its server
// carries its share, the same key moves on along the ring, as in haproxy.
func TestDifferentialBoundedLoads(t *testing.T) {
	testenv.LookPath(t, "haproxy")
	for _, factor := range []int{101, 150} {
		t.Run(fmt.Sprint(factor), func(t *testing.T) {
			h := startHeldBackends(t, 3)
			front := loopback.FreeAddr(t)
			sock := shortSock(t)
			var cfg strings.Builder
			fmt.Fprintf(&cfg, "global\n    maxconn 200\n    stats socket %s level admin\ndefaults\n    mode http\n    timeout connect 2s\n    timeout client 15s\n    timeout server 15s\n", sock)
			fmt.Fprintf(&cfg, "listen lb\n    bind %s\n    balance uri\n    hash-type consistent\n    hash-balance-factor %d\n", front, factor)
			for i, a := range h.addrs {
				fmt.Fprintf(&cfg, "    server web%d %s weight %d\n", i+1, a, 1+i%2)
			}
			difftest.StartHAProxy(t, cfg.String(), front)
			srv := servers(1, 2, 1)
			b := mustNew(t, "uri", nil, srv, Options{Consistent: true, Avalanche: true, HashBalanceFactor: factor})
			client := &http.Client{Timeout: 15 * time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
			var want, got []string
			held := 0
			for _, op := range strings.Fields("S S S F S S F S S F") {
				target := "/"
				if op == "S" {
					target = "/slow"
				}
				p := b.Pick(&Request{URI: target})
				got = append(got, nameOf(p))
				if op == "S" {
					p.Conns.Add(1)
					go func() {
						if resp, err := client.Get("http://" + front + target); err == nil {
							resp.Body.Close()
						}
					}()
					select {
					case name := <-h.arrived:
						want = append(want, name)
					case <-time.After(5 * time.Second):
						t.Fatal("held request never reached a backend")
					}
					held++
					waitSessions(t, sock, held)
					continue
				}
				want = append(want, fetchNames(t, front, []string{target}, nil)...)
				waitSessions(t, sock, held)
			}
			h.releaseAll()
			if strings.Join(want, " ") != strings.Join(got, " ") {
				t.Errorf("\nhaproxy: %v\ngoha:    %v", want, got)
			}
		})
	}
}
