package haproxycmd

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/goha-lb/goha/internal/dnstest"
	"github.com/goha-lb/goha/internal/haproxytest"
	"github.com/goha-lb/goha/internal/loopback"
	"github.com/goha-lb/goha/internal/testenv"
)

// webOnIPs starts one web server per loopback address, all on one port
// (a DNS answer moves a server between addresses, its port stays): each
// answers its name.
func webOnIPs(t *testing.T, names map[string]string) int {
	t.Helper()
	for try := 0; try < 20; try++ {
		var lns []net.Listener
		port := 0
		ok := true
		for ip := range names {
			ln, err := net.Listen("tcp", net.JoinHostPort(ip, fmt.Sprint(port)))
			if err != nil {
				ok = false
				break
			}
			port = ln.Addr().(*net.TCPAddr).Port
			lns = append(lns, ln)
		}
		if !ok {
			for _, ln := range lns {
				ln.Close()
			}
			continue
		}
		for _, ln := range lns {
			name := names[ln.Addr().(*net.TCPAddr).IP.String()]
			srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
				io.WriteString(w, name+"\n")
			})}
			go srv.Serve(ln)
			t.Cleanup(func() { srv.Close() })
		}
		return port
	}
	t.Fatal("no common free port on the loopback addresses")
	return 0
}

// dnsPair is HAProxy 2.6 and goha run on one configuration whose servers
// are resolved by the test's DNS server.
type dnsPair struct {
	t    *testing.T
	both []dnsDaemon
	// unpredictable are show resolvers counters left out of the
	// comparison: HAProxy's depend on its timing there
	unpredictable []string
	// checkCols are show stat columns compared beside status, weight and
	// addr, with HAProxy's "* " (check under way) mark dropped
	checkCols []string
}

type dnsDaemon struct {
	name, bind, sock, dir string
	errs                  *haproxytest.Buffer
}

// startDNSPair starts both daemons with a resolvers section "dns" asking
// ns, fast timers (a resolution every 200ms, NX held 600ms), and backend
// be made of the given server lines.
func startDNSPair(t *testing.T, ns string, servers string) *dnsPair {
	p := &dnsPair{t: t}
	start := func(ha bool) dnsDaemon {
		dir, bind := t.TempDir(), loopback.FreeAddr(t)
		path := filepath.Join(dir, "r.cfg")
		os.WriteFile(path, []byte(fmt.Sprintf(adminHead+`resolvers dns
    nameserver ns1 %s
    accepted_payload_size 1232
    resolve_retries 2
    timeout resolve 200ms
    timeout retry 300ms
    hold valid 200ms
    hold nx 600ms
resolvers spare
    nameserver other 127.0.0.1:53
frontend fe
    bind %s
    default_backend be
backend be
%s`, dir, ns, bind, servers)), 0o644)
		d := dnsDaemon{name: "goha", bind: bind, sock: filepath.Join(dir, "s.sock"), dir: dir}
		if ha {
			d.name = "haproxy"
		}
		d.errs = runLogged(t, ha, path)
		loopback.WaitListen(t, bind)
		return d
	}
	p.both = []dnsDaemon{start(true), start(false)}
	return p
}

// step polls each daemon's show servers state until want says it is there
// (bounded), then compares the two, and their show stat status, weight
// and address columns.
func (p *dnsPair) step(what string, want func(state string) bool) {
	t := p.t
	t.Helper()
	var states []string
	for _, d := range p.both {
		st := p.poll(d, want)
		if !want(st) {
			t.Fatalf("%s: %s never reached the state:\n%s", what, d.name, st)
		}
		states = append(states, st)
	}
	if states[0] != states[1] {
		t.Errorf("%s: show servers state\nhaproxy %s\n   goha %s", what, states[0], states[1])
	}
	cols := append([]string{"pxname", "svname", "status", "weight", "addr"}, p.checkCols...)
	rows := func(d dnsDaemon) []string {
		return statColumns(t, strings.ReplaceAll(haproxytest.StatsCmd(t, d.sock, "show stat"), "* ", ""), cols)
	}
	diffLines(t, what+": show stat", rows(p.both[0]), rows(p.both[1]))
}

// poll gives d's show servers state of backend be (reduced by
// ServersState) once want says it is there, or after 3 s.
func (p *dnsPair) poll(d dnsDaemon, want func(state string) bool) string {
	var st string
	for i := 0; i < 60; i++ {
		if st = haproxytest.ServersState(haproxytest.StatsCmd(p.t, d.sock, "show servers state be")); want(st) {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	return st
}

// get checks that a request through each daemon gets want.
func (p *dnsPair) get(what string, want string) {
	p.t.Helper()
	for _, d := range p.both {
		if got := loopback.Get(p.t, d.bind); got != want {
			p.t.Errorf("%s: %s answered %q, want %q", what, d.name, got, want)
		}
	}
}

// logsAndCounters compares the servers' log lines (each server's in
// order: servers resolve independently) and the show resolvers counters.
func (p *dnsPair) logsAndCounters(atLeast int) {
	t := p.t
	t.Helper()
	var logs, counters [2][]string
	for i, d := range p.both {
		for _, l := range strings.Split(d.errs.String(), "\n") {
			if strings.Contains(l, "be/") || strings.Contains(l, "no server available") {
				l = checkDuration.ReplaceAllString(l, "check duration: Nms") // the machine's timing
				logs[i] = append(logs[i], strings.ReplaceAll(l[strings.Index(l, ":")+2:], d.dir, "DIR"))
			}
		}
		sort.SliceStable(logs[i], func(a, b int) bool { return serverOf(logs[i][a]) < serverOf(logs[i][b]) })
		for _, row := range resolverCounters(haproxytest.StatsCmd(t, d.sock, "show resolvers")) {
			if !slices.Contains(p.unpredictable, strings.Fields(row)[0]) {
				counters[i] = append(counters[i], row)
			}
		}
	}
	if len(logs[0]) < atLeast {
		t.Fatalf("haproxy logged only %q", logs[0])
	}
	diffLines(t, "log lines", logs[0], logs[1])
	diffLines(t, "show resolvers", counters[0], counters[1])
}

var checkDuration = regexp.MustCompile(`check duration: [0-9]+ms`)

func has(subs ...string) func(string) bool {
	return func(st string) bool {
		for _, s := range subs {
			if !strings.Contains(st, s) {
				return false
			}
		}
		return true
	}
}

// Servers resolved by a `resolvers` section from a DNS server run by the
// test, whose answers change while both daemons run: the servers start in
// MAINT (resolution) (init-addr none), move with the answers, fall back
// into maintenance on NXDOMAIN past `hold nx`, and come back. Compared
// with HAProxy 2.6 at each step: show servers state, show stat status
// and address, the server that answers a request, the log lines, and the
// show resolvers counters (update exactly, the others zero or not).
func TestResolversMatchHAProxy(t *testing.T) {
	testenv.LookPath(t, "haproxy")
	dns, err := dnstest.Start()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(dns.Close)
	dns.Set("web.test", "127.0.0.2")
	port := webOnIPs(t, map[string]string{"127.0.0.2": "webA", "127.0.0.3": "webB"})
	p := startDNSPair(t, dns.Addr(), fmt.Sprintf(`    server s1 web.test:%d resolvers dns resolve-prefer ipv4 init-addr none
    server s2 other.test:%d resolvers dns init-addr last,libc,none
`, port, port))
	p.step("start", has("s1 127.0.0.2 2 0 ", "s2 - 0 32 "))
	p.get("start", "200 webA")
	dns.Set("web.test", "127.0.0.3")
	dns.Set("other.test", "127.0.0.3")
	p.step("moved", has("s1 127.0.0.3 2 0 ", "s2 127.0.0.3 2 0 "))
	p.get("moved", "200 webB")
	// one at a time: the "servers left" counts depend on the order
	dns.Set("other.test")
	p.step("s2 nx", has("s1 127.0.0.3 2 0 ", "s2 - 0 32 "))
	p.get("s2 nx", "200 webB")
	dns.Set("web.test")
	p.step("nx", has("s1 - 0 32 ", "s2 - 0 32 "))
	for _, d := range p.both {
		if got := loopback.Get(t, d.bind); !strings.HasPrefix(got, "503 ") {
			t.Errorf("nx: %s answered %q, want 503", d.name, got)
		}
	}
	dns.Set("web.test", "127.0.0.2")
	p.step("back", has("s1 127.0.0.2 2 0 ", "s2 - 0 32 "))
	p.get("back", "200 webA")
	p.logsAndCounters(10)
}

// server-template slots filled from A answers beside HAProxy 2.6: the
// first answer fills two of three slots (the first server's lines name the
// nameserver, the others' "DNS cache"), a third address fills the free
// slot while the others keep theirs, and an answer that drops addresses
// sends their slots into MAINT (resolution) at once ("No IP for server").
// Traffic follows: with one address left every request reaches it.
func TestServerTemplateMatchHAProxy(t *testing.T) {
	testenv.LookPath(t, "haproxy")
	dns, err := dnstest.Start()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(dns.Close)
	dns.Set("web.test", "127.0.0.2", "127.0.0.3")
	port := webOnIPs(t, map[string]string{"127.0.0.2": "webA", "127.0.0.3": "webB", "127.0.0.4": "webC"})
	p := startDNSPair(t, dns.Addr(), fmt.Sprintf(`    server-template web 3 web.test:%d resolvers dns resolve-prefer ipv4 init-addr none
    server-template alt 5-6 alt.test:%d resolvers dns init-addr none
`, port, port))
	p.step("start", has("web1 127.0.0.2 2 0 ", "web2 127.0.0.3 2 0 ", "web3 - 0 32 ", "alt5 - 0 32 ", "alt6 - 0 32 "))
	dns.Set("web.test", "127.0.0.2", "127.0.0.3", "127.0.0.4")
	dns.Set("alt.test", "127.0.0.4")
	p.step("third address", has("web1 127.0.0.2 2 0 ", "web2 127.0.0.3 2 0 ", "web3 127.0.0.4 2 0 ", "alt5 127.0.0.4 2 0 ", "alt6 - 0 32 "))
	dns.Set("web.test", "127.0.0.3")
	dns.Set("alt.test")
	p.step("one left", has("web1 - 0 32 ", "web2 127.0.0.3 2 0 ", "web3 - 0 32 ", "alt5 - 0 32 ", "alt6 - 0 32 "))
	p.get("one left", "200 webB")
	p.get("one left", "200 webB")
	p.logsAndCounters(12)
}

// resolverCounters reduces show resolvers to its section and nameserver
// lines and, per counter, "update N" exactly and the others as zero or
// not: the number of questions depends on timing.
func resolverCounters(out string) []string {
	var rows []string
	for _, l := range strings.Split(out, "\n") {
		f := strings.Fields(l)
		switch {
		case len(f) == 2 && strings.HasSuffix(f[0], ":") && f[0] != "update:":
			if f[1] != "0" {
				f[1] = "some"
			}
			rows = append(rows, strings.Join(f, " "))
		case len(f) > 0:
			rows = append(rows, strings.Join(f, " "))
		}
	}
	return rows
}

// serverOf is the server a log line is about ("~" for a backend line).
func serverOf(line string) string {
	i := strings.Index(line, "be/")
	if i < 0 {
		return "~"
	}
	end := i + 3
	for end < len(line) && (line[end] >= 'a' && line[end] <= 'z' || line[end] >= '0' && line[end] <= '9') {
		end++
	}
	return line[i:end]
}
