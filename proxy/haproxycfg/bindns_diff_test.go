package haproxycfg

import (
	"bytes"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/goha-lb/goha/internal/loopback"
	"github.com/goha-lb/goha/internal/testenv"
	"golang.org/x/sys/unix"
)

// TestBindNamespaceDifferential: `bind ... namespace <name>` beside HAProxy
// 2.6. The test makes its own network namespace (ip netns add), and each
// daemon, running in the test's namespace, opens its listeners inside it:
// on 127.0.0.1 and on the wildcards 0.0.0.0 and :: with and without v4v6
// and v6only (the namespace holds only lo, so wildcards reach nothing
// else). From inside the namespace, a client connects to each listener on
// 127.0.0.1 and on ::1: which ones answer (the server, in the test's own
// namespace, sends a greeting) and the listening sockets' IPV6_V6ONLY
// must be the same for both daemons.
func TestBindNamespaceDifferential(t *testing.T) {
	testenv.Root(t)
	testenv.LookPath(t, "haproxy")
	testenv.LookPath(t, "ip")
	testenv.LookPath(t, "ss")
	ns := fmt.Sprintf("gohabind%d", os.Getpid())
	if out, err := exec.Command("ip", "netns", "add", ns).CombinedOutput(); err != nil {
		t.Fatalf("ip netns add: %v %s", err, out)
	}
	t.Cleanup(func() { exec.Command("ip", "netns", "del", ns).Run() })
	if out, err := exec.Command("ip", "netns", "exec", ns, "ip", "link", "set", "lo", "up").CombinedOutput(); err != nil {
		t.Fatalf("lo up: %v %s", err, out)
	}
	srv := loopback.ServeEach(t, loopback.Listen(t), func(c net.Conn) { io.WriteString(c, "hello\n") })
	binds := []struct{ name, addr, opts string }{
		{"127.0.0.1", "127.0.0.1", ""},
		{"0.0.0.0 v4v6", "", "v4v6"},
		{":: default", "::", ""},
		{":: v6only", "::", "v6only"},
		{":: v4v6", "::", "v4v6"},
		{":: v6only v4v6", "::", "v4v6 v6only"},
	}
	prefix := []string{"ip", "netns", "exec", ns}
	type outcome struct {
		V4, V6 string
		V6Only int
	}
	var got [2][]outcome
	for i, side := range []string{"haproxy", "goha"} {
		cfg := "defaults\n    mode tcp\n    timeout connect 2s\n    timeout client 5s\n    timeout server 5s\nfrontend fe\n"
		var ports []int
		for _, b := range binds {
			p := loopback.FreePort(t) // free here too: the root check below means something
			ports = append(ports, p)
			cfg += fmt.Sprintf("    bind %s:%d %s namespace %s\n", b.addr, p, b.opts, ns)
		}
		cfg += "    default_backend be\nbackend be\n    server s1 " + srv + "\n"
		requireRuns(t, cfg)
		if side == "haproxy" {
			startHAProxyIn(t, cfg, prefix, ports)
		} else {
			runPlan(t, cfg)
		}
		for k, b := range binds {
			host := b.addr
			switch host {
			case "":
				host = "0.0.0.0"
			case "::":
				host = "[::]"
			}
			var o outcome
			o.V6Only = -2
			loopback.WithSocket(t, prefix, host+":"+strconv.Itoa(ports[k]), "", func(fd int) {
				o.V6Only, _ = unix.GetsockoptInt(fd, unix.IPPROTO_IPV6, unix.IPV6_V6ONLY)
				if d, _ := unix.GetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_DOMAIN); d == unix.AF_INET {
					o.V6Only = -1
				}
			})
			if o.V6Only == -2 {
				t.Errorf("%s %s: no listener in the namespace", side, b.name)
			}
			o.V4 = greetingIn(t, ns, "127.0.0.1:"+strconv.Itoa(ports[k]))
			o.V6 = greetingIn(t, ns, "[::1]:"+strconv.Itoa(ports[k]))
			got[i] = append(got[i], o)
		}
		// Nothing listens in the test's own namespace.
		if c, err := net.DialTimeout("tcp", "127.0.0.1:"+strconv.Itoa(ports[0]), time.Second); err == nil {
			c.Close()
			t.Errorf("%s: 127.0.0.1:%d answers outside the namespace", side, ports[0])
		}
	}
	for k, b := range binds {
		if got[0][k] != got[1][k] {
			t.Errorf("%s: haproxy %+v, goha %+v", b.name, got[0][k], got[1][k])
		}
		t.Logf("%s: %+v", b.name, got[0][k])
	}
}

// greetingIn connects from inside network namespace ns and returns what
// the proxy relays ("refused" when nothing listens).
func greetingIn(t *testing.T, ns, addr string) string {
	type result struct {
		c   net.Conn
		err error
	}
	done := make(chan result, 1)
	go func() {
		runtime.LockOSThread() // never unlocked: the thread ends with the goroutine
		fd, err := unix.Open("/var/run/netns/"+ns, unix.O_RDONLY|unix.O_CLOEXEC, 0)
		if err != nil {
			done <- result{err: err}
			return
		}
		defer unix.Close(fd)
		if err := unix.Setns(fd, unix.CLONE_NEWNET); err != nil {
			done <- result{err: err}
			return
		}
		c, err := net.DialTimeout("tcp", addr, time.Second)
		done <- result{c, err}
	}()
	r := <-done
	if r.err != nil {
		if strings.Contains(r.err.Error(), "refused") {
			return "refused"
		}
		return r.err.Error()
	}
	defer r.c.Close()
	r.c.SetDeadline(time.Now().Add(2 * time.Second))
	b, _ := io.ReadAll(r.c)
	return string(b)
}

// startHAProxyIn runs HAProxy on cfg and waits until ss, run through
// prefix, shows every port listening.
func startHAProxyIn(t *testing.T, cfg string, prefix []string, ports []int) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "haproxy.cfg")
	if err := os.WriteFile(path, []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	var logs bytes.Buffer
	cmd := exec.Command("haproxy", "-db", "-f", path)
	cmd.Stdout, cmd.Stderr = &logs, &logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	args := append(append([]string{}, prefix...), "ss", "-tlnH")
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		out, _ := exec.Command(args[0], args[1:]...).Output()
		n := 0
		for _, p := range ports {
			if strings.Contains(string(out), ":"+strconv.Itoa(p)+" ") {
				n++
			}
		}
		if n == len(ports) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("haproxy did not listen in the namespace:\n%s\n%s", out, logs.String())
		}
	}
}
