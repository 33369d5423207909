package listen

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/goha-lb/goha/internal/testenv"
)

// serveOnce answers one _getsocks on a fresh unix socket with s.
func serveOnce(t *testing.T, s *Set) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "stats")
	srv, err := net.Listen("unix", path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	go func() {
		c, err := srv.Accept()
		if err != nil {
			return
		}
		defer c.Close()
		line := make([]byte, 64)
		if n, _ := c.Read(line); string(line[:n]) == GetSocksCommand+"\n" {
			ServeGetSocks(c.(*net.UnixConn), s)
		}
	}()
	return path
}

// TestGetSocksBatches crosses HAProxy's 253-descriptor batch, so the
// acknowledgement path runs.
func TestGetSocksBatches(t *testing.T) {
	var lim unix.Rlimit
	if unix.Getrlimit(unix.RLIMIT_NOFILE, &lim) == nil && lim.Cur < 1024 {
		t.Skipf("RLIMIT_NOFILE %d too low", lim.Cur)
	}
	s := NewSet()
	defer s.Close()
	var addrs []string
	for i := 0; i < xferBatch+7; i++ {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		addrs = append(addrs, ln.Addr().String())
		s.Add(fmt.Sprint("bind-", i), ln)
		ln.Close()
	}
	got, err := FetchGetSocks(serveOnce(t, s), 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer got.Close()
	if got.Len() != len(addrs) {
		t.Fatalf("received %d sockets, want %d", got.Len(), len(addrs))
	}
	for _, a := range addrs {
		if got.File(a) == nil {
			t.Fatalf("no socket for %s", a)
		}
	}
}

func TestTakeByAddress(t *testing.T) {
	s := NewSet()
	defer s.Close()
	for _, k := range []string{"0.0.0.0:80", "127.0.0.1:81", "[::1]:82", "[::]:83", "unix@/run/x.sock"} {
		f, err := os.Open(os.DevNull)
		if err != nil {
			t.Fatal(err)
		}
		s.Put(k, f)
	}
	for addr, want := range map[string]string{
		":80":                 "0.0.0.0:80",
		"*:80":                "0.0.0.0:80",
		"0.0.0.0:80":          "0.0.0.0:80",
		"127.0.0.1:81":        "127.0.0.1:81",
		"[::1]:82":            "[::1]:82",
		"::ffff:127.0.0.1:81": "",
		"[::]:83":             "[::]:83",
		":83":                 "[::]:83",
		"127.0.0.2:81":        "",
		"fd@3":                "",
		"localhost:81":        "",
		"/run/x.sock":         "",
	} {
		got, ok := s.takeByAddress(addr)
		if got != want || ok != (want != "") {
			t.Errorf("takeByAddress(%q) = %q %v, want %q", addr, got, ok, want)
		}
	}
}

// TestGetSocksWithHAProxy hands sockets between the real HAProxy and this
// package in both directions (loopback, processes killed by PID).
func TestGetSocksWithHAProxy(t *testing.T) {
	bin := testenv.LookPath(t, "haproxy")
	dir := t.TempDir()
	port := func() string {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		defer ln.Close()
		return ln.Addr().String()
	}
	start := func(cfg string, args ...string) *exec.Cmd {
		path := filepath.Join(dir, fmt.Sprint("h", time.Now().UnixNano(), ".cfg"))
		os.WriteFile(path, []byte(cfg), 0o644)
		cmd := exec.Command(bin, append([]string{"-db", "-f", path}, args...)...)
		var out strings.Builder
		cmd.Stdout, cmd.Stderr = &out, &out
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
		return cmd
	}
	cfg := func(addr, stats string) string {
		return "global\n    stats socket " + stats + " level admin expose-fd listeners\n" +
			"defaults\n    mode http\n    timeout client 5s\n    timeout server 5s\n    timeout connect 5s\n" +
			"frontend fe\n    bind " + addr + "\n    http-request return status 200 content-type text/plain string ok\n"
	}
	serves := func(addr string) bool {
		deadline := time.Now().Add(5 * time.Second)
		for time.Now().Before(deadline) {
			if c, err := net.Dial("tcp", addr); err == nil {
				c.Write([]byte("GET / HTTP/1.0\r\n\r\n"))
				c.SetReadDeadline(time.Now().Add(2 * time.Second))
				b := make([]byte, 512)
				n, _ := c.Read(b)
				c.Close()
				if strings.HasPrefix(string(b[:n]), "HTTP/1.1 200") {
					return true
				}
			}
			time.Sleep(20 * time.Millisecond)
		}
		return false
	}

	// HAProxy -> here.
	addr := port()
	stats := filepath.Join(dir, "h.sock")
	start(cfg(addr, stats))
	if !serves(addr) {
		t.Fatal("haproxy did not start")
	}
	got, err := FetchGetSocks(stats, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	ln, ok, err := got.Take(addr)
	got.Close()
	if !ok || err != nil {
		t.Fatalf("no socket for %s from haproxy (keys %v): %v", addr, got.Keys(), err)
	}
	ln.Close()

	// Here -> HAProxy: our socket has no SO_REUSEPORT, so HAProxy can only
	// serve on that port by taking it.
	mine, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer mine.Close()
	s := NewSet()
	defer s.Close()
	s.Add("anything", mine)
	path := serveOnce(t, s)
	start(cfg(mine.Addr().String(), filepath.Join(dir, "h2.sock")), "-x", path)
	if !serves(mine.Addr().String()) {
		t.Fatal("haproxy -x did not serve on the socket it was given")
	}
}

func TestCheckRecords(t *testing.T) {
	ok := []byte{0, 0, 0, 0, 0, 0, 2, 'n', 's', 3, 'e', 't', 'h', 0, 0, 0, 0}
	if err := checkRecords(ok, 2); err != nil {
		t.Errorf("valid records: %v", err)
	}
	for _, n := range []int{3} {
		if checkRecords(ok, n) == nil {
			t.Errorf("%d records accepted from data for 2", n)
		}
	}
	for _, bad := range [][]byte{{}, {0}, {0, 0, 0, 0, 0}, {5, 'a'}, {0, 9, 'x', 0, 0, 0, 0}} {
		if checkRecords(bad, 1) == nil {
			t.Errorf("%v accepted", bad)
		}
	}
}

func FuzzCheckRecords(f *testing.F) {
	f.Add([]byte{0, 0, 0, 0, 0, 0}, 1)
	f.Add([]byte{2, 'n', 's', 3, 'e', 't', 'h', 0, 0, 0, 0}, 1)
	f.Add([]byte{255}, 3)
	f.Fuzz(func(t *testing.T, data []byte, n int) {
		if n < 0 || n > 1000 {
			return
		}
		checkRecords(data, n) // must not panic
	})
}
