package main

import (
	"bytes"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/goha-lb/goha/internal/loopback"
	"github.com/goha-lb/goha/internal/testenv"
)

// notifySocket is a fake systemd notify socket.
type notifySocket struct {
	path string
	c    *net.UnixConn
}

func newNotifySocket(t *testing.T, path string) *notifySocket {
	t.Helper()
	c, err := net.ListenUnixgram("unixgram", &net.UnixAddr{Name: path, Net: "unixgram"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return &notifySocket{path: path, c: c}
}

func (n *notifySocket) expect(t *testing.T, want string) {
	t.Helper()
	n.c.SetReadDeadline(time.Now().Add(15 * time.Second))
	buf := make([]byte, 4096)
	k, err := n.c.Read(buf)
	if err != nil || string(buf[:k]) != want {
		t.Fatalf("sd_notify got %q (%v), want %q", buf[:k], err, want)
	}
}

// TestSystemdActivation: systemd passes a listening socket as fd 3 named
// "web"; the configuration names it "fd@${LISTEN_FD_WEB}"; under -Ws the
// worker serves it and keeps it across a reload.
func TestSystemdActivation(t *testing.T) {
	dir := t.TempDir()
	bin := pmBinary(t, dir)
	be := startPMBackend(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	f, err := ln.(*net.TCPListener).File()
	ln.Close()
	if err != nil {
		t.Fatal(err)
	}
	cfg := filepath.Join(dir, "sd.cfg")
	pmConfig(t, cfg, `"fd@${LISTEN_FD_WEB}"`, be.addr, "") // HAProxy expands ${} inside double quotes
	// LISTEN_PID must be gohaproxy's own pid: sh's $$ survives exec.
	sh := startPM(t, "/bin/sh", []string{"LISTEN_FDS=1", "LISTEN_FDNAMES=web", "BIN=" + bin, "CFG=" + cfg}, []*os.File{f},
		"-c", `LISTEN_PID=$$ exec "$BIN" -W -db -f "$CFG"`)
	f.Close()
	waitServing(t, addr)
	sh.cmd.Process.Signal(syscall.SIGUSR2)
	sh.waitLog(t, `Former worker \(\d+\) exited with code 0`, 10*time.Second)
	waitServing(t, addr)
	if strings.Contains(sh.stderr.String(), "ALERT") {
		t.Errorf("alerts:\n%s", sh.stderr)
	}
}

// TestHardStopAfter: an old worker still busy hard-stop-after past a
// reload ends itself, as HAProxy 2.6's does (measured: the in-flight
// request gets the 502 page, the master logs "exited with code 0
// (Exit)").
func TestHardStopAfter(t *testing.T) {
	dir := t.TempDir()
	bin := pmBinary(t, dir)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	release := make(chan struct{})
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-time.After(20 * time.Second):
		}
		io.WriteString(w, "late")
	})}
	go srv.Serve(ln)
	defer srv.Close()
	defer close(release)
	addr := loopback.FreeAddr(t)
	cfg := filepath.Join(dir, "hs.cfg")
	pmConfig(t, cfg, addr, ln.Addr().String(), "    master-worker\n    hard-stop-after 300ms")
	m := startPM(t, bin, nil, nil, "-db", "-f", cfg)
	first := m.waitLog(t, `New worker \((\d+)\) forked`, 10*time.Second)[1]
	m.waitLog(t, `Loading success`, 10*time.Second)
	type answer struct {
		body string
		err  error
	}
	answers := make(chan answer, 1)
	go func() { b, err := pmGet(addr); answers <- answer{b, err} }()
	time.Sleep(300 * time.Millisecond) // the request is in flight
	m.cmd.Process.Signal(syscall.SIGUSR2)
	m.waitLog(t, `Former worker \(`+first+`\) exited with code 0 \(Exit\)`, 10*time.Second)
	if a := <-answers; a.err != nil || !strings.Contains(a.body, "502 Bad Gateway") {
		t.Errorf("the in-flight request got %q, %v; want HAProxy's 502 page", a.body, a.err)
	}
}

// TestReloadChangesBinds: a reload that adds a bind serves it, one that
// drops a bind stops listening there once the old worker is gone, and one
// whose worker cannot start (its new port is taken) leaves the running
// worker serving.
func TestReloadChangesBinds(t *testing.T) {
	dir := t.TempDir()
	bin := pmBinary(t, dir)
	be := startPMBackend(t)
	a, b := loopback.FreeAddr(t), loopback.FreeAddr(t)
	cfg := filepath.Join(dir, "b.cfg")
	pmConfig(t, cfg, a, be.addr, "    master-worker")
	m := startPM(t, bin, nil, nil, "-db", "-f", cfg)
	waitServing(t, a)

	reload := func(n int) {
		t.Helper()
		m.cmd.Process.Signal(syscall.SIGUSR2)
		deadline := time.Now().Add(10 * time.Second)
		for strings.Count(m.stderr.String(), "Reloading HAProxy") < n && time.Now().Before(deadline) {
			time.Sleep(10 * time.Millisecond)
		}
		re := regexp.MustCompile(`Loading (success\.|failure!)`)
		for len(re.FindAllString(m.stderr.String(), -1)) < n+1 && time.Now().Before(deadline) {
			time.Sleep(10 * time.Millisecond)
		}
	}

	// Two bind lines, A and B.
	pmConfig(t, cfg, a+" "+b, be.addr, "    master-worker")
	os.WriteFile(cfg, bytes.Replace(mustRead(t, cfg), []byte("bind "+a+" "+b), []byte("bind "+a+"\n    bind "+b), 1), 0o644)
	reload(1)
	waitServing(t, a)
	waitServing(t, b)

	pmConfig(t, cfg, b, be.addr, "    master-worker")
	reload(2)
	waitServing(t, b)
	m.waitLog(t, `(?s)Former worker \(\d+\) exited.*Former worker \(\d+\) exited`, 10*time.Second)
	if _, err := pmGet(a); err == nil {
		t.Errorf("%s still served after its bind was removed", a)
	}

	// A port held by someone else: the new worker fails, the old serves.
	taken := loopback.Listen(t) // holds the port until the test ends
	os.WriteFile(cfg, append(mustRead(t, cfg), []byte("frontend fe2\n    bind "+taken.Addr().String()+"\n    default_backend be\n")...), 0o644)
	reload(3)
	m.waitLog(t, `Loading failure!`, 10*time.Second)
	waitServing(t, b)
	if strings.Count(m.stderr.String(), "Current worker") != 0 {
		t.Errorf("the running worker exited:\n%s", m.stderr)
	}
}

func mustRead(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestMasterCLIForward: "@1 <command>" and "@!<pid> <command>" reach the
// current worker's runtime API; "@master" is the master itself.
func TestMasterCLIForward(t *testing.T) {
	dir := t.TempDir()
	bin := pmBinary(t, dir)
	be := startPMBackend(t)
	addr := loopback.FreeAddr(t)
	cfg := filepath.Join(dir, "f.cfg")
	pmConfig(t, cfg, addr, be.addr, "    master-worker\n    stats socket "+filepath.Join(dir, "stats")+" level admin")
	cli := filepath.Join(dir, "master.sock")
	m := startPM(t, bin, nil, nil, "-db", "-f", cfg, "-S", cli)
	worker := m.waitLog(t, `New worker \((\d+)\) forked`, 10*time.Second)[1]
	waitServing(t, addr)
	// The worker listens a moment before the master has its ready report
	// and lists it (on a loaded machine the gap is visible): wait for the
	// master's process list to name it.
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if strings.Contains(cliCommand(t, cli, "show proc"), "\n"+worker+" ") {
			break
		}
	}
	for _, cmd := range []string{"@1 show info", "@!" + worker + " show info"} {
		out := cliCommand(t, cli, cmd)
		if !strings.Contains(out, "Name: HAProxy\n") || !strings.Contains(out, "\nPid: "+worker+"\n") {
			t.Errorf("%s:\n%s", cmd, out)
		}
	}
	if out := cliCommand(t, cli, "@master show proc"); !strings.HasPrefix(out, "#<PID>") {
		t.Errorf("@master show proc: %q", out)
	}
	for _, bad := range []string{"@!1", "@2", "@x"} {
		if out := cliCommand(t, cli, bad+" show info"); out != "Can't find the target PID matching the prefix '"+bad+"'\n" {
			t.Errorf("%s (no such worker): %q", bad, out)
		}
	}
	if out := cliCommand(t, cli, "@0 show proc"); !strings.HasPrefix(out, "#<PID>") {
		t.Errorf("@0 show proc: %q", out)
	}
}

// TestDaemonMasterWorker: -D -W puts the master in the background (the
// pidfile holds its pid) once its worker listens; -D -sf replaces a
// daemon, HAProxy's classic reload.
func TestDaemonMasterWorker(t *testing.T) {
	dir := t.TempDir()
	bin := pmBinary(t, dir)
	be := startPMBackend(t)
	addr := loopback.FreeAddr(t)
	cfg := filepath.Join(dir, "d.cfg")
	pidfile := filepath.Join(dir, "pid")
	pmConfig(t, cfg, addr, be.addr, "    stats socket "+filepath.Join(dir, "stats")+" expose-fd listeners")
	readPID := func() int {
		b, err := os.ReadFile(pidfile)
		n, _ := strconv.Atoi(strings.TrimSpace(string(b)))
		if err != nil || n <= 0 {
			t.Fatalf("pidfile: %q %v", b, err)
		}
		return n
	}
	stop := func(pid int) {
		syscall.Kill(pid, syscall.SIGTERM)
		deadline := time.Now().Add(10 * time.Second)
		for syscall.Kill(pid, 0) == nil && time.Now().Before(deadline) {
			time.Sleep(20 * time.Millisecond)
		}
	}

	p := startPM(t, bin, nil, nil, "-D", "-W", "-f", cfg, "-p", pidfile)
	if code := p.exitCode(t, 15*time.Second); code != 0 {
		t.Fatalf("-D -W parent exit %d:\n%s", code, p.stderr)
	}
	master := readPID()
	t.Cleanup(func() { stop(master) })
	waitServing(t, addr)
	syscall.Kill(master, syscall.SIGUSR2)
	waitServing(t, addr)
	stop(master)
	if syscall.Kill(master, 0) == nil {
		t.Fatalf("master %d still running after SIGTERM", master)
	}
	if _, err := pmGet(addr); err == nil {
		t.Fatalf("a worker outlived its master")
	}

	// Classic daemon reload: -D -p PIDFILE -x STATS -sf OLD.
	p = startPM(t, bin, nil, nil, "-D", "-f", cfg, "-p", pidfile)
	if code := p.exitCode(t, 15*time.Second); code != 0 {
		t.Fatalf("-D parent exit %d:\n%s", code, p.stderr)
	}
	old := readPID()
	t.Cleanup(func() { stop(old) })
	waitServing(t, addr)
	p = startPM(t, bin, nil, nil, "-D", "-f", cfg, "-p", pidfile, "-x", filepath.Join(dir, "stats"), "-sf", strconv.Itoa(old))
	if code := p.exitCode(t, 15*time.Second); code != 0 || strings.Contains(p.stderr.String(), "Failed to get the sockets") {
		t.Fatalf("-D -sf parent exit %d:\n%s", code, p.stderr)
	}
	cur := readPID()
	t.Cleanup(func() { stop(cur) })
	if cur == old {
		t.Fatalf("pidfile not rewritten")
	}
	deadline := time.Now().Add(10 * time.Second)
	for syscall.Kill(old, 0) == nil && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if syscall.Kill(old, 0) == nil {
		t.Errorf("old daemon %d did not finish after -sf", old)
	}
	waitServing(t, addr)
}

// TestHandoverWithHAProxy: a running HAProxy is replaced by gohaproxy
// (`-x <its stats socket> -sf <its pid>`), which is replaced by HAProxy
// again, under a steady load: the listening socket passes from one to the
// other and no request fails.
func TestHandoverWithHAProxy(t *testing.T) {
	real := testenv.LookPath(t, "haproxy")
	dir := t.TempDir()
	bin := pmBinary(t, dir)
	be := startPMBackend(t)
	addr := loopback.FreeAddr(t)
	stats := filepath.Join(dir, "stats")
	cfg := filepath.Join(dir, "h.cfg")
	pmConfig(t, cfg, addr, be.addr, "    stats socket "+stats+" mode 600 level admin expose-fd listeners")
	cur := startPM(t, real, nil, nil, "-db", "-f", cfg)
	waitServing(t, addr)
	var outputs []*pmProc
	next := []string{bin, real}
	res := steadyLoad(addr, be, 6*time.Second, 200, func(i int) {
		old := cur
		cur = startPM(t, next[i], nil, nil, "-db", "-f", cfg, "-x", stats, "-sf", strconv.Itoa(old.cmd.Process.Pid))
		outputs = append(outputs, cur)
		select {
		case <-old.done:
		case <-time.After(10 * time.Second):
			t.Errorf("%s did not finish after -sf", old.cmd.Path)
		}
	}, 2)
	t.Logf("haproxy -> gohaproxy -> haproxy: %s", res)
	for _, p := range outputs {
		if strings.Contains(p.stderr.String(), "Failed to get the sockets") || strings.Contains(p.stderr.String(), "ALERT") {
			t.Errorf("%s:\n%s", p.cmd.Path, p.stderr)
		}
	}
	res.check(t)
}

// TestWorkerCrash: when the current worker dies, the master stops too,
// with the worker's status, in HAProxy's words (compared with the real
// haproxy when installed).
func TestWorkerCrash(t *testing.T) {
	dir := t.TempDir()
	bin := pmBinary(t, dir)
	be := startPMBackend(t)
	bins := []string{bin}
	if real, ok := testenv.Optional(t, "haproxy"); ok {
		bins = append(bins, real)
	}
	for _, b := range bins {
		addr := loopback.FreeAddr(t)
		cfg := filepath.Join(dir, "c.cfg")
		pmConfig(t, cfg, addr, be.addr, "")
		m := startPM(t, b, nil, nil, "-W", "-db", "-f", cfg)
		worker, _ := strconv.Atoi(m.waitLog(t, `New worker \((\d+)\) forked`, 10*time.Second)[1])
		waitServing(t, addr)
		syscall.Kill(worker, syscall.SIGKILL)
		if code := m.exitCode(t, 10*time.Second); code != 137 {
			t.Errorf("%s: master exit %d, want 137", b, code)
		}
		want := fmt.Sprintf(`\[ALERT\]    \(\d+\) : Current worker \(%d\) exited with code 137 \(Killed\)\n`+
			`\[ALERT\]    \(\d+\) : exit-on-failure: killing every processes with SIGTERM\n`+
			`\[WARNING\]  \(\d+\) : All workers exited. Exiting... \(137\)\n$`, worker)
		if !regexp.MustCompile(want).MatchString(m.stderr.String()) {
			t.Errorf("%s output:\n%s", b, m.stderr)
		}
	}
}

// TestMasterStopSignals: SIGTERM (hard) and SIGUSR1 (soft) to the master
// stop everything with exit status 0 and HAProxy's lines (compared with
// the real haproxy when installed).
func TestMasterStopSignals(t *testing.T) {
	dir := t.TempDir()
	bin := pmBinary(t, dir)
	be := startPMBackend(t)
	bins := []string{bin}
	if real, ok := testenv.Optional(t, "haproxy"); ok {
		bins = append(bins, real)
	}
	for _, b := range bins {
		for sig, last := range map[syscall.Signal]string{
			syscall.SIGTERM: `\[ALERT\]    \(\d+\) : Current worker \(%d\) exited with code 143 \(Terminated\)\n`,
			syscall.SIGUSR1: `\[WARNING\]  \(\d+\) : Current worker \(%d\) exited with code 0 \(Exit\)\n`,
		} {
			t.Run(filepath.Base(b)+"-"+strconv.Itoa(int(sig)), func(t *testing.T) {
				addr := loopback.FreeAddr(t)
				cfg := filepath.Join(dir, "s.cfg")
				pmConfig(t, cfg, addr, be.addr, "")
				m := startPM(t, b, nil, nil, "-W", "-db", "-f", cfg)
				worker, _ := strconv.Atoi(m.waitLog(t, `New worker \((\d+)\) forked`, 10*time.Second)[1])
				waitServing(t, addr)
				if b != bin {
					// HAProxy's master loses a signal that comes right after
					// "Loading success." (seen with 2.6.12).
					time.Sleep(500 * time.Millisecond)
				}
				m.cmd.Process.Signal(sig)
				if code := m.exitCode(t, 10*time.Second); code != 0 {
					t.Errorf("%s %v: master exit %d", b, sig, code)
				}
				want := `(?s)\[WARNING\]  \(\d+\) : Exiting Master process...\n.*` + fmt.Sprintf(last, worker) +
					`\[WARNING\]  \(\d+\) : All workers exited. Exiting... \(0\)\n$`
				if !regexp.MustCompile(want).MatchString(m.stderr.String()) {
					t.Errorf("%s %v output:\n%s", b, sig, m.stderr)
				}
			})
		}
	}
}
