package main

import (
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/goha-lb/goha/internal/haproxytest"
	"github.com/goha-lb/goha/internal/loopback"
	"github.com/goha-lb/goha/internal/testenv"
)

// show stat of the seed configuration, gohaproxy against the real HAProxy
// (same rewritten config, same backends, same three requests), on the
// columns that do not depend on timing or process identity.
func TestShowStatMatchesHAProxy(t *testing.T) {
	testenv.LookPath(t, "haproxy")
	e := seedConfig(t, " check inter 100ms")
	e.startDaemon(t)
	cfg, err := os.ReadFile(e.cfgPath)
	if err != nil {
		t.Fatal(err)
	}
	haBind, haDir := loopback.FreeAddr(t), t.TempDir()
	os.Mkdir(filepath.Join(haDir, "chroot"), 0o755)
	haStats := filepath.Join(haDir, "stats")
	haCfg := strings.NewReplacer("bind "+e.bind, "bind "+haBind, e.pidPath, filepath.Join(haDir, "pid"),
		e.statsPath, haStats, filepath.Join(e.dir, "chroot"), filepath.Join(haDir, "chroot")).Replace(string(cfg))
	haPath := filepath.Join(haDir, "haproxy.cfg")
	os.WriteFile(haPath, []byte(haCfg), 0o644)
	ha := exec.Command("haproxy", "-db", "-f", haPath)
	if err := ha.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { ha.Process.Kill(); ha.Wait() }()
	loopback.WaitListen(t, haBind)
	loopback.WaitListen(t, e.bind)     // the same probe connection on both sides
	time.Sleep(400 * time.Millisecond) // a few checks on both sides
	for i := 0; i < 3; i++ {
		// Each request after the previous client's close was seen (on a
		// loaded machine a daemon may log 2/2 connections otherwise).
		waitInfoField(t, haStats, "CurrConns", "0", 3*time.Second)
		loopback.Get(t, haBind)
		waitInfoField(t, e.statsPath, "CurrConns", "0", 3*time.Second)
		loopback.Get(t, e.bind)
	}
	// Both log to the test's syslog: the httplog lines must agree but for
	// timers, ports, dates and pids. And %B: on the same bytes sent
	// (checked), HAProxy 2.6 logs 24 fewer here than the data path counts;
	// it seems to count its internal (HTX) form of the 6 response headers,
	// 4 bytes less each. Known difference, left to proxy/.
	logs := e.syslogLines(t, func(l string) bool { return strings.Contains(l, `"GET / HTTP/1.1"`) }, 6, 3*time.Second)
	byPid := map[bool][]string{}
	head := regexp.MustCompile(`^(<\d+>)[A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d haproxy\[(\d+)\]: 127\.0\.0\.1:\d+ \[[^\]]+\] (\S+ \S+) \d+/\d+/\d+/\d+/\d+ (\d+) \d+ (.*)$`)
	for _, l := range logs {
		m := head.FindStringSubmatch(strings.TrimSuffix(l, "\n"))
		if m == nil {
			t.Errorf("log line %q", l)
			continue
		}
		isHA := m[2] == strconv.Itoa(ha.Process.Pid)
		byPid[isHA] = append(byPid[isHA], m[1]+" "+m[3]+" "+m[4]+" (bytes) "+m[5])
	}
	if w, g := strings.Join(byPid[true], "\n"), strings.Join(byPid[false], "\n"); w != g || len(byPid[true]) != 3 {
		t.Errorf("httplog lines differ\nhaproxy:\n%s\ngoha:\n%s", w, g)
	}
	// The last client just closed: on a loaded machine gohaproxy may not
	// have seen it yet (bounded wait for the session count to drop).
	waitInfoField(t, e.statsPath, "CurrConns", "0", 3*time.Second)
	want, got := haproxytest.StatRows(haproxytest.StatsCmd(t, haStats, "show stat")), haproxytest.StatRows(haproxytest.StatsCmd(t, e.statsPath, "show stat"))
	if len(want) != len(got) {
		t.Fatalf("haproxy %d rows, goha %d:\n%s\n--\n%s", len(want), len(got), strings.Join(want, "\n"), strings.Join(got, "\n"))
	}
	for i := range want {
		if want[i] != got[i] {
			t.Errorf("row %d\nhaproxy %s\n   goha %s", i, want[i], got[i])
		}
	}
	if w, g := haproxytest.SettledState(t, haStats), haproxytest.ServersState(haproxytest.StatsCmd(t, e.statsPath, "show servers state")); w != g || w == "" {
		t.Errorf("show servers state\nhaproxy:\n%s\ngoha:\n%s", w, g)
	}
}

// Check host names (`addr NAME`) are resolved before chroot: inside an
// empty chroot, with no /etc/hosts, the checks still reach the server.
// (Server names are resolved the same way; Go caches /etc/hosts for 5 s,
// so only a name not looked up before the chroot shows the difference.)
func TestHostnamesResolvedBeforeChroot(t *testing.T) {
	testenv.Root(t) // for chroot
	// A name only /etc/hosts knows ("localhost" Go resolves without it).
	name := ""
	if hosts, err := os.ReadFile("/etc/hosts"); err == nil {
		for _, l := range strings.Split(string(hosts), "\n") {
			if f := strings.Fields(l); len(f) >= 2 && f[0] == "127.0.0.1" && f[1] != "localhost" && !strings.Contains(f[1], "localhost") {
				name = f[1]
				break
			}
		}
	}
	if name == "" {
		t.Skip("no other name for 127.0.0.1 in /etc/hosts")
	}
	web := loopback.StartWeb(t, "server1")
	_, port, _ := net.SplitHostPort(web.Addr)
	dir := t.TempDir()
	bind := loopback.FreeAddr(t)
	path := filepath.Join(dir, "r.cfg")
	os.WriteFile(path, []byte(fmt.Sprintf("global\n chroot %s\ndefaults\n mode http\n timeout client 2s\n timeout server 2s\n timeout connect 1s\n"+
		"frontend fe\n bind %s\n default_backend be\nbackend be\n server s1 127.0.0.1:%s check inter 100ms addr %s\n", dir, bind, port, name)), 0o644)
	var stderr strings.Builder
	cmd := exec.Command(gohaproxyBin(t), "-db", "-f", path)
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { cmd.Process.Kill(); cmd.Wait() }()
	loopback.WaitListen(t, bind)
	time.Sleep(500 * time.Millisecond) // several checks
	if got := loopback.Get(t, bind); got != "200 server1" {
		t.Errorf("GET through the chrooted proxy: %s", got)
	}
	if strings.Contains(stderr.String(), "is DOWN") {
		t.Errorf("check failed inside the chroot:\n%s", stderr.String())
	}
}

// SIGUSR1 is a soft stop: the listener closes at once, a transaction in
// flight still completes, then the process exits 0.
func TestSoftStopFinishesInFlight(t *testing.T) {
	release := make(chan struct{})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	slow := &http.Server{Handler: http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-time.After(5 * time.Second):
		}
		io.WriteString(rw, "slow\n")
	})}
	go slow.Serve(ln)
	defer slow.Close()
	bind := loopback.FreeAddr(t)
	path := filepath.Join(t.TempDir(), "s.cfg")
	os.WriteFile(path, []byte(fmt.Sprintf("defaults\n mode http\n timeout client 10s\n timeout server 10s\n timeout connect 1s\n"+
		"frontend fe\n bind %s\n default_backend be\nbackend be\n server s1 %s\n", bind, ln.Addr())), 0o644)
	cmd := exec.Command(gohaproxyBin(t), "-db", "-f", path)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	defer cmd.Process.Kill()
	loopback.WaitListen(t, bind)
	result := make(chan string, 1)
	go func() {
		c := &http.Client{Timeout: 8 * time.Second}
		resp, err := c.Get("http://" + bind + "/")
		if err != nil {
			result <- err.Error()
			return
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		result <- fmt.Sprintf("%d %s", resp.StatusCode, strings.TrimSpace(string(b)))
	}()
	time.Sleep(300 * time.Millisecond) // the request is at the server
	cmd.Process.Signal(syscall.SIGUSR1)
	// New connections are refused once the listener is closed.
	refused := false
	for i := 0; i < 50 && !refused; i++ {
		c, err := net.DialTimeout("tcp", bind, 200*time.Millisecond)
		if err != nil {
			refused = true
			break
		}
		c.Close()
		time.Sleep(20 * time.Millisecond)
	}
	if !refused {
		t.Errorf("still accepting after SIGUSR1")
	}
	select {
	case err := <-exited:
		t.Fatalf("exited (%v) before the in-flight request finished", err)
	default:
	}
	close(release)
	if got := <-result; got != "200 slow" {
		t.Errorf("in-flight request: %s", got)
	}
	select {
	case err := <-exited:
		if err != nil {
			t.Errorf("exit after soft stop: %v, want 0", err)
		}
	case <-time.After(5 * time.Second):
		t.Errorf("no exit after the last transaction")
	}
}

// `stats timeout` is the runtime API's idle limit: a client that sends
// nothing is closed after it (both daemons, compared), and an interactive
// (prompt) session is never closed for being idle (HAProxy 2.6 closes
// about half of them, at random: see below).
func TestStatsTimeout(t *testing.T) {
	dir := t.TempDir()
	bind := loopback.FreeAddr(t)
	sock := filepath.Join(dir, "s.sock")
	path := filepath.Join(dir, "t.cfg")
	os.WriteFile(path, []byte(fmt.Sprintf("global\n stats socket %s\n stats timeout 300ms\ndefaults\n mode http\n timeout client 1s\n timeout server 1s\n timeout connect 1s\n"+
		"frontend fe\n bind %s\n default_backend be\nbackend be\n server s1 127.0.0.1:1\n", sock, bind)), 0o644)
	for _, bin := range []string{gohaproxyBin(t), "haproxy"} {
		if bin == "haproxy" {
			testenv.LookPath(t, "haproxy")
		}
		cmd := exec.Command(bin, "-db", "-q", "-f", path)
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		loopback.WaitListen(t, bind)
		haproxytest.StatsCmd(t, sock, "show info") // the socket is up
		c, err := net.Dial("unix", sock)
		if err != nil {
			t.Fatal(err)
		}
		c.SetReadDeadline(time.Now().Add(5 * time.Second))
		start := time.Now()
		_, err = io.Copy(io.Discard, c) // until the proxy closes
		idle := time.Since(start)
		c.Close()
		if err != nil || idle < 250*time.Millisecond || idle > 3*time.Second {
			t.Errorf("%s: idle client closed after %v (err %v), want about 300ms", bin, idle, err)
		}
		p, err := net.Dial("unix", sock)
		if err != nil {
			t.Fatal(err)
		}
		io.WriteString(p, "prompt\n")
		buf := make([]byte, 3)
		p.SetReadDeadline(time.Now().Add(2 * time.Second))
		if _, err := io.ReadFull(p, buf); err != nil { // "\n> "
			// The stats timeout (300ms) can pass before the "prompt" line
			// arrives on a loaded machine: the session then ends as idle.
			if bin == "haproxy" {
				t.Logf("%s: no prompt (%v): the reference closed the session first; not compared", bin, err)
			} else {
				t.Errorf("%s: no prompt: %v", bin, err)
			}
			p.Close()
			cmd.Process.Kill()
			cmd.Wait()
			continue
		}
		p.SetReadDeadline(time.Now().Add(time.Second))
		if n, err := p.Read(buf); !errors.Is(err, os.ErrDeadlineExceeded) {
			if bin == "haproxy" {
				// Measured on 2.6.12 (10 sessions, 2026-12-06): about half
				// its prompt sessions end when the first stats timeout since
				// the connect expires, the others stay open for good. goha
				// keeps them open, as an operator at the prompt expects.
				t.Logf("%s: prompt session closed while idle (read %d, %v)", bin, n, err)
			} else {
				t.Errorf("%s: prompt session idle for 3 timeouts: read %d, %v; want still open", bin, n, err)
			}
		}
		p.Close()
		cmd.Process.Kill()
		cmd.Wait()
	}
}
