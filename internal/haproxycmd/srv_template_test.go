package haproxycmd

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/goha-lb/goha/internal/dnstest"
	"github.com/goha-lb/goha/internal/haproxytest"
	"github.com/goha-lb/goha/internal/loopback"
	"github.com/goha-lb/goha/internal/testenv"
)

// server-template slots fed by SRV records beside HAProxy 2.6: records
// whose targets come with A records in the additional section fill their
// slots at once ("by DNS additional record", a), others make the slot
// resolve the target itself (b); the SRV port and weight ((w+255)/256)
// follow, but not under ignore-weight (c). Then a record goes (its slot
// loses name, address and port), a weight changes, a target moves to
// another port (a new record: the first free slot takes it), and the
// name stops existing (every slot empties past hold nx). Compared at each
// step: show servers state (srv_fqdn, srvrecord and the admin bits), show
// stat (the address with the SRV port), the log lines and the show
// resolvers counters.
func TestServerTemplateSRVMatchHAProxy(t *testing.T) {
	testenv.LookPath(t, "haproxy")
	dns, err := dnstest.Start()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(dns.Close)
	names := map[string]string{"127.0.0.2": "w2", "127.0.0.3": "w3", "127.0.0.4": "w4", "127.0.0.5": "w5"}
	p1, p2 := uint16(webOnIPs(t, names)), uint16(webOnIPs(t, names))
	dns.Set("a1.test", "127.0.0.2")
	dns.Set("a2.test", "127.0.0.3")
	dns.Set("b1.test", "127.0.0.4")
	dns.Set("b2.test", "127.0.0.5")
	dns.SetSRV("_http._tcp.a.test", true, dnstest.SRV{Target: "a1.test", Port: p1, Weight: 10}, dnstest.SRV{Target: "a2.test", Port: p1, Weight: 300})
	// b's records come in the reverse of HAProxy's record order
	dns.SetSRV("_http._tcp.b.test", false, dnstest.SRV{Target: "b2.test", Port: p1, Weight: 65535}, dnstest.SRV{Target: "b1.test", Port: p1, Weight: 0})
	dns.SetSRV("_http._tcp.c.test", true, dnstest.SRV{Target: "a1.test", Port: p2, Weight: 1000})
	p := startDNSPair(t, dns.Addr(), `    server-template a 3 _http._tcp.a.test resolvers dns init-addr none
    server-template b 3 _http._tcp.b.test resolvers dns init-addr none resolve-prefer ipv4
    server-template c 1 _http._tcp.c.test resolvers dns resolve-opts ignore-weight
`)
	p.step("start", has("a1 127.0.0.2 2 64 1 ", "a2 127.0.0.3 2 64 2 ", "a3 - 0 32 1 ", "b1 127.0.0.4 2 64 0 ",
		"b2 127.0.0.5 2 64 256 ", "b3 - 0 32 ", "c1 127.0.0.2 2 64 1 "))
	dns.SetSRV("_http._tcp.a.test", true, dnstest.SRV{Target: "a2.test", Port: p1, Weight: 300})
	dns.SetSRV("_http._tcp.b.test", false, dnstest.SRV{Target: "b1.test", Port: p1, Weight: 512}, dnstest.SRV{Target: "b2.test", Port: p2, Weight: 65535})
	p.step("changed", has("a1 - 0 96 1 ", "a2 127.0.0.3 2 64 2 ", "b1 127.0.0.4 2 64 2 ", "b2 - 0 96 256 ",
		"b3 127.0.0.5 2 64 256 "))
	dns.SetSRV("_http._tcp.a.test", true)
	p.step("nx", has("a1 - 0 96 ", "a2 - 0 96 ", "a3 - 0 32 "))
	// a slot freed while its own question is in flight makes HAProxy
	// count that answer as outdated, or not, by its timing
	p.unpredictable = []string{"outdated:"}
	p.logsAndCounters(14)
}

// Health checks on SRV slots beside HAProxy 2.6: a slot's check follows
// the address and port its record gives (a1 up, a2 on a closed port
// down), a slot without a record stays in MAINT (resolution) unchecked
// (a3), `port` overrides the record's port (c1, in backend xbe). Then a2's record moves to
// the open port (the check comes up) and a1's record goes (MAINT).
// Compared at each step: show servers state, show stat (status,
// check_status, check_code) and the log lines.
//
// Two things HAProxy does by its schedule alone make a round run again
// (three rounds at most): a check of a1's still under way when its record
// goes ends after a1 went into MAINT and raises its health from 0 to 1
// (set_server_check_status does not look at the maintenance), and an
// answer to a question asked for a slot freed meanwhile counts as
// outdated.
func TestServerTemplateSRVChecksMatchHAProxy(t *testing.T) {
	testenv.LookPath(t, "haproxy")
	for round := 1; ; round++ {
		if srvChecksRound(t, round == 3) {
			return
		}
		if round == 3 {
			t.Fatal("three rounds in a row, HAProxy's schedule slipped (see the rounds' lines)")
		}
	}
}

// srvChecksRound is one round of TestServerTemplateSRVChecksMatchHAProxy
// on fresh daemons. Unless last, it reports false, having compared
// nothing after the record moved, when HAProxy's a1 entered MAINT with a
// check under way, or nothing after the moved step when HAProxy counted
// an outdated answer.
func srvChecksRound(t *testing.T, last bool) bool {
	dns, err := dnstest.Start()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(dns.Close)
	names := map[string]string{"127.0.0.2": "w2", "127.0.0.3": "w3"}
	open := uint16(webOnIPs(t, names))
	closed := uint16(loopback.FreePort(t))
	dns.Set("a1.test", "127.0.0.2")
	dns.Set("a2.test", "127.0.0.3")
	dns.SetSRV("_http._tcp.a.test", true, dnstest.SRV{Target: "a1.test", Port: open, Weight: 256},
		dnstest.SRV{Target: "a2.test", Port: closed, Weight: 256})
	dns.SetSRV("_http._tcp.c.test", true, dnstest.SRV{Target: "a2.test", Port: closed, Weight: 256})
	// c in its own backend: whether HAProxy has filled c1 when a2's check
	// fails depends on which answer its event loop reads first
	p := startDNSPair(t, dns.Addr(), fmt.Sprintf(`    default-server check inter 100ms fall 1 rise 1
    server-template a 3 _http._tcp.a.test resolvers dns init-addr none
backend xbe
    default-server check inter 100ms fall 1 rise 1
    server-template c 1 _http._tcp.c.test resolvers dns init-addr none port %d
`, open))
	p.checkCols = []string{"check_status", "check_code"}
	// xbe's c1 checked first on both: the start step's show stat has
	// its row too
	var xbe []string
	for _, d := range p.both {
		var st string
		for i := 0; i < 60 && !strings.Contains(st, "c1 127.0.0.3 2 64 1 1 - 6 3 1 "); i++ {
			time.Sleep(50 * time.Millisecond)
			st = haproxytest.ServersState(haproxytest.StatsCmd(t, d.sock, "show servers state xbe"))
		}
		xbe = append(xbe, st)
	}
	if !strings.Contains(xbe[0], "c1 127.0.0.3 2 64 1 1 - 6 3 1 ") || xbe[0] != xbe[1] {
		t.Errorf("show servers state xbe\nhaproxy %s\n   goha %s", xbe[0], xbe[1])
	}
	p.step("start", has("a1 127.0.0.2 2 64 1 1 - 6 3 1 ", "a2 127.0.0.3 0 64 1 1 - 8 2 0 ", "a3 - 0 32 1 "))
	// a new port is a new record: the first free slot (a3) takes it
	dns.SetSRV("_http._tcp.a.test", true, dnstest.SRV{Target: "a2.test", Port: open, Weight: 256})
	moved := has("a1 - 0 96 ", "a2 - 0 96 ", "a3 127.0.0.3 2 64 1 1 - 6 3 1 ")
	if h := maintHealth(p.poll(p.both[0], moved), "a1"); !last && h != "0" {
		t.Logf("HAProxy's check of a1 ended after a1 went into MAINT (health %s): again", h)
		return false
	}
	p.step("moved", moved)
	if !last && slices.Contains(resolverCounters(haproxytest.StatsCmd(t, p.both[0].sock, "show resolvers")), "outdated: some") {
		t.Log("HAProxy counted an answer outdated: again")
		return false
	}
	p.logsAndCounters(6)
	return true
}

// maintHealth is the check health (srv_check_health) of server name in
// a ServersState reduction, "" without it.
func maintHealth(state, name string) string {
	for _, l := range strings.Split(state, "\n") {
		if f := strings.Fields(l); len(f) > 12 && f[3] == name {
			return f[12]
		}
	}
	return ""
}
