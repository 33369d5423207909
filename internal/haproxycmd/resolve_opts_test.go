package haproxycmd

import (
	"fmt"
	"testing"

	"github.com/goha-lb/goha/internal/dnstest"
	"github.com/goha-lb/goha/internal/testenv"
)

// `resolve-opts` and `resolve-net` on server-template slots beside
// HAProxy 2.6, with answers whose order differs from HAProxy's record
// order (the XXH32 keys put 127.0.0.6 before .2): slots take records in
// that order (a), allow-dup-ip lets every slot take the one address (d)
// and keeps them on it while it lives even when a second one comes,
// prevent-dup-ip written after it wins (p), resolve-net's network comes
// first and a slot whose record went takes a free one (n). Compared at
// each step: show servers state, show stat, the log lines and the show
// resolvers counters.
func TestResolveOptsMatchHAProxy(t *testing.T) {
	testenv.LookPath(t, "haproxy")
	dns, err := dnstest.Start()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(dns.Close)
	dns.Set("a.test", "127.0.0.2", "127.0.0.6")
	dns.Set("d.test", "127.0.0.5")
	dns.Set("p.test", "127.0.0.5")
	dns.Set("n.test", "127.0.0.2", "127.0.0.4", "127.0.0.6")
	port := webOnIPs(t, map[string]string{"127.0.0.2": "w2", "127.0.0.3": "w3", "127.0.0.4": "w4",
		"127.0.0.5": "w5", "127.0.0.6": "w6"})
	opts := "resolvers dns resolve-prefer ipv4 init-addr none"
	p := startDNSPair(t, dns.Addr(), fmt.Sprintf(`    server-template a 3 a.test:%d %s
    server-template d 3 d.test:%d %s resolve-opts allow-dup-ip
    server-template p 2 p.test:%d %s resolve-opts allow-dup-ip,prevent-dup-ip
    server-template n 2 n.test:%d %s resolve-net 10.0.0.0/8,127.0.0.4/32
`, port, opts, port, opts, port, opts, port, opts))
	p.step("start", has("a1 127.0.0.6 2 0 ", "a2 127.0.0.2 2 0 ", "a3 - 0 32 ",
		"d1 127.0.0.5 2 0 ", "d2 127.0.0.5 2 0 ", "d3 127.0.0.5 2 0 ",
		"p1 127.0.0.5 2 0 ", "p2 - 0 32 ", "n1 127.0.0.4 2 0 ", "n2 127.0.0.6 2 0 "))
	dns.Set("d.test", "127.0.0.5", "127.0.0.4")
	dns.Set("n.test", "127.0.0.3", "127.0.0.4")
	p.step("changed", has("d1 127.0.0.5 2 0 ", "d2 127.0.0.5 2 0 ", "d3 127.0.0.5 2 0 ",
		"n1 127.0.0.4 2 0 ", "n2 127.0.0.3 2 0 "))
	p.logsAndCounters(10)
}
