package main

import (
	"context"
	"net"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/goha-lb/goha/internal/loopback"
	"github.com/goha-lb/goha/internal/testenv"
	"golang.org/x/sys/unix"
)

// bindBeside says whether another socket with SO_REUSEPORT can bind addr
// while the proxy listens there: it can only when the proxy's socket has
// SO_REUSEPORT too.
func bindBeside(addr string) string {
	lc := net.ListenConfig{Control: func(_, _ string, c syscall.RawConn) error {
		return c.Control(func(fd uintptr) { unix.SetsockoptInt(int(fd), unix.SOL_SOCKET, unix.SO_REUSEPORT, 1) })
	}}
	ln, err := lc.Listen(context.Background(), "tcp", addr)
	if err != nil {
		if strings.Contains(err.Error(), "address already in use") {
			return "in use"
		}
		return err.Error()
	}
	ln.Close()
	return "bound beside"
}

// TestNoReusePortMatchesHAProxy: HAProxy 2.6.12 binds its listeners with
// SO_REUSEPORT, in master-worker mode too, and without it under global
// noreuseport; gohaproxy binds them as it does (measured by binding a
// second SO_REUSEPORT socket on the address). Under noreuseport a
// master-worker reload (SIGUSR2) and an -sf reload taking the sockets
// with -x still serve on the address, the new sockets without
// SO_REUSEPORT either. A plain -sf reload without -x, which HAProxy does
// by pausing the old process's listeners (SIGTTOU), is refused by
// gohaproxy at start: the new process exits 1 and the old one serves on.
func TestNoReusePortMatchesHAProxy(t *testing.T) {
	haproxy := testenv.LookPath(t, "haproxy")
	goha := gohaproxyBin(t)
	be := startPMBackend(t)
	for _, mw := range []bool{false, true} {
		for _, no := range []bool{false, true} {
			var got [2]string
			for i, bin := range []string{haproxy, goha} {
				dir := t.TempDir()
				addr, cfg := loopback.FreeAddr(t), filepath.Join(dir, "h.cfg")
				global := "    stats timeout 1s"
				if no {
					global += "\n    noreuseport"
				}
				args := []string{"-db", "-f", cfg}
				if mw {
					args = append(args, "-W")
				}
				pmConfig(t, cfg, addr, be.addr, global)
				p := startPM(t, bin, nil, nil, args...)
				waitServing(t, addr)
				got[i] = bindBeside(addr)
				if mw && no {
					// a reload: the new worker takes the master's sockets
					p.waitLog(t, `Loading success`, 10*time.Second)
					// HAProxy's master loses a signal right after "Loading
					// success." (as in runPrograms)
					time.Sleep(1500 * time.Millisecond)
					p.cmd.Process.Signal(syscall.SIGUSR2)
					p.waitLog(t, `(?s)Loading success.*Loading success`, 10*time.Second)
					waitServing(t, addr)
					got[i] += ", reloaded: " + bindBeside(addr)
				}
				p.cmd.Process.Signal(syscall.SIGTERM)
				p.exitCode(t, 10*time.Second)
			}
			want := "bound beside"
			if no {
				want = "in use"
			}
			if got[0] != got[1] || !strings.HasPrefix(got[0], want) {
				t.Errorf("master-worker %v noreuseport %v: haproxy %q, gohaproxy %q (want %q)", mw, no, got[0], got[1], want)
			}
		}
	}
	// -sf reloads under noreuseport: with -x both serve on; without it
	// HAProxy pauses the old process, gohaproxy refuses.
	for _, x := range []bool{true, false} {
		for i, bin := range []string{haproxy, goha} {
			dir := t.TempDir()
			addr, cfg, stats := loopback.FreeAddr(t), filepath.Join(dir, "h.cfg"), filepath.Join(dir, "stats")
			pmConfig(t, cfg, addr, be.addr, "    noreuseport\n    stats socket "+stats+" mode 600 level admin expose-fd listeners")
			old := startPM(t, bin, nil, nil, "-db", "-f", cfg)
			waitServing(t, addr)
			args := []string{"-db", "-f", cfg, "-sf", strconv.Itoa(old.cmd.Process.Pid)}
			if x {
				args = append(args, "-x", stats)
			}
			cur := startPM(t, bin, nil, nil, args...)
			if i == 1 && !x {
				if code := cur.exitCode(t, 10*time.Second); code != 1 || !strings.Contains(cur.stderr.String(), "noreuseport with -sf/-st needs -x") {
					t.Errorf("gohaproxy -sf without -x: exit %d\n%s", code, cur.stderr)
				}
				waitServing(t, addr) // the old process serves on
				continue
			}
			if code := old.exitCode(t, 10*time.Second); code != 0 {
				t.Errorf("%s -x %v: the old process exited %d", filepath.Base(bin), x, code)
			}
			waitServing(t, addr)
			if b := bindBeside(addr); b != "in use" {
				t.Errorf("%s -x %v: the new process's listener: %s", filepath.Base(bin), x, b)
			}
		}
	}
}
