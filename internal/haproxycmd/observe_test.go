package haproxycmd

import (
	"bufio"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/goha-lb/goha/internal/haproxytest"
	"github.com/goha-lb/goha/internal/loopback"
	"github.com/goha-lb/goha/internal/testenv"
)

// status500 answers every request with a 500 and closes.
func status500(t *testing.T) string {
	return loopback.ServeEach(t, loopback.Listen(t), func(c net.Conn) {
		if _, err := http.ReadRequest(bufio.NewReader(c)); err == nil {
			c.Write([]byte("HTTP/1.1 500 Internal Server Error\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"))
		}
	})
}

// observeBackends are the on-error modes side by side: each backend's
// only server answers 500 (or refuses connections, for layer4) while its
// health check, sent to a working web server through `port`, passes.
var observeBackends = []struct{ name, opts string }{
	{"md", "observe layer7 error-limit 2 on-error mark-down"},
	{"fc", "observe layer7 error-limit 1 on-error fail-check"},
	{"sd", "observe layer7 error-limit 1 on-error sudden-death"},
	{"fi", "observe layer7 error-limit 1 on-error fastinter"},
	{"df", "observe layer7 error-limit 1"},
	{"l4", "observe layer4 error-limit 2 on-error mark-down"},
	{"hc", "observe layer7 error-limit 1 on-error mark-down"},
}

// observeDaemon runs the observe configuration under haproxy or goha and
// returns its stats socket, its stderr and each backend's frontend.
func observeDaemon(t *testing.T, ha bool, bad, dead, okPort string) (string, *haproxytest.Buffer, map[string]string) {
	dir := t.TempDir()
	var cfg strings.Builder
	fmt.Fprintf(&cfg, "global\n    stats socket %s/s.sock level admin\ndefaults\n    mode http\n    retries 0\n"+
		"    timeout connect 1s\n    timeout client 5s\n    timeout server 5s\n    timeout check 1s\n", dir)
	fronts := map[string]string{}
	for _, b := range observeBackends {
		bind := loopback.FreeAddr(t)
		fronts[b.name] = bind
		addr := bad
		if b.name == "l4" {
			addr = dead
		}
		extra := ""
		if b.name == "hc" {
			extra = "    option log-health-checks\n"
		}
		fmt.Fprintf(&cfg, "frontend f%s\n    bind %s\n    default_backend %s\nbackend %s\n%s"+
			"    server s1 %s check port %s inter 20s fastinter 20s rise 2 fall 3 %s\n", b.name, bind, b.name, b.name, extra, addr, okPort, b.opts)
	}
	path := filepath.Join(dir, "o.cfg")
	os.WriteFile(path, []byte(cfg.String()), 0o644)
	errs := runLogged(t, ha, path)
	for _, f := range fronts {
		loopback.WaitListen(t, f)
	}
	return filepath.Join(dir, "s.sock"), errs, fronts
}

// `observe` with each `on-error` mode: after error-limit consecutive 500s
// (layer7) or refused connections (layer4), the server's state, check
// status, description and health in show stat, the statuses the clients
// got and the log lines are HAProxy's.
func TestObserveOnErrorMatchHAProxy(t *testing.T) {
	testenv.LookPath(t, "haproxy")
	bad, dead := status500(t), loopback.DeadAddr(t)
	_, okPort, _ := net.SplitHostPort(loopback.StartWeb(t, "ok").Addr)
	haSock, haErrs, haFronts := observeDaemon(t, true, bad, dead, okPort)
	goSock, goErrs, goFronts := observeDaemon(t, false, bad, dead, okPort)
	time.Sleep(200 * time.Millisecond) // the first check of the first server
	status := func(front string) string {
		c, err := net.DialTimeout("tcp", front, time.Second)
		if err != nil {
			return err.Error()
		}
		defer c.Close()
		c.SetDeadline(time.Now().Add(3 * time.Second))
		fmt.Fprintf(c, "GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
		line, _ := bufio.NewReader(c).ReadString('\n')
		return strings.TrimSpace(line)
	}
	cols := []string{"pxname", "svname", "status", "check_status", "check_code", "check_duration", "last_chk", "check_desc",
		"check_health", "hanafail", "chkdown", "econ", "hrsp_5xx"}
	for round := 1; round <= 3; round++ {
		for _, b := range observeBackends {
			h, g := status(haFronts[b.name]), status(goFronts[b.name])
			if h != g {
				t.Errorf("round %d, backend %s: haproxy answered %q, goha %q", round, b.name, h, g)
			}
		}
		time.Sleep(50 * time.Millisecond)
		diffLines(t, fmt.Sprintf("show stat after round %d", round),
			serverRows(statColumns(t, haproxytest.StatsCmd(t, haSock, "show stat"), cols)),
			serverRows(statColumns(t, haproxytest.StatsCmd(t, goSock, "show stat"), cols)))
	}
	diffLines(t, "stderr", observeLines(haErrs.String()), observeLines(goErrs.String()))
	if testing.Verbose() {
		t.Logf("haproxy:\n%s\ngoha:\n%s", strings.Join(observeLines(haErrs.String()), "\n"), strings.Join(observeLines(goErrs.String()), "\n"))
	}
}

// serverRows keeps the server rows of statColumns' output, a check's
// duration (timing) and in-progress mark blanked; HANA's duration (-1
// printed unsigned) stays.
func serverRows(rows []string) []string {
	duration := regexp.MustCompile(`check_duration=\d{1,6} `)
	var out []string
	for _, r := range rows {
		if !strings.Contains(r, "svname=FRONTEND") && !strings.Contains(r, "svname=BACKEND") {
			r = strings.ReplaceAll(duration.ReplaceAllString(r, "check_duration=N "), "=* ", "=")
			out = append(out, r)
		}
	}
	return out
}

// observeLines keeps a daemon's stderr lines about servers and backends,
// without the process prefix.
func observeLines(out string) []string {
	duration := regexp.MustCompile(`check duration: \d+ms`)
	// HAProxy counts the sessions when it applies the change, after the
	// stream that saw the error moved on or not: timing
	sessions := regexp.MustCompile(`\d+ sessions active`)
	var keep []string
	for _, l := range strings.Split(out, "\n") {
		i := strings.Index(l, ") : ")
		if i < 0 || !(strings.Contains(l, "/s1") || strings.Contains(l, "backend")) {
			continue
		}
		l = duration.ReplaceAllString(l[i+4:], "check duration: Nms")
		keep = append(keep, sessions.ReplaceAllString(l, "N sessions active"))
	}
	sort.Strings(keep) // the backends are served in turn, their lines interleave
	return keep
}

// slowWeb answers every request with a 200 after d.
func slowWeb(t *testing.T, d time.Duration) string {
	return loopback.ServeEach(t, loopback.Listen(t), func(c net.Conn) {
		if _, err := http.ReadRequest(bufio.NewReader(c)); err == nil {
			time.Sleep(d)
			c.Write([]byte("HTTP/1.1 200 OK\r\nContent-Length: 3\r\nConnection: close\r\n\r\nok\n"))
		}
	})
}

// `on-marked-down shutdown-sessions`: a request in flight on a server its
// check marks DOWN ends at once, with what HAProxy sends the client; a
// server without it finishes the request. `on-marked-up
// shutdown-backup-sessions`: the backup server's request in flight ends
// when the active server comes UP.
func TestOnMarkedDownShutdownMatchHAProxy(t *testing.T) {
	testenv.LookPath(t, "haproxy")
	slow := slowWeb(t, 1500*time.Millisecond)
	checkLn := loopback.Listen(t)
	checkAddr := loopback.ServeEach(t, checkLn, func(net.Conn) {})
	_, checkPort, _ := net.SplitHostPort(checkAddr)
	upAddr := loopback.FreeAddr(t) // nothing listens: "up"'s active server is DOWN
	_, upPort, _ := net.SplitHostPort(upAddr)
	start := func(ha bool) map[string]string {
		dir := t.TempDir()
		fronts := map[string]string{"kill": loopback.FreeAddr(t), "keep": loopback.FreeAddr(t), "up": loopback.FreeAddr(t)}
		cfg := fmt.Sprintf(`defaults
    mode http
    timeout connect 1s
    timeout client 5s
    timeout server 5s
    timeout check 500ms
frontend fkill
    bind %s
    default_backend kill
frontend fkeep
    bind %s
    default_backend keep
frontend fup
    bind %s
    default_backend up
backend up
    server a %s check port %s inter 100ms fall 1 rise 1 on-marked-up shutdown-backup-sessions
    server b %s backup
backend kill
    server s1 %s check port %s inter 100ms fall 1 rise 1 on-marked-down shutdown-sessions
backend keep
    server s1 %s check port %s inter 100ms fall 1 rise 1
`, fronts["kill"], fronts["keep"], fronts["up"], slow, upPort, slow, slow, checkPort, slow, checkPort)
		path := filepath.Join(dir, "m.cfg")
		os.WriteFile(path, []byte(cfg), 0o644)
		if ha {
			cmd := exec.Command("haproxy", "-db", "-f", path)
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
		} else {
			inProcess(t, path, true)
		}
		for _, f := range fronts {
			loopback.WaitListen(t, f)
		}
		return fronts
	}
	haFronts, goFronts := start(true), start(false)
	time.Sleep(300 * time.Millisecond) // both checks passed
	type answer struct {
		got  string
		fast bool // before the server would have answered
	}
	results := map[string]chan answer{}
	ask := func(key, front string) {
		ch := make(chan answer, 1)
		results[key] = ch
		go func() {
			began := time.Now()
			c, err := net.DialTimeout("tcp", front, time.Second)
			if err != nil {
				ch <- answer{got: err.Error()}
				return
			}
			defer c.Close()
			c.SetDeadline(time.Now().Add(4 * time.Second))
			fmt.Fprintf(c, "GET / HTTP/1.1\r\nHost: x\r\n\r\n")
			line, err := bufio.NewReader(c).ReadString('\n')
			if err != nil {
				line = "closed without an answer"
			}
			ch <- answer{strings.TrimSpace(line), time.Since(began) < time.Second}
		}()
	}
	for _, b := range []string{"kill", "keep", "up"} {
		ask("haproxy "+b, haFronts[b])
		ask("goha "+b, goFronts[b])
	}
	time.Sleep(200 * time.Millisecond)
	checkLn.Close() // every check fails from now on
	upLn, err := net.Listen("tcp", upAddr)
	if err != nil {
		t.Fatal(err)
	}
	loopback.ServeEach(t, upLn, func(net.Conn) {}) // "up"'s server a comes UP
	got := map[string]answer{}
	for k, ch := range results {
		got[k] = <-ch
	}
	for _, b := range []string{"kill", "keep", "up"} {
		if h, g := got["haproxy "+b], got["goha "+b]; h != g {
			t.Errorf("backend %s: haproxy %+v, goha %+v", b, h, g)
		}
	}
	if !got["haproxy kill"].fast || got["haproxy keep"].fast || !got["haproxy up"].fast {
		t.Errorf("haproxy did not behave as expected: %+v", got)
	}
}
