package haproxycmd

import (
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/goha-lb/goha/internal/loopback"
	"github.com/goha-lb/goha/internal/testenv"
)

// Health checks connect as the backend's traffic does: HAProxy sets the
// backend's srvtcpka (with its tuning) on check and agent connections and
// nothing without it. Each server's check waits for a reply that never
// comes, so its connection stays established while the test reads the
// keepalive options of the proxy's socket (getsockopt, found with ss).
func TestCheckTCPKeepAliveMatchHAProxy(t *testing.T) {
	testenv.LookPath(t, "haproxy")
	testenv.LookPath(t, "ss")
	hold := func(c net.Conn) {
		c.SetReadDeadline(time.Now().Add(3 * time.Second))
		io.Copy(io.Discard, c)
	}
	peers := map[string]string{} // server -> the address its check connects to
	// "mail": the mailer the alerts of backend down go to once its
	// server (nothing listens there) fails its check (held without a
	// greeting: the connection stays).
	for _, s := range []string{"ka", "plain", "agent", "mail"} {
		peers[s] = loopback.ServeEach(t, loopback.Listen(t), hold)
	}
	web := loopback.StartWeb(t, "w").Addr
	_, agentPort, _ := net.SplitHostPort(peers["agent"])
	stats := loopback.FreeAddr(t)
	cfg := fmt.Sprintf("global\n    stats socket ipv4@"+stats+"\nmailers m\n    mailer smtp1 "+peers["mail"]+"\n"+
		"defaults\n    mode tcp\n    timeout connect 1s\n    timeout client 5s\n    timeout server 5s\n    timeout check 3s\n"+
		"frontend f\n    bind %s\n    default_backend ka\n"+
		"backend ka\n    option srvtcpka\n    srvtcpka-idle 33\n    srvtcpka-cnt 2\n    option tcp-check\n    tcp-check expect string never\n"+
		"    server s %s check inter 200ms\n    server a %s agent-check agent-port %s agent-inter 200ms\n"+
		"backend plain\n    option tcp-check\n    tcp-check expect string never\n    server s %s check inter 200ms\n"+
		"backend down\n    server s "+loopback.FreeAddr(t)+" check inter 200ms fall 1\n"+
		"    email-alert mailers m\n    email-alert from a@example.com\n    email-alert to b@example.com\n    email-alert level info\n",
		loopback.FreeAddr(t), peers["ka"], web, agentPort, peers["plain"])
	path := filepath.Join(t.TempDir(), "c.cfg")
	if err := os.WriteFile(path, []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	run := func(ha bool) map[string]loopback.KeepAlive {
		pid := os.Getpid()
		if ha {
			cmd := exec.Command("haproxy", "-db", "-f", path)
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			defer func() { cmd.Process.Kill(); cmd.Wait() }()
			pid = cmd.Process.Pid
		} else {
			w, _ := inProcess(t, path, true)
			defer w.close()
		}
		got := map[string]loopback.KeepAlive{}
		deadline := time.Now().Add(3 * time.Second)
		// A client of the stats socket: that socket's options too.
		var cli net.Conn
		for cli == nil && time.Now().Before(deadline) {
			if c, err := net.Dial("tcp", stats); err == nil {
				cli = c
				defer c.Close()
			} else {
				time.Sleep(50 * time.Millisecond)
			}
		}
		if cli == nil {
			t.Fatalf("haproxy=%v: stats socket %s never answered", ha, stats)
		}
		for time.Now().Before(deadline) {
			if ka, ok := loopback.KeepAliveOf(t, pid, stats, cli.LocalAddr().String()); ok {
				got["stats"] = ka
				break
			}
			time.Sleep(50 * time.Millisecond)
		}
		for len(got) < len(peers)+1 && time.Now().Before(deadline) {
			for s, peer := range peers {
				if ka, ok := loopback.KeepAliveOf(t, pid, "", peer); ok {
					got[s] = ka
				}
			}
			time.Sleep(50 * time.Millisecond)
		}
		if len(got) < len(peers)+1 {
			t.Fatalf("haproxy=%v: connections seen %v, want one per server, the mailer's and the stats socket's", ha, got)
		}
		return got
	}
	h, g := run(true), run(false)
	for s := range h {
		if h[s] != g[s] {
			t.Errorf("%s socket: haproxy %v, goha %v", s, h[s], g[s])
		}
	}
	t.Logf("haproxy: %v", h)
	if h["ka"].On == 0 || h["plain"].On != 0 {
		t.Errorf("haproxy: srvtcpka check %v, plain check %v", h["ka"], h["plain"])
	}
}
