package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
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

// -c -V lists what the runtime would not honour (goha notices from the
// mapping); plain -c does not, and the verdict is unchanged.
// A configuration using what goha does not implement is refused by -c and
// at start, naming file:line; --allow-unsupported (or the environment)
// runs it without those features, warning about each.
func TestCheckRefusesUnsupported(t *testing.T) {
	p := filepath.Join(t.TempDir(), "n.cfg")
	os.WriteFile(p, []byte("defaults\n mode http\n timeout client 1s\n timeout server 1s\n timeout connect 1s\n"+
		"frontend fe\n bind 127.0.0.1:7000\n http-request send-spoe-group e g\n default_backend be\nbackend be\n server s1 127.0.0.1:7001 allow-0rtt\n"), 0o644)
	code, out, errs := runArgs("-c", "-f", p)
	if code != 1 || out != "" {
		t.Fatalf("-c: %d %q %q", code, out, errs)
	}
	for _, w := range []string{"[ALERT]", "config : parsing [" + p + ":8] : 'http-request send-spoe-group' is not supported by goha.",
		"config : parsing [" + p + ":11] : 'server option allow-0rtt' is not supported by goha.",
		"--allow-unsupported", "config : Fatal errors found in configuration."} {
		if !strings.Contains(errs, w) {
			t.Errorf("-c stderr lacks %q:\n%s", w, errs)
		}
	}
	for _, args := range [][]string{{"--allow-unsupported", "-c", "-f", p}, {"-c", "-f", p}} {
		if len(args) == 3 {
			t.Setenv("GOHA_ALLOW_UNSUPPORTED", "1")
		}
		code, out, errs = runArgs(args...)
		if code != 0 || out != "Configuration file is valid\n" || strings.Contains(errs, "[ALERT]") ||
			!strings.Contains(errs, "[WARNING]  ("+strconv.Itoa(os.Getpid())+") : config : parsing ["+p+":8] : 'http-request send-spoe-group' is not supported by goha: running without it (--allow-unsupported).") {
			t.Errorf("%v: %d %q %q", args, code, out, errs)
		}
	}
}

// withoutSeedInertWarnings drops from a startup output the lines the seed
// configuration makes goha print: the version banner and the inert warning
// of each TLS default (no TLS bind or server uses them).
func withoutSeedInertWarnings(out string) string {
	var rest []string
	for _, l := range strings.Split(out, "\n") {
		if l == "" || strings.HasPrefix(l, "[NOTICE]") && (strings.Contains(l, "haproxy version is") || strings.Contains(l, "path to executable is")) ||
			strings.HasPrefix(l, "[WARNING]") && strings.Contains(l, "' has no effect in goha (no bind or server uses TLS)") {
			continue
		}
		rest = append(rest, l)
	}
	return strings.Join(rest, "\n")
}

// An admin-level stats socket changes what the balancer picks and logs
// HAProxy's maintenance line; SIGTERM ends the process like HAProxy's
// (killed by the signal: status 143 in a shell).
func TestAdminSocketAndHardStop(t *testing.T) {
	dir := t.TempDir()
	var webs []*loopback.Web
	for i := 1; i <= 2; i++ {
		webs = append(webs, loopback.StartWeb(t, fmt.Sprintf("server%d", i)))
	}
	bind := loopback.FreeAddr(t)
	sock := filepath.Join(dir, "admin.sock")
	cfg := fmt.Sprintf(`global
    stats socket %s level admin mode 600
defaults
    mode http
    timeout connect 1s
    timeout client 5s
    timeout server 5s
frontend fe
    bind %s
    default_backend be
backend be
    server s1 %s
    server s2 %s
`, sock, bind, webs[0].Addr, webs[1].Addr)
	path := filepath.Join(dir, "a.cfg")
	os.WriteFile(path, []byte(cfg), 0o644)
	var stderr strings.Builder
	cmd := exec.Command(gohaproxyBin(t), "-db", "-f", path)
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	t.Cleanup(func() { cmd.Process.Kill(); <-done })
	loopback.WaitListen(t, bind)
	// The stats socket is made right after the listeners (HAProxy's order):
	// on a loaded machine the bind can answer a moment before it exists.
	fi, err := os.Stat(sock)
	for i := 0; i < 50 && err != nil; i++ {
		time.Sleep(100 * time.Millisecond)
		fi, err = os.Stat(sock)
	}
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("socket mode: %v %v", fi, err)
	}
	if got := haproxytest.StatsCmd(t, sock, "disable server be/s1"); got != "\n" {
		t.Errorf("disable server answered %q", got)
	}
	for i := 0; i < 3; i++ {
		if got := loopback.Get(t, bind); got != "200 server2" {
			t.Errorf("with s1 in maintenance: %s", got)
		}
	}
	haproxytest.StatsCmd(t, sock, "enable server be/s1")
	seen := map[string]bool{}
	for i := 0; i < 2; i++ {
		seen[loopback.Get(t, bind)] = true
	}
	if !seen["200 server1"] {
		t.Errorf("s1 not used after enable server: %v", seen)
	}
	cmd.Process.Signal(syscall.SIGTERM)
	select {
	case err = <-done:
		done <- err
	case <-time.After(5 * time.Second):
		t.Fatal("no exit after SIGTERM")
	}
	ee, ok := err.(*exec.ExitError)
	if !ok || ee.Sys().(syscall.WaitStatus).Signal() != syscall.SIGTERM {
		t.Errorf("exit after SIGTERM: %v, want killed by SIGTERM", err)
	}
	if !strings.Contains(stderr.String(), "[WARNING]  ") || !strings.Contains(stderr.String(), ") : Server be/s1 is going DOWN for maintenance. 1 active and 0 backup servers left. 0 sessions active, 0 requeued, 0 remaining in queue.\n") ||
		!strings.Contains(stderr.String(), ") : Server be/s1 is UP/READY (leaving forced maintenance).\n") {
		t.Errorf("stderr:\n%s", stderr.String())
	}
}

// A bind that fails stops startup with HAProxy's two alerts and exit 1,
// also through -D (the parent returns the child's failure).
func TestBindFailure(t *testing.T) {
	busy := loopback.Listen(t) // holds the port until the test ends
	path := filepath.Join(t.TempDir(), "b.cfg")
	os.WriteFile(path, []byte("defaults\n mode http\n timeout connect 1s\n timeout client 1s\n timeout server 1s\n"+
		"frontend fe\n bind "+busy.Addr().String()+"\n default_backend be\nbackend be\n server s1 127.0.0.1:1\n"), 0o644)
	bin := gohaproxyBin(t) // built before the deadline starts
	for _, mode := range []string{"-db", "-D"} {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		cmd := exec.CommandContext(ctx, bin, mode, "-f", path)
		cmd.WaitDelay = time.Second
		out, err := cmd.CombinedOutput()
		cancel()
		if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 1 {
			t.Errorf("%s: exit %v, want 1", mode, err)
		}
		want := fmt.Sprintf(") : Binding [%s:7] for frontend fe: cannot bind socket (Address already in use) for [%s]\n", path, busy.Addr())
		if !strings.Contains(string(out), want) || !strings.Contains(string(out), ") : [haproxy.main()] Some protocols failed to start their listeners! Exiting.\n") {
			t.Errorf("%s output:\n%s", mode, out)
		}
	}
}

// SIGHUP dumps server and proxy states in HAProxy's words.
func TestSIGHUPDump(t *testing.T) {
	web := loopback.StartWeb(t, "server1")
	bind := loopback.FreeAddr(t)
	path := filepath.Join(t.TempDir(), "h.cfg")
	os.WriteFile(path, []byte(fmt.Sprintf("defaults\n mode http\n timeout connect 1s\n timeout client 5s\n timeout server 5s\n"+
		"frontend fe\n bind %s\n default_backend be\nbackend be\n server s1 %s\n server s2 127.0.0.1:1 disabled\n server s3 %s backup\n", bind, web.Addr, web.Addr)), 0o644)
	var stderr strings.Builder
	cmd := exec.Command(gohaproxyBin(t), "-db", "-f", path)
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { cmd.Process.Kill(); cmd.Wait() }()
	loopback.WaitListen(t, bind)
	loopback.Get(t, bind)
	cmd.Process.Signal(syscall.SIGHUP)
	want := []string{
		"SIGHUP received, dumping servers states.",
		"SIGHUP: Proxy fe has no servers. Conn: act(FE+BE): 0+0, 0 pend (0 unass), tot(FE+BE): 2+0.",
		"SIGHUP: Server be/s1 is UP. Conn: 0 act, 0 pend, 1 tot.",
		"SIGHUP: Server be/s2 is DOWN. Conn: 0 act, 0 pend, 0 tot.",
		"SIGHUP: Server be/s3 is UP. Conn: 0 act, 0 pend, 0 tot.",
		"SIGHUP: Proxy be has 1 active servers and 1 backup servers available. Conn: act(FE+BE): 0+0, 0 pend (0 unass), tot(FE+BE): 0+1.",
	}
	// The client's connection may still be open in the proxy for a moment
	// (act 1) on a loaded machine: dump again until the last dump is idle.
	var missing []string
	for try := 1; try <= 20; try++ {
		if try > 1 {
			time.Sleep(100 * time.Millisecond)
			cmd.Process.Signal(syscall.SIGHUP)
		}
		for i := 0; i < 100 && strings.Count(stderr.String(), "<HTTPCLIENT> has no server") < try; i++ {
			time.Sleep(20 * time.Millisecond)
		}
		out := stderr.String()
		last := out[strings.LastIndex(out, "SIGHUP received"):]
		missing = nil
		for _, w := range want[1:] {
			if !strings.Contains(last, ") : "+w+"\n") {
				missing = append(missing, w)
			}
		}
		if len(missing) == 0 {
			break
		}
	}
	if len(missing) > 0 {
		t.Errorf("missing %q in\n%s", missing, stderr.String())
	}
}

// -D and -p on the command line act as `daemon` and `pidfile` do; -q keeps
// the start silent even with warnings in the configuration.
func TestDaemonFlagAndPidfile(t *testing.T) {
	web := loopback.StartWeb(t, "server1")
	bind := loopback.FreeAddr(t)
	dir := t.TempDir()
	path := filepath.Join(dir, "d.cfg")
	// No timeouts: HAProxy (and -c) warn about them; -q hides the warning.
	os.WriteFile(path, []byte(fmt.Sprintf("frontend fe\n mode http\n bind %s\n default_backend be\nbackend be\n mode http\n server s1 %s\n", bind, web.Addr)), 0o644)
	pidPath := filepath.Join(dir, "p.pid")
	bin := gohaproxyBin(t) // built before the deadline starts
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, "-D", "-q", "-p", pidPath, "-f", path)
	cmd.WaitDelay = time.Second
	out, err := cmd.CombinedOutput()
	if err != nil || len(out) != 0 {
		t.Fatalf("-D -q: %v %q", err, out)
	}
	pid := readPid(t, pidPath)
	t.Cleanup(func() { syscall.Kill(pid, syscall.SIGKILL) })
	if pid == cmd.Process.Pid {
		t.Errorf("pidfile holds the parent's pid")
	}
	if got := loopback.Get(t, bind); got != "200 server1" {
		t.Errorf("GET: %s", got)
	}
	// Detached: its own session, stdio on /dev/null.
	if sid, _ := syscall.Getpgid(pid); sid != pid {
		t.Errorf("daemon process group %d, want %d", sid, pid)
	}
	if l, _ := os.Readlink(fmt.Sprintf("/proc/%d/fd/2", pid)); l != "/dev/null" {
		t.Errorf("daemon stderr is %q", l)
	}
	syscall.Kill(pid, syscall.SIGUSR1)
	waitGone(t, pid)
}

// No listener at all: HAProxy's startup alert (after its version notices)
// and exit 1.
func TestNoListener(t *testing.T) {
	path := filepath.Join(t.TempDir(), "n.cfg")
	os.WriteFile(path, []byte("defaults\n mode http\n timeout client 1s\n timeout server 1s\n timeout connect 1s\nbackend be\n server s1 127.0.0.1:1\n"), 0o644)
	code, _, errs := runArgs("-db", "-f", path)
	if code != 1 || !regexp.MustCompile(`^\[NOTICE\]   \(\d+\) : haproxy version is .*\n\[NOTICE\]   \(\d+\) : path to executable is .*\n\[ALERT\]    \(\d+\) : \[haproxy\.main\(\)\] No enabled listener found \(check for 'bind' directives\) ! Exiting\.\n$`).MatchString(errs) {
		t.Errorf("exit %d, stderr:\n%s", code, errs)
	}
}

// A backend killed under load, seed settings (retries 3, option redispatch)
// plus `check inter 100ms`: the checks mark the server DOWN, and no request
// started after that sees an error (before it, a request already sent to
// the dying server may get a 502, as with HAProxy, whose default retry-on
// covers connection failures only); afterwards only the two others answer.
func TestSeedBackendKilledUnderLoad(t *testing.T) {
	e := seedConfig(t, " check inter 100ms")
	e.startDaemon(t)
	var (
		mu       sync.Mutex
		ok, bad  int
		failures []string
		after    = map[string]int{}
		downAt   time.Time // zero until the DOWN line arrived
	)
	killed := make(chan struct{})
	done := make(chan struct{})
	deadline := time.Now().Add(10 * time.Second) // bound, whatever happens
	var wg sync.WaitGroup
	client := &http.Client{Timeout: 8 * time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
	for w := 0; w < 4; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for n := 0; n < 2000 && time.Now().Before(deadline); n++ {
				select {
				case <-done:
					return
				default:
				}
				started := time.Now()
				resp, err := client.Get("http://" + e.bind + "/")
				var body []byte
				if err == nil {
					body, _ = io.ReadAll(resp.Body)
					resp.Body.Close()
				}
				mu.Lock()
				if err != nil || resp.StatusCode != 200 {
					if !downAt.IsZero() && started.After(downAt) {
						bad++
						failures = append(failures, fmt.Sprint(err, resp))
					}
				} else {
					ok++
					select {
					case <-killed:
						after[strings.TrimSpace(string(body))]++
					default:
					}
				}
				mu.Unlock()
			}
		}()
	}
	time.Sleep(500 * time.Millisecond)
	killedAt := time.Now()
	e.webs[0].Close()
	lines := e.syslogLines(t, func(l string) bool { return strings.Contains(l, "Server servers/web1 is DOWN") }, 1, 3*time.Second)
	mu.Lock()
	downAt = time.Now()
	mu.Unlock()
	if len(lines) == 1 {
		t.Logf("web1 marked DOWN %v after it was killed (fall 3 x inter 100ms)", time.Since(killedAt).Round(time.Millisecond))
	} else {
		t.Errorf("no DOWN line for web1")
	}
	close(killed)
	time.Sleep(700 * time.Millisecond) // traffic after DOWN
	close(done)
	wg.Wait()
	if bad != 0 || ok < 20 {
		t.Errorf("%d ok, %d failed after DOWN: %q", ok, bad, failures)
	}
	if after["server1"] != 0 || after["server2"] == 0 || after["server3"] == 0 {
		t.Errorf("answers after DOWN: %v", after)
	}
}

// Configuration warnings are printed once at startup, as HAProxy does.
func TestStartupWarningsOnce(t *testing.T) {
	bind := loopback.FreeAddr(t)
	path := filepath.Join(t.TempDir(), "w.cfg")
	os.WriteFile(path, []byte(fmt.Sprintf("frontend fe\n mode http\n bind %s\n default_backend be\nbackend be\n mode http\n server s1 127.0.0.1:1\n", bind)), 0o644)
	var stderr strings.Builder
	cmd := exec.Command(gohaproxyBin(t), "-db", "-f", path)
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	loopback.WaitListen(t, bind)
	cmd.Process.Kill()
	cmd.Wait()
	if n := strings.Count(stderr.String(), "missing timeouts for frontend 'fe'."); n != 1 {
		t.Errorf("warning printed %d times:\n%s", n, stderr.String())
	}
}

// -C changes directory before the files are read.
func TestChdirFlag(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "c.cfg"), []byte("defaults\n mode http\n timeout client 1s\n timeout server 1s\n timeout connect 1s\n"+
		"frontend fe\n bind 127.0.0.1:7000\n default_backend be\nbackend be\n server s1 127.0.0.1:7001\n"), 0o644)
	wd, _ := os.Getwd()
	defer os.Chdir(wd)
	code, out, errs := runArgs("-C", dir, "-c", "-f", "c.cfg")
	if code != 0 || out != "Configuration file is valid\n" {
		t.Errorf("-C %s -c -f c.cfg: %d %q %q", dir, code, out, errs)
	}
	os.Chdir(wd)
	code, _, errs = runArgs("-C", "/nonexistent", "-c", "-f", "c.cfg")
	if code != 1 || !strings.Contains(errs, ") : Could not change to directory /nonexistent : No such file or directory\n") {
		t.Errorf("-C /nonexistent: %d %q", code, errs)
	}
}

// -n sets the global maxconn, -N the maxconn of proxies without one; both
// show in the runtime API.
func TestMaxconnFlags(t *testing.T) {
	dir := t.TempDir()
	bind := loopback.FreeAddr(t)
	sock := filepath.Join(dir, "s.sock")
	path := filepath.Join(dir, "m.cfg")
	os.WriteFile(path, []byte(fmt.Sprintf("global\n stats socket %s\ndefaults\n mode http\n timeout client 1s\n timeout server 1s\n timeout connect 1s\n"+
		"frontend fe\n bind %s\n default_backend be\nbackend be\n server s1 127.0.0.1:1\n", sock, bind)), 0o644)
	cmd := exec.Command(gohaproxyBin(t), "-db", "-n", "7", "-N", "5", "-f", path)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { cmd.Process.Kill(); cmd.Wait() }()
	loopback.WaitListen(t, bind)
	if info := haproxytest.StatsCmd(t, sock, "show info"); !strings.Contains(info, "\nMaxconn: 7\n") {
		t.Errorf("show info:\n%s", info)
	}
	stat := haproxytest.StatsCmd(t, sock, "show stat")
	for _, l := range strings.Split(stat, "\n") {
		if strings.HasPrefix(l, "fe,FRONTEND,") && strings.Split(l, ",")[6] != "5" {
			t.Errorf("frontend slim: %s", l)
		}
	}
}
