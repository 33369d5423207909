package main

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/goha-lb/goha/internal/haproxytest"
	"github.com/goha-lb/goha/internal/loopback"
)

// The proof tests run the built binary on the seed configuration with only
// addresses and paths rewritten (see seedConfig), on 127.0.0.1 only.

var (
	buildOnce sync.Once
	binPath   string
	buildErr  error
)

// gohaproxyBin builds the command once per test run.
func gohaproxyBin(t testing.TB) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "gohaproxy-bin-")
		if err != nil {
			buildErr = err
			return
		}
		binPath = filepath.Join(dir, "gohaproxy")
		out, err := exec.Command("go", "build", "-o", binPath, ".").CombinedOutput()
		if err != nil {
			buildErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return binPath
}

func TestMain(m *testing.M) {
	code := m.Run()
	if binPath != "" {
		os.RemoveAll(filepath.Dir(binPath))
	}
	os.Exit(code)
}

// seedEnv is one run of the seed configuration.
type seedEnv struct {
	dir       string
	cfgPath   string
	bind      string
	webs      []*loopback.Web
	syslog    *net.UDPConn
	statsPath string
	pidPath   string
	asUser    bool // `user haproxy` / `group haproxy` kept
}

// seedConfig rewrites testdata/seed/haproxy.cfg for loopback:
//   - `log 127.0.0.1 local2`          -> log 127.0.0.1:<udp port of the test's syslog> local2
//   - `chroot /var/lib/haproxy`       -> chroot <tempdir>/chroot  (dropped when not root)
//   - `pidfile /var/run/haproxy.pid`  -> pidfile <tempdir>/haproxy.pid
//   - `stats socket /var/lib/haproxy/stats` -> stats socket <tempdir>/stats
//   - `user/group haproxy`            kept when root and the user exists, else dropped
//   - `bind *:80`                     -> bind 127.0.0.1:<free port>
//   - `server webN 192.168.110.33:8x` -> server webN 127.0.0.1:<port of Go backend N>
//     (+ serverSuffix, e.g. " check inter 100ms")
//
// Everything else is the seed, byte for byte.
func seedConfig(t *testing.T, serverSuffix string) *seedEnv {
	t.Helper()
	data, err := os.ReadFile("../../testdata/seed/haproxy.cfg")
	if err != nil {
		t.Fatal(err)
	}
	e := &seedEnv{dir: t.TempDir()}
	e.statsPath = filepath.Join(e.dir, "stats")
	e.pidPath = filepath.Join(e.dir, "haproxy.pid")
	for i := 1; i <= 3; i++ {
		e.webs = append(e.webs, loopback.StartWeb(t, fmt.Sprintf("server%d", i)))
	}
	e.syslog = loopback.ListenUDP(t)
	e.bind = loopback.FreeAddr(t)
	root := os.Getuid() == 0
	_, uerr := user.Lookup("haproxy")
	e.asUser = root && uerr == nil
	chroot := filepath.Join(e.dir, "chroot")
	os.Mkdir(chroot, 0o755)
	repl := []string{
		"log         127.0.0.1 local2", "log         " + e.syslog.LocalAddr().String() + " local2",
		"chroot      /var/lib/haproxy", "chroot      " + chroot,
		"pidfile     /var/run/haproxy.pid", "pidfile     " + e.pidPath,
		"stats socket /var/lib/haproxy/stats", "stats socket " + e.statsPath,
		"bind *:80", "bind " + e.bind,
	}
	for i, port := range []string{"80", "81", "82"} {
		repl = append(repl, fmt.Sprintf("server web%d 192.168.110.33:%s", i+1, port),
			fmt.Sprintf("server web%d %s%s", i+1, e.webs[i].Addr, serverSuffix))
	}
	cfg := string(data)
	for i := 0; i < len(repl); i += 2 {
		if !strings.Contains(cfg, repl[i]) {
			t.Fatalf("seed config has no %q", repl[i])
		}
		cfg = strings.Replace(cfg, repl[i], repl[i+1], 1)
	}
	if !root {
		cfg = strings.Replace(cfg, "chroot      "+chroot+"\n", "", 1)
	}
	if !e.asUser {
		cfg = strings.Replace(cfg, "user        haproxy\n", "", 1)
		cfg = strings.Replace(cfg, "group       haproxy\n", "", 1)
	}
	e.cfgPath = filepath.Join(e.dir, "haproxy.cfg")
	if err := os.WriteFile(e.cfgPath, []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	return e
}

// startDaemon runs `gohaproxy -f cfg` (the seed says `daemon`): the parent
// must exit 0 once the child listens; the child is killed by the PID from
// the pidfile when the test ends.
func (e *seedEnv) startDaemon(t *testing.T) int {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, gohaproxyBin(t), "-f", e.cfgPath)
	cmd.WaitDelay = 2 * time.Second // a child holding our stderr must not hang the test
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("gohaproxy -f: %v\n%s", err, out)
	}
	pid := readPid(t, e.pidPath)
	t.Cleanup(func() { syscall.Kill(pid, syscall.SIGKILL) })
	if rest := withoutSeedInertWarnings(string(out)); rest != "" {
		t.Errorf("daemon start printed %q", rest)
	}
	return pid
}

func readPid(t *testing.T, path string) int {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("pidfile: %v", err)
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil || pid <= 1 {
		t.Fatalf("pidfile content %q", b)
	}
	return pid
}

// syslogLines collects datagrams until want lines matched match or the
// deadline passed.
func (e *seedEnv) syslogLines(t *testing.T, match func(string) bool, want int, wait time.Duration) []string {
	t.Helper()
	var got []string
	buf := make([]byte, 4096)
	deadline := time.Now().Add(wait)
	for len(got) < want {
		e.syslog.SetReadDeadline(deadline)
		n, err := e.syslog.Read(buf)
		if err != nil {
			break
		}
		if l := string(buf[:n]); match(l) {
			got = append(got, l)
		}
	}
	return got
}

func procStatus(t *testing.T, pid int, field string) string {
	t.Helper()
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), field+":"); ok {
			return strings.Fields(v)[0]
		}
	}
	return ""
}

func TestSeedRoundRobinDaemon(t *testing.T) {
	e := seedConfig(t, "")
	pid := e.startDaemon(t)
	var seq []string
	for i := 0; i < 6; i++ {
		seq = append(seq, loopback.Get(t, e.bind))
	}
	want := "200 server1,200 server2,200 server3,200 server1,200 server2,200 server3"
	if got := strings.Join(seq, ","); got != want {
		t.Errorf("sequence %s, want %s", got, want)
	}
	// Privileges dropped and chroot entered after binding.
	if e.asUser {
		u, _ := user.Lookup("haproxy")
		if uid := procStatus(t, pid, "Uid"); uid != u.Uid {
			t.Errorf("uid %s, want %s", uid, u.Uid)
		}
		if root, err := os.Readlink(fmt.Sprintf("/proc/%d/root", pid)); err != nil || root != filepath.Join(e.dir, "chroot") {
			t.Errorf("process root %q (%v)", root, err)
		}
	}
	// httplog lines on the UDP syslog target, local2.info = <150>.
	lines := e.syslogLines(t, func(l string) bool { return strings.Contains(l, `"GET / HTTP/1.1"`) }, 6, 3*time.Second)
	if len(lines) != 6 {
		t.Fatalf("got %d httplog lines: %q", len(lines), lines)
	}
	// Each session logs once its response is written, so on a loaded
	// machine the next request's line may arrive first: look for web1's.
	re := httplogRe(pid, "web1")
	matched := false
	for _, l := range lines {
		matched = matched || re.MatchString(l)
	}
	if !matched {
		t.Errorf("no httplog line matches %s in %q", re, lines)
	}
	// Soft stop: exits once in-flight work is done.
	if err := syscall.Kill(pid, syscall.SIGUSR1); err != nil {
		t.Fatal(err)
	}
	waitGone(t, pid)
	stopped := e.syslogLines(t, func(l string) bool { return strings.Contains(l, "stopped (cumulated conns") }, 3, 3*time.Second)
	want3 := []string{"Proxy main stopped (cumulated conns: FE: 6, BE: 0).", "Proxy servers stopped (cumulated conns: FE: 0, BE: 6).",
		"Proxy <HTTPCLIENT> stopped (cumulated conns: FE: 0, BE: 0)."}
	if len(stopped) != 3 {
		t.Fatalf("stop lines %q", stopped)
	}
	for i, l := range stopped {
		if !strings.HasPrefix(l, "<148>") || !strings.HasSuffix(l, ": "+want3[i]+"\n") {
			t.Errorf("stop line %q, want <148>...: %s", l, want3[i])
		}
	}
}

// waitGone waits (bounded) until pid no longer exists.
func waitGone(t *testing.T, pid int) {
	t.Helper()
	// 15 s: a soft stop takes milliseconds, but twice (both times with
	// several builds and tests running beside) a daemon took over 5 s.
	for i := 0; i < 300; i++ {
		if err := syscall.Kill(pid, 0); err != nil {
			return
		}
		// A zombie child of ours is gone as far as serving goes.
		if b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid)); err == nil && strings.Contains(string(b), ") Z ") {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("pid %d still running", pid)
}

func TestSeedCheckMarksDown(t *testing.T) {
	e := seedConfig(t, " check inter 100ms")
	pid := e.startDaemon(t)
	e.webs[0].Close()
	lines := e.syslogLines(t, func(l string) bool { return strings.Contains(l, "is DOWN") }, 1, 5*time.Second)
	if len(lines) != 1 {
		t.Fatalf("no DOWN line on syslog")
	}
	want := fmt.Sprintf(`<145>... haproxy[%d]: Server servers/web1 is DOWN, reason: Layer4 connection problem, info: "Connection refused", check duration: 0ms. 2 active and 0 backup servers left. 0 sessions active, 0 requeued, 0 remaining in queue.`+"\n", pid)
	got := lines[0]
	if i := strings.Index(got, " haproxy["); i > 0 && strings.HasPrefix(got, "<145>") {
		got = "<145>..." + got[i:]
	}
	// The check duration may read more than 0ms on a loaded machine, and a
	// check that connected just as the server closed its listener is reset
	// rather than refused (the same Layer4 problem).
	got = regexp.MustCompile(`check duration: \d+ms`).ReplaceAllString(got, "check duration: 0ms")
	got = strings.Replace(got, `info: "Connection reset by peer"`, `info: "Connection refused"`, 1)
	if got != want {
		t.Errorf("DOWN line\n got %q\nwant %q", lines[0], want)
	}
	// Round robin over the two servers left.
	seen := map[string]int{}
	for i := 0; i < 4; i++ {
		seen[loopback.Get(t, e.bind)]++
	}
	if seen["200 server2"] != 2 || seen["200 server3"] != 2 {
		t.Errorf("after DOWN: %v, want server2 and server3 twice each", seen)
	}
}

func TestSeedStatsSocket(t *testing.T) {
	e := seedConfig(t, " check inter 100ms")
	e.startDaemon(t)
	for i := 0; i < 3; i++ {
		loopback.Get(t, e.bind)
	}
	out := haproxytest.StatsCmd(t, e.statsPath, "show stat")
	lines := strings.Split(strings.TrimRight(out, "\n"), "\n")
	if len(lines) != 6 || !strings.HasPrefix(lines[0], "# pxname,svname,qcur,qmax,scur,smax,slim,stot,") {
		t.Fatalf("show stat:\n%s", out)
	}
	wantRows := []string{"main,FRONTEND,", "servers,web1,", "servers,web2,", "servers,web3,", "servers,BACKEND,"}
	for i, w := range wantRows {
		if !strings.HasPrefix(lines[i+1], w) {
			t.Errorf("row %d = %q, want prefix %q", i+1, lines[i+1], w)
		}
	}
	col := func(row, name string) string {
		hdr := strings.Split(strings.TrimPrefix(lines[0], "# "), ",")
		for _, l := range lines[1:] {
			if strings.HasPrefix(l, row) {
				f := strings.Split(l, ",")
				for i, h := range hdr {
					if h == name && i < len(f) {
						return f[i]
					}
				}
			}
		}
		return "?"
	}
	if got := col("servers,web1,", "status"); got != "UP" {
		t.Errorf("web1 status %q", got)
	}
	if got := col("main,FRONTEND,", "stot"); got != "3" {
		t.Errorf("frontend stot %q, want 3", got)
	}
	if got := col("servers,web2,", "stot"); got != "1" {
		t.Errorf("web2 stot %q, want 1", got)
	}
	// The seed's socket has the default level (operator): no changes.
	if got := haproxytest.StatsCmd(t, e.statsPath, "disable server servers/web1"); !strings.Contains(got, "Permission denied") {
		t.Errorf("disable server at operator level: %q", got)
	}
	if got := haproxytest.StatsCmd(t, e.statsPath, "show servers state servers"); !strings.Contains(got, "\n3 servers 1 web1 127.0.0.1 2 0 1 1 ") || !strings.Contains(got, "\n3 servers 3 web3 127.0.0.1 2 0 1 1 ") {
		t.Errorf("show servers state:\n%s", got)
	}
}
