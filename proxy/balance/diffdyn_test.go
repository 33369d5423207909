package balance

import (
	"bufio"
	"fmt"
	"net"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/goha-lb/goha/internal/loopback"
	"github.com/goha-lb/goha/internal/testenv"
	"github.com/goha-lb/goha/proxy/internal/difftest"
)

// step is a runtime change between two runs of requests: HAProxy gets cmd
// on its stats socket, our balancer gets apply + Update.
type step struct {
	cmd     string
	apply   func(s []*Server)
	picks   int
	targets []string // request targets (default: picks x "/")
}

func adminCommand(t *testing.T, sock, cmd string) {
	t.Helper()
	if out := adminQuery(t, sock, cmd); strings.TrimSpace(out) != "" {
		t.Fatalf("haproxy answered %q to %q", out, cmd)
	}
}

// adminQuery sends one command to haproxy's stats socket and returns the
// answer.
func adminQuery(t *testing.T, sock, cmd string) string {
	t.Helper()
	c, err := net.DialTimeout("unix", sock, 2*time.Second)
	// haproxy renames its stats socket into place after its listeners
	// answer: a loaded machine may not be there yet.
	for i := 0; err != nil && i < 100; i++ {
		time.Sleep(50 * time.Millisecond)
		c, err = net.DialTimeout("unix", sock, 2*time.Second)
	}
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(2 * time.Second))
	fmt.Fprintf(c, "%s\n", cmd)
	out, _ := bufio.NewReader(c).ReadString(0)
	return out
}

// TestDifferentialDynamicWeights changes weights and states at run time
// through HAProxy's stats socket and through Update, and compares the pick
// sequences around the changes (fwrr's repositioning rules).
func TestDifferentialDynamicWeights(t *testing.T) {
	testenv.LookPath(t, "haproxy")
	cases := []struct {
		name    string
		balance string
		extra   string // more backend lines
		opts    Options
		weights []int
		backup  []bool
		steps   []step
	}{
		{name: "roundrobin weight up", balance: "roundrobin", weights: []int{1, 1, 1}, steps: []step{
			{picks: 7},
			{cmd: "set weight lb/web2 5", apply: func(s []*Server) { s[1].Weight = 5 }, picks: 21},
			{cmd: "set weight lb/web2 1", apply: func(s []*Server) { s[1].Weight = 1 }, picks: 9},
		}},
		{name: "roundrobin down and up", balance: "roundrobin", weights: []int{1, 2, 3}, steps: []step{
			{picks: 5},
			{cmd: "disable server lb/web3", apply: func(s []*Server) { s[2].Up = false }, picks: 7},
			{cmd: "enable server lb/web3", apply: func(s []*Server) { s[2].Up = true }, picks: 13},
		}},
		{name: "roundrobin drain to zero", balance: "roundrobin", weights: []int{2, 3, 1}, steps: []step{
			{picks: 4},
			{cmd: "set weight lb/web1 0", apply: func(s []*Server) { s[0].Weight = 0 }, picks: 8},
			{cmd: "set weight lb/web1 4", apply: func(s []*Server) { s[0].Weight = 4 }, picks: 20},
		}},
		{name: "roundrobin backups", balance: "roundrobin", weights: []int{1, 1, 1, 1}, backup: []bool{false, false, true, true}, steps: []step{
			{picks: 4},
			{cmd: "disable server lb/web1", apply: func(s []*Server) { s[0].Up = false }, picks: 3},
			{cmd: "disable server lb/web2", apply: func(s []*Server) { s[1].Up = false }, picks: 3},
			{cmd: "disable server lb/web3", apply: func(s []*Server) { s[2].Up = false }, picks: 3},
			{cmd: "enable server lb/web1", apply: func(s []*Server) { s[0].Up = true }, picks: 3},
		}},
		{name: "roundrobin many changes", balance: "roundrobin", weights: []int{3, 5, 2, 7}, steps: []step{
			{picks: 6},
			{cmd: "set weight lb/web4 1", apply: func(s []*Server) { s[3].Weight = 1 }, picks: 5},
			{cmd: "set weight lb/web1 9", apply: func(s []*Server) { s[0].Weight = 9 }, picks: 11},
			{cmd: "disable server lb/web2", apply: func(s []*Server) { s[1].Up = false }, picks: 3},
			{cmd: "set weight lb/web3 0", apply: func(s []*Server) { s[2].Weight = 0 }, picks: 4},
			{cmd: "enable server lb/web2", apply: func(s []*Server) { s[1].Up = true }, picks: 9},
			{cmd: "set weight lb/web3 6", apply: func(s []*Server) { s[2].Weight = 6 }, picks: 30},
		}},
		{name: "roundrobin allbackups", balance: "roundrobin", extra: "    option allbackups\n", opts: Options{AllBackups: true},
			weights: []int{1, 2, 1, 3}, backup: []bool{false, true, true, true}, steps: []step{
				{picks: 3},
				{cmd: "disable server lb/web1", apply: func(s []*Server) { s[0].Up = false }, picks: 12},
				{cmd: "set weight lb/web3 4", apply: func(s []*Server) { s[2].Weight = 4 }, picks: 18},
			}},
		{name: "uri consistent weights", balance: "uri", extra: "    hash-type consistent\n", opts: Options{Consistent: true, Avalanche: true},
			weights: []int{1, 1, 1}, steps: []step{
				{targets: manyURIs(40)},
				{cmd: "set weight lb/web2 3", apply: func(s []*Server) { s[1].Weight = 3 }, targets: manyURIs(40)},
				{cmd: "disable server lb/web1", apply: func(s []*Server) { s[0].Up = false }, targets: manyURIs(40)},
			}},
		{name: "source map-based down", balance: "source", weights: []int{1, 1, 1, 1}, steps: []step{
			{picks: 2},
			{cmd: "disable server lb/web3", apply: func(s []*Server) { s[2].Up = false }, picks: 2},
			{cmd: "disable server lb/web1", apply: func(s []*Server) { s[0].Up = false }, picks: 2},
		}},
		{name: "static-rr down and up", balance: "static-rr", weights: []int{1, 2, 3}, steps: []step{
			{picks: 5},
			{cmd: "disable server lb/web2", apply: func(s []*Server) { s[1].Up = false }, picks: 7},
			{cmd: "enable server lb/web2", apply: func(s []*Server) { s[1].Up = true }, picks: 13},
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			addrs := startNamedBackends(t, len(tc.weights))
			front := loopback.FreeAddr(t)
			sock := shortSock(t)
			var cfg strings.Builder
			fmt.Fprintf(&cfg, "global\n    maxconn 200\n    stats socket %s level admin\ndefaults\n    mode http\n    timeout connect 2s\n    timeout client 5s\n    timeout server 5s\n", sock)
			fmt.Fprintf(&cfg, "listen lb\n    bind %s\n    balance %s\n%s", front, tc.balance, tc.extra)
			srv := servers(tc.weights...)
			for i, a := range addrs {
				bk := ""
				if tc.backup != nil && tc.backup[i] {
					bk = " backup"
					srv[i].Backup = true
				}
				fmt.Fprintf(&cfg, "    server web%d %s weight %d%s\n", i+1, a, tc.weights[i], bk)
			}
			difftest.StartHAProxy(t, cfg.String(), front)
			b := mustNew(t, tc.balance, nil, srv, tc.opts)
			var want, got []string
			for _, st := range tc.steps {
				if st.cmd != "" {
					adminCommand(t, sock, st.cmd)
					st.apply(srv)
					b.Update()
					want = append(want, "|")
					got = append(got, "|")
				}
				targets := st.targets
				if targets == nil {
					targets = repeat("/", st.picks)
				}
				for _, target := range targets {
					want = append(want, fetchNames(t, front, []string{target}, nil)...)
					waitSessions(t, sock, 0)
				}
				for _, target := range targets {
					got = append(got, nameOf(b.Pick(&Request{Src: netip.MustParseAddr("127.0.0.1"), URI: target})))
				}
			}
			if strings.Join(want, " ") != strings.Join(got, " ") {
				t.Errorf("\nhaproxy: %v\ngoha:    %v", want, got)
			}
		})
	}
}

func manyURIs(n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("/item/%d", i)
	}
	return out
}

func nameOf(s *Server) string {
	if s == nil {
		return "-"
	}
	return s.Name
}
