package runtimeapi

import (
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/goha-lb/goha/internal/testenv"
)

// startHAProxy runs the real haproxy with only a stats socket and two
// backends (no listener; the server addresses are never contacted) and returns the socket
// path. It skips when haproxy is not installed (fails under CI=true).
func startHAProxy(t *testing.T) string {
	t.Helper()
	bin := testenv.LookPath(t, "haproxy")
	dir := t.TempDir()
	sock := filepath.Join(dir, "stats")
	cfg := filepath.Join(dir, "haproxy.cfg")
	conf := fmt.Sprintf(`global
    stats socket %s level admin
defaults
    mode http
    timeout connect 2s
    timeout client 5s
    timeout server 5s
backend servers
    balance roundrobin
    server web1 127.0.0.1:18090 disabled
    server web2 127.0.0.1:18091 weight 5
backend st
    balance static-rr
    server s1 127.0.0.1:18090 weight 4
`, sock)
	if err := os.WriteFile(cfg, []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "-db", "-f", cfg)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
	})
	for i := 0; i < 100; i++ {
		if c, err := net.Dial("unix", sock); err == nil {
			c.Close()
			return sock
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatal("haproxy stats socket did not appear")
	return ""
}

func askRaw(t *testing.T, path, line string) string {
	t.Helper()
	c, err := net.DialTimeout("unix", path, 2*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(5 * time.Second))
	io.WriteString(c, line+"\n")
	b, _ := io.ReadAll(c)
	return string(b)
}

// TestAgainstRealHAProxy asks the installed haproxy and a Session the same
// questions and compares what must match exactly.
func TestAgainstRealHAProxy(t *testing.T) {
	sock := startHAProxy(t)
	src := newOperatorFakeSource()
	ours := func(line string) string {
		out, _ := NewSession(src, LevelAdmin).Exec(line + "\n")
		return string(out)
	}

	// Same answers, byte for byte.
	for _, line := range []string{
		"set server nope/web1 state ready", "set server servers/nope state ready", "set server servers",
		"set server servers/web2", "set server servers/web2 state bogus", "get weight servers/web2",
		"get weight st/s1", "set server servers/web2 weight 300", "set server servers/web2 weight abc",
		"set server servers/web2 weight 5x", "set server servers/web2 weight -5%", "set weight servers/web2",
		"set server st/s1 weight 2", "show servers state nope", "disable server", "show cli level",
		"help show stat", "help set server", "show backend", "help show backend", "help show version",
	} {
		if got, want := ours(line), askRaw(t, sock, line); got != want {
			t.Errorf("%q:\n ours %q\nhaproxy %q", line, got, want)
		}
	}

	// Layout: the stat header, help lines and info keys.
	real := askRaw(t, sock, "show stat")
	if !strings.HasPrefix(real, StatHeader()) {
		t.Errorf("stat header differs from haproxy's:\n%s", strings.SplitN(real, "\n", 2)[0])
	}
	helpReal := strings.Split(askRaw(t, sock, "help"), "\n")
	helpOurs := strings.Split(ours("help"), "\n")
	if l, ok := subsequence(helpOurs, helpReal); !ok {
		t.Errorf("help line %q not in haproxy's help, in order", l)
	}

	// The same sequence of changes leaves the same server state lines
	// (the time since last change column aside).
	for _, line := range []string{"enable server servers/web1", "set server servers/web1 state drain",
		"set server servers/web2 weight 50%", "set server st/s1 weight 0"} {
		ours(line)
		if a := askRaw(t, sock, line); a != "\n" {
			t.Fatalf("haproxy refused %q: %q", line, a)
		}
	}
	norm := func(s string) string {
		var out []string
		for _, l := range strings.Split(s, "\n") {
			f := strings.Fields(l)
			if len(f) > 10 && f[0] != "#" {
				f[9] = "T" // srv_time_since_last_change
			}
			out = append(out, strings.Join(f, " "))
		}
		return strings.Join(out, "\n")
	}
	if got, want := norm(ours("show servers state")), norm(askRaw(t, sock, "show servers state")); got != want {
		t.Errorf("servers state after changes:\n ours %s\nhaproxy %s", got, want)
	}
}
