package balance

import (
	"fmt"
	"math/rand/v2"
	"net/netip"
	"strings"
	"testing"

	"github.com/goha-lb/goha/internal/loopback"
	"github.com/goha-lb/goha/internal/testenv"
	"github.com/goha-lb/goha/proxy/internal/difftest"
)

// TestDifferentialRandomChanges replays a seeded random sequence of
// runtime changes (set weight, disable, enable) and requests through
// haproxy's stats socket and through Update, and compares every pick.
func TestDifferentialRandomChanges(t *testing.T) {
	testenv.LookPath(t, "haproxy")
	for _, tc := range []struct {
		balance string
		extra   string
		opts    Options
		seed    uint64
	}{
		{"roundrobin", "", Options{}, 1},
		{"roundrobin", "", Options{}, 2},
		{"roundrobin", "    option allbackups\n", Options{AllBackups: true}, 3},
		{"leastconn", "", Options{}, 4},
		{"uri", "    hash-type consistent\n", Options{Consistent: true, Avalanche: true}, 5},
		{"static-rr", "", Options{}, 6},
		{"uri", "", Options{}, 7},
		{"url_param", "    hash-type consistent djb2\n", Options{Consistent: true, Func: DJB2}, 8},
		{"url_param", "    hash-type consistent\n", Options{Consistent: true, Avalanche: true}, 9},
		{"hdr(x-k)", "    hash-type consistent\n", Options{Consistent: true, Avalanche: true}, 10}, // never a header: the ring walk
		{"roundrobin", "", Options{}, 11},
		{"leastconn", "", Options{}, 12},
		{"static-rr", "    option allbackups\n", Options{AllBackups: true}, 13},
	} {
		t.Run(fmt.Sprint(tc.balance, tc.seed), func(t *testing.T) {
			rng := rand.New(rand.NewPCG(tc.seed, 42))
			const n = 5
			weights := make([]int, n)
			for i := range weights {
				weights[i] = 1 + rng.IntN(20)
			}
			addrs := startNamedBackends(t, n)
			front := loopback.FreeAddr(t)
			sock := shortSock(t)
			var cfg strings.Builder
			fmt.Fprintf(&cfg, "global\n    maxconn 200\n    stats socket %s level admin\ndefaults\n    mode http\n    timeout connect 2s\n    timeout client 5s\n    timeout server 5s\n", sock)
			balanceLine := tc.balance
			if tc.balance == "url_param" {
				balanceLine += " k"
			}
			fmt.Fprintf(&cfg, "listen lb\n    bind %s\n    balance %s\n%s", front, balanceLine, tc.extra)
			srv := servers(weights...)
			for i, a := range addrs {
				bk := ""
				if i == n-1 {
					bk = " backup"
					srv[i].Backup = true
				}
				fmt.Fprintf(&cfg, "    server web%d %s weight %d%s\n", i+1, a, weights[i], bk)
			}
			difftest.StartHAProxy(t, cfg.String(), front)
			var args []string
			if tc.balance == "url_param" {
				args = []string{"k"}
			}
			b := mustNew(t, tc.balance, args, srv, tc.opts)
			var want, got []string
			for op := range 30 {
				i := rng.IntN(n)
				name := fmt.Sprintf("lb/web%d", i+1)
				var cmd string
				switch rng.IntN(4) {
				case 0:
					cmd = "disable server " + name
					srv[i].Up = false
				case 1:
					cmd = "enable server " + name
					srv[i].Up = true
				default:
					w := rng.IntN(30)
					if spec := (Spec{Algorithm: specOf(t, tc.balance, args).Algorithm, Options: tc.opts}); !spec.Dynamic() {
						w = weights[i] * rng.IntN(2) // static: 0% or 100% only
					}
					cmd = fmt.Sprintf("set weight %s %d", name, w)
					srv[i].Weight = w
				}
				adminCommand(t, sock, cmd)
				b.Update()
				mark := "[" + strings.ReplaceAll(cmd, " ", "_") + "]"
				want, got = append(want, mark), append(got, mark)
				for k := range 1 + rng.IntN(7) {
					target := fmt.Sprintf("/o/%d/%d?k=%d", op, k, rng.IntN(1000))
					if rng.IntN(4) == 0 {
						target = fmt.Sprintf("/o/%d", k) // no parameter: round-robin fallback
					}
					star := ""
					if !strings.Contains(target, "?") {
						star = "*" // a fallback pick
					}
					want = append(want, fetchNames(t, front, []string{target}, nil)[0]+star)
					waitSessions(t, sock, 0)
					got = append(got, nameOf(b.Pick(&Request{Src: netip.MustParseAddr("127.0.0.1"), URI: target}))+star)
				}
			}
			if strings.Join(want, " ") != strings.Join(got, " ") {
				t.Errorf("weights %v\nhaproxy: %v\ngoha:    %v", weights, want, got)
			}
		})
	}
}
