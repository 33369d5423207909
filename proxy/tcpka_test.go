package proxy

import (
	"context"
	"net"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/goha-lb/goha/internal/loopback"
	"github.com/goha-lb/goha/internal/testenv"
	"github.com/goha-lb/goha/proxy/listen"
)

// sysctlInt reads one of the kernel's keepalive defaults.
func sysctlInt(t *testing.T, name string) int {
	b, err := os.ReadFile("/proc/sys/net/ipv4/" + name)
	if err != nil {
		t.Skip(err)
	}
	n, _ := strconv.Atoi(strings.TrimSpace(string(b)))
	return n
}

// The frontend's keepalive setting holds on every listener: the ones goha
// opens (no keepalive from Go's accept) and inherited ones (fd@, systemd,
// the master's hand-over: net.FileListener, whose accept turns 15 s
// probes on). Off clears it; on writes the given probe values and the
// system's for the rest, which is what HAProxy's sockets read (it leaves
// them unset). TestTCPKeepAliveDifferential compares with HAProxy itself.
func TestFrontendKeepAliveOnEveryListener(t *testing.T) {
	testenv.LookPath(t, "ss")
	sysIdle, sysIntvl, sysCnt := sysctlInt(t, "tcp_keepalive_time"), sysctlInt(t, "tcp_keepalive_intvl"), sysctlInt(t, "tcp_keepalive_probes")
	be := textBackend(t, "hello")
	for _, tc := range []struct {
		name string
		ka   *TCPKeepAlive
		want loopback.KeepAlive
	}{
		{"off", nil, loopback.KeepAlive{}},
		{"idle", &TCPKeepAlive{Idle: 30 * time.Second}, loopback.KeepAlive{On: 1, Idle: 30, Intvl: sysIntvl, Cnt: sysCnt}},
		{"cnt intvl", &TCPKeepAlive{Count: 3, Interval: 5 * time.Second}, loopback.KeepAlive{On: 1, Idle: sysIdle, Intvl: 5, Cnt: 3}},
	} {
		for _, inherited := range []bool{false, true} {
			cfg := seedConfig(be.addr)
			cfg.Frontends[0].TCPKeepAlive = tc.ka
			opt := Options{NewBalancer: newTestBalancer}
			if inherited {
				cfg.Frontends[0].Binds = []string{"fd@7"}
				_, dup := sharedListener(t)
				opt.Listen = func(string, string, listen.SockOpts) (net.Listener, error) { return dup(), nil }
			} else {
				cfg.Frontends[0].Binds = []string{loopback.FreeAddr(t)}
			}
			p, err := New(cfg, opt)
			if err != nil {
				t.Fatal(err)
			}
			if err := p.Start(); err != nil {
				t.Fatal(err)
			}
			addr := p.Addrs()[0].String()
			c, err := net.Dial("tcp", addr)
			if err != nil {
				t.Fatal(err)
			}
			var got loopback.KeepAlive
			for deadline := time.Now().Add(2 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
				if got, _ = loopback.KeepAliveOf(t, os.Getpid(), addr, c.LocalAddr().String()); got == tc.want {
					break
				}
			}
			if got != tc.want {
				t.Errorf("%s, inherited=%v: %v, want %v", tc.name, inherited, got, tc.want)
			}
			c.Close()
			p.Shutdown(context.Background())
		}
	}
}
