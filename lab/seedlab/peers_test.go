package seedlab

import (
	"strings"
	"testing"
	"time"
)

// peersSeedConfig is the seed's haproxy.cfg with a peers section of the
// pair (lb1 and lb2, port 10000), the local peer named for node, and the
// frontend's rate limit replicated through it: more than 3 requests in 10s
// from one source get 429.
func peersSeedConfig(t *testing.T, seed []byte, node string) []byte {
	t.Helper()
	c := string(seed)
	for _, r := range []struct{ at, add string }{
		{"global\n", "    localpeer " + node + "\n"},
		{"frontend main\n    bind *:80\n", "    stick-table type ip size 100k expire 30s peers seedpeers store http_req_rate(10s),gpc0\n" +
			"    http-request track-sc0 src\n" +
			"    http-request deny deny_status 429 if { sc_http_req_rate(0) gt 3 }\n"},
	} {
		i := strings.Index(c, r.at)
		if i < 0 {
			t.Fatalf("seed haproxy.cfg lacks %q", r.at)
		}
		c = c[:i+len(r.at)] + r.add + c[i+len(r.at):]
	}
	i := strings.Index(c, "frontend main\n")
	return []byte(c[:i] + "peers seedpeers\n    peer lb1 " + LB1Addr + ":10000\n    peer lb2 " + LB2Addr + ":10000\n\n" + c[i:])
}

// A client rate-limited through lb1 is still limited through lb2 right
// after the VRRP failover: the two balancers' stick tables are kept in step
// by their peers section. gohaproxy on both, then gohaproxy beside HAProxy
// 2.6 both ways.
func TestPeersFailoverGoha(t *testing.T) {
	g := gohaImpl(t)
	peersFailover(t, Options{LB1: g, LB2: g, Backend: BackendCommand})
}

func TestPeersFailoverMixed(t *testing.T) {
	g := gohaImpl(t)
	t.Run("goha-master", func(t *testing.T) { peersFailover(t, Options{LB1: g, LB2: Reference(), Backend: BackendCommand}) })
	t.Run("reference-master", func(t *testing.T) { peersFailover(t, Options{LB1: Reference(), LB2: g, Backend: BackendCommand}) })
}

func peersFailover(t *testing.T, opts Options) {
	s := newSeedForTest(t, opts)
	ctx := ctxT(t)
	for _, n := range []*Node{s.LB1, s.LB2} {
		if err := n.WriteFile("/etc/haproxy/haproxy.cfg", peersSeedConfig(t, s.Files.Haproxy, n.Name), 0o644); err != nil {
			t.Fatal(err)
		}
		if _, err := s.StartHaproxy(n); err != nil {
			t.Fatalf("%s: %v", n.Name, err)
		}
	}
	ka1, _, _, err := s.StartPair(ctx, WithAccept(s.Files.KeepalivedLB1), WithAccept(s.Files.KeepalivedLB2)) // accept: the VIP answers (vrrp_strict drops it otherwise)
	if err != nil {
		t.Fatal(err)
	}
	vip := VIP + ":80"
	for i, want := range []int{200, 200, 200, 429} {
		if got := Get(s.Client.Host, vip, 2*time.Second); got.Status != want {
			t.Fatalf("request %d through lb1: %+v, want status %d", i+1, got, want)
		}
	}
	// Pushes are batched (HAProxy and goha within 50..100ms): let lb2 learn
	// the fourth request before lb1 goes.
	time.Sleep(500 * time.Millisecond)
	if err := ka1.Stop(10 * time.Second); err != nil {
		t.Fatal(err)
	}
	if _, err := s.WaitVIP(ctx, VIP, s.LB2, 10*time.Second); err != nil {
		t.Fatal(err)
	}
	if got := Get(s.Client.Host, vip, 2*time.Second); got.Status != 429 {
		t.Errorf("first request through lb2 after the failover: %+v, want status 429", got)
	}
}

// stickySeedConfig is the seed's haproxy.cfg with the peers section of
// peersSeedConfig and sticky sessions on the backend: `stick on src` in a
// stick-table replicated through it.
func stickySeedConfig(t *testing.T, seed []byte, node string) []byte {
	t.Helper()
	c := string(seed)
	for _, r := range []struct{ at, add string }{
		{"global\n", "    localpeer " + node + "\n"},
		{"backend servers\n    balance roundrobin\n", "    stick-table type ip size 100k expire 30m peers seedpeers\n    stick on src\n"},
	} {
		i := strings.Index(c, r.at)
		if i < 0 {
			t.Fatalf("seed haproxy.cfg lacks %q", r.at)
		}
		c = c[:i+len(r.at)] + r.add + c[i+len(r.at):]
	}
	i := strings.Index(c, "frontend main\n")
	return []byte(c[:i] + "peers seedpeers\n    peer lb1 " + LB1Addr + ":10000\n    peer lb2 " + LB2Addr + ":10000\n\n" + c[i:])
}

// A sticky client (`stick on src`) keeps its server through lb2 right
// after the VRRP failover from lb1: gohaproxy on both, then gohaproxy
// beside HAProxy 2.6 both ways. lb1 first serves one request from lb2's
// own address (roundrobin gives it server1), so the client sticks to
// server2: lb2, which never balanced anything, would send it to server1
// if the entry had not reached it (checked by hand: without "peers
// seedpeers" on the table, both requests after the failover get server1).
func TestPeersStickyFailoverGoha(t *testing.T) {
	g := gohaImpl(t)
	stickyFailover(t, Options{LB1: g, LB2: g, Backend: BackendCommand})
}

func TestPeersStickyFailoverMixed(t *testing.T) {
	g := gohaImpl(t)
	t.Run("goha-master", func(t *testing.T) { stickyFailover(t, Options{LB1: g, LB2: Reference(), Backend: BackendCommand}) })
	t.Run("reference-master", func(t *testing.T) { stickyFailover(t, Options{LB1: Reference(), LB2: g, Backend: BackendCommand}) })
}

func stickyFailover(t *testing.T, opts Options) {
	s := newSeedForTest(t, opts)
	ctx := ctxT(t)
	for _, n := range []*Node{s.LB1, s.LB2} {
		if err := n.WriteFile("/etc/haproxy/haproxy.cfg", stickySeedConfig(t, s.Files.Haproxy, n.Name), 0o644); err != nil {
			t.Fatal(err)
		}
		if _, err := s.StartHaproxy(n); err != nil {
			t.Fatalf("%s: %v", n.Name, err)
		}
	}
	ka1, _, _, err := s.StartPair(ctx, WithAccept(s.Files.KeepalivedLB1), WithAccept(s.Files.KeepalivedLB2))
	if err != nil {
		t.Fatal(err)
	}
	vip := VIP + ":80"
	if got := Get(s.LB2.Host, vip, 2*time.Second); got.Status != 200 || got.Body != "server1" {
		t.Fatalf("lb2's own request through lb1: %+v, want server1", got)
	}
	for i := 0; i < 3; i++ {
		if got := Get(s.Client.Host, vip, 2*time.Second); got.Status != 200 || got.Body != "server2" {
			t.Fatalf("client request %d through lb1: %+v, want server2 (sticky)", i+1, got)
		}
	}
	time.Sleep(500 * time.Millisecond) // pushes are batched
	if err := ka1.Stop(10 * time.Second); err != nil {
		t.Fatal(err)
	}
	if _, err := s.WaitVIP(ctx, VIP, s.LB2, 10*time.Second); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 2; i++ {
		if got := Get(s.Client.Host, vip, 2*time.Second); got.Status != 200 || got.Body != "server2" {
			t.Errorf("client request %d through lb2 after the failover: %+v, want server2 (its sticky server)", i+1, got)
		}
	}
}
