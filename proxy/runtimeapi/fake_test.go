package runtimeapi

import (
	"bufio"
	"bytes"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// fakeSource is the state of the HAProxy the reference captures were
// taken from (testdata/haproxy-2.6.12/haproxy.cfg) with no traffic yet,
// and applies state and weight changes as HAProxy does.
type fakeSource struct {
	mu      sync.Mutex
	proxies []Proxy
	calls   []string
	down    map[string]bool // backends currently down
}

func newFakeSource() *fakeSource {
	never := Counters{LastSess: -1}
	srv := func(name string, id int, addr string, w int, backup bool) Server {
		return Server{Counters: never, Name: name, ID: id, Addr: addr, Up: true, Backup: backup,
			Weight: w, InitialWeight: w, LastChange: time.Second}
	}
	return &fakeSource{proxies: []Proxy{
		{Name: "main", ID: 2, HTTP: true, Frontend: &Frontend{SLim: 4000}},
		{Name: "tcpfe", ID: 3, Frontend: &Frontend{SLim: 4000}},
		{Name: "lf", ID: 4, HTTP: true, Frontend: &Frontend{SLim: 4000}},
		{Name: "servers", ID: 5, HTTP: true, Backend: &Backend{Counters: never, SLim: 800, Algo: "roundrobin",
			LastChange: time.Second, Servers: []Server{
				srv("web1", 1, "127.0.0.1:18090", 1, false),
				srv("web2", 2, "127.0.0.1:18091", 5, false),
				srv("web3", 3, "127.0.0.1:18092", 1, true),
			}}},
		{Name: "tcpbe", ID: 6, Backend: &Backend{Counters: never, SLim: 400, Algo: "roundrobin",
			LastChange: time.Second, Servers: []Server{func() Server {
				s := srv("t1", 1, "127.0.0.1:18090", 1, false)
				s.NeedConns = 1 // HAProxy counts the check's connection
				s.Check = &Check{Status: "L4OK", Desc: "Layer4 check passed", Rise: 2, Fall: 3, Health: 4}
				return s
			}()}}},
	}}
}

func (f *fakeSource) Info() Info {
	return Info{Version: "2.6.12-1+deb12u4", ReleaseDate: "2026/10/17", Nbthread: 2, Pid: 4242,
		Uptime: 90061 * time.Second, Maxconn: 4000, HardMaxconn: 4000, Node: "vm", Listeners: 5}
}

// Stats returns a deep copy, as a real snapshot would be.
func (f *fakeSource) Stats() []Proxy {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := make([]Proxy, len(f.proxies))
	for i, p := range f.proxies {
		if p.Backend != nil {
			b := *p.Backend
			b.Servers = append([]Server(nil), b.Servers...)
			p.Backend = &b
		}
		out[i] = p
	}
	return out
}

func (f *fakeSource) server(b, s string) *Server {
	for _, p := range f.proxies {
		if p.Backend != nil && p.Name == b {
			for i := range p.Backend.Servers {
				if p.Backend.Servers[i].Name == s {
					return &p.Backend.Servers[i]
				}
			}
		}
	}
	panic("fake: no server " + b + "/" + s)
}

func (f *fakeSource) SetServerState(b, s string, st AdminState) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, "state "+b+"/"+s+" "+st.String())
	sv := f.server(b, s)
	if st == StateMaint && !sv.Maint && sv.Check == nil {
		// as the worker: maintenance empties an unchecked server's
		// health, and leaving it does not refill it (HAProxy 2.6.12)
		zero := 0
		sv.UncheckedHealth = &zero
	}
	sv.Maint, sv.Drain = st == StateMaint, st == StateDrain
	sv.LastChange = 0
	f.backendTransition(b)
	return nil
}

func (f *fakeSource) SetServerWeight(b, s string, w int) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, "weight "+b+"/"+s+" "+itoa(w))
	f.server(b, s).Weight = w
	f.backendTransition(b)
	return nil
}

// backendTransition does what HAProxy does when a backend loses its last
// usable server or gets one back: count the down transition, reset
// lastchg.
func (f *fakeSource) backendTransition(name string) {
	for _, p := range f.proxies {
		if p.Backend == nil || p.Name != name {
			continue
		}
		w, _, _ := backendWeights(p.Backend)
		up := w > 0
		if f.down == nil {
			f.down = map[string]bool{}
		}
		if was := !f.down[name]; was != up {
			p.Backend.LastChange = 0
			if !up {
				p.Backend.Downs++
			}
			f.down[name] = !up
		}
	}
}

func itoa(v int) string { return strconv.Itoa(v) }

// capture is one command sent to the real haproxy and its full answer.
type capture struct {
	cmd, out string
}

// readCaptures parses a testdata session file: "===== 'cmd' (socket)"
// lines, the answer, then "<<END>>".
func readCaptures(t *testing.T, name string) []capture {
	t.Helper()
	data, err := os.ReadFile("testdata/haproxy-2.6.12/" + name)
	if err != nil {
		t.Fatal(err)
	}
	var out []capture
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(nil, 1<<20)
	var cur *capture
	var body strings.Builder
	for sc.Scan() {
		line := sc.Text()
		switch {
		case strings.HasPrefix(line, "===== '"):
			end := strings.LastIndex(line, "' (")
			out = append(out, capture{cmd: strings.ReplaceAll(line[len("===== '"):end], `\n`, "\n")})
			cur = &out[len(out)-1]
			body.Reset()
		case strings.HasSuffix(line, "<<END>>"):
			body.WriteString(strings.TrimSuffix(line, "<<END>>"))
			cur.out = body.String()
		default:
			body.WriteString(line + "\n")
		}
	}
	return out
}

// newOperatorFakeSource mirrors testdata/haproxy-2.6.12/haproxy-operator.cfg:
// no frontend, a `disabled` server, a static-rr backend. IDs are left to
// the default numbering.
func newOperatorFakeSource() *fakeSource {
	never := Counters{LastSess: -1}
	return &fakeSource{proxies: []Proxy{
		{Name: "servers", HTTP: true, Backend: &Backend{Counters: never, SLim: 1, Algo: "roundrobin",
			LastChange: time.Second, Servers: []Server{
				{Counters: never, Name: "web1", ID: 1, Addr: "127.0.0.1:18090", ConfigDisabled: true, Maint: true, Up: true,
					Weight: 1, InitialWeight: 1, LastChange: time.Second},
				{Counters: never, Name: "web2", ID: 2, Addr: "127.0.0.1:18091", Up: true,
					Weight: 5, InitialWeight: 5, LastChange: time.Second},
			}}},
		{Name: "st", HTTP: true, Backend: &Backend{Counters: never, SLim: 1, Algo: "static-rr", StaticWeights: true,
			LastChange: time.Second, Servers: []Server{
				{Counters: never, Name: "s1", ID: 1, Addr: "127.0.0.1:18090", Up: true,
					Weight: 4, InitialWeight: 4, LastChange: time.Second},
			}}},
	}}
}

// newChecksFakeSource mirrors testdata/haproxy-2.6.12/haproxy-checks.cfg
// three seconds after start: a listen section, s1 passing its HTTP check
// (maxconn 10, maxqueue 5), s2 refused and down.
func newChecksFakeSource() *fakeSource {
	never := Counters{LastSess: -1}
	return &fakeSource{proxies: []Proxy{
		{Name: "web", HTTP: true, Frontend: &Frontend{SLim: 9985},
			Backend: &Backend{Counters: never, SLim: 999, Algo: "roundrobin", LastChange: 3 * time.Second, Servers: []Server{
				{Counters: never, Name: "s1", ID: 1, Addr: "127.0.0.1:28096", Up: true, Weight: 1, InitialWeight: 1,
					MaxConn: 10, MaxQueue: 5, LastChange: 3 * time.Second, NeedConns: 1,
					Check: &Check{Status: "L7OK", Code: 200, Duration: time.Millisecond, Desc: "Layer7 check passed", Rise: 2, Fall: 3, Health: 4}},
				{Counters: never, Name: "s2", ID: 2, Addr: "127.0.0.1:28097", Weight: 1, InitialWeight: 1,
					LastChange: 3 * time.Second, Downtime: 3 * time.Second, NeedConns: 1,
					Check: &Check{Status: "L4CON", Desc: "Layer4 connection problem", Info: "Connection refused",
						Rise: 2, Fall: 3, Health: 0, Failed: 1, Downs: 1}},
			}}},
	}}
}
