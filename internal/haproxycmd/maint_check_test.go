package haproxycmd

import (
	"bufio"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/goha-lb/goha/internal/haproxytest"
	"github.com/goha-lb/goha/internal/loopback"
	"github.com/goha-lb/goha/internal/testenv"
)

// checkGate is a health-check server that holds each check: it reports
// the check's arrival and answers it only with the status line the test
// releases it with.
type checkGate struct {
	addr    string
	arrived chan struct{}
	release chan string
}

func startCheckGate(t *testing.T) *checkGate {
	t.Helper()
	g := &checkGate{arrived: make(chan struct{}, 16), release: make(chan string)}
	ln := loopback.Listen(t)
	g.addr = ln.Addr().String()
	done := make(chan struct{})
	t.Cleanup(func() { close(done); ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func(c net.Conn) {
				defer c.Close()
				c.SetDeadline(time.Now().Add(10 * time.Second))
				br := bufio.NewReader(c)
				for {
					l, err := br.ReadString('\n')
					if err != nil {
						return
					}
					if l == "\r\n" || l == "\n" {
						break
					}
				}
				g.arrived <- struct{}{}
				select {
				case st := <-g.release:
					fmt.Fprintf(c, "HTTP/1.0 %s\r\nContent-Length: 0\r\n\r\n", st)
				case <-done:
				case <-time.After(8 * time.Second):
				}
			}(c)
		}
	}()
	return g
}

// next waits (5 s at most) for a check to arrive.
func (g *checkGate) next(t *testing.T) {
	t.Helper()
	select {
	case <-g.arrived:
	case <-time.After(5 * time.Second):
		t.Fatal("no health check arrived in 5 s")
	}
}

// quiet says no check arrives for d.
func (g *checkGate) quiet(d time.Duration) bool {
	select {
	case <-g.arrived:
		return false
	case <-time.After(d):
		return true
	}
}

// durations are the check durations of log lines, which differ.
var durations = regexp.MustCompile(`(duration: )\d+`)

// TestMaintDuringCheckMatchesHAProxy: a server put into maintenance while
// its health check is held at the check server, and between checks,
// beside HAProxy 2.6.12: show servers state while the check is under way
// (running, result unknown, health 0) and once it ended (a pass leaves
// health 1 and L7OK, a 503 health 0 and L7STS), the show stat row, no
// check in maintenance, and the log-health-checks lines ("status: 1/2
// DOWN." for the check that ended in maintenance).
func TestMaintDuringCheckMatchesHAProxy(t *testing.T) {
	testenv.LookPath(t, "haproxy")
	run := func(bin string) []string {
		g := startCheckGate(t)
		dir, bind := t.TempDir(), loopback.FreeAddr(t)
		path := filepath.Join(dir, "m.cfg")
		udp := loopback.ListenUDP(t)
		var logMu sync.Mutex
		var logs []string
		go func() {
			buf := make([]byte, 4096)
			for {
				n, err := udp.Read(buf)
				if err != nil {
					return
				}
				if _, l, ok := strings.Cut(string(buf[:n]), "]: "); ok {
					logMu.Lock()
					logs = append(logs, durations.ReplaceAllString(strings.TrimSpace(l), "${1}N"))
					logMu.Unlock()
				}
			}
		}()
		head := strings.Replace(adminHead, "global\n", "global\n    log "+udp.LocalAddr().String()+" local0\n", 1)
		head = strings.Replace(head, "defaults\n", "defaults\n    log global\n", 1)
		os.WriteFile(path, []byte(fmt.Sprintf(head+`frontend fe
    bind %s
    default_backend be
backend be
    option httpchk GET /
    option log-health-checks
    server s1 %s check inter 1s rise 2 fall 3
`, dir, bind, g.addr)), 0o644)
		runQuiet(t, bin, path)
		loopback.WaitListen(t, bind)
		sock := filepath.Join(dir, "s.sock")
		var snaps []string
		snap := func(step string) {
			st := haproxytest.SettledState(t, sock)
			var row string
			for _, r := range haproxytest.StatRows(haproxytest.StatsCmd(t, sock, "show stat")) {
				if strings.HasPrefix(r, "pxname=be svname=s1 ") {
					row = r
				}
			}
			snaps = append(snaps, step+": "+st+"\n  "+row)
		}
		cli := func(cmd string) { haproxytest.StatsCmd(t, sock, cmd) }
		g.next(t)
		g.release <- "200 OK"
		snap("up")
		g.next(t)
		cli("disable server be/s1")
		snaps = append(snaps, "running: "+haproxytest.ServersState(haproxytest.StatsCmd(t, sock, "show servers state")))
		g.release <- "200 OK"
		snap("maint, check passed meanwhile")
		if !g.quiet(1500 * time.Millisecond) {
			snaps = append(snaps, "checked in maintenance")
		}
		cli("enable server be/s1")
		g.next(t)
		g.release <- "200 OK"
		snap("enabled")
		g.next(t)
		cli("disable server be/s1")
		g.release <- "503 Down"
		snap("maint, check failed meanwhile")
		cli("enable server be/s1")
		g.next(t)
		g.release <- "200 OK"
		g.next(t)
		g.release <- "200 OK"
		haproxytest.SettledState(t, sock) // that check ended: the next is 1 s away
		cli("disable server be/s1")
		snap("maint between checks")
		time.Sleep(100 * time.Millisecond)
		logMu.Lock()
		defer logMu.Unlock()
		return append(snaps, logs...)
	}
	want, got := run("haproxy"), run(gohaproxy)
	for i := range want {
		t.Logf("haproxy %s", want[i])
		if i >= len(got) || want[i] != got[i] {
			g := ""
			if i < len(got) {
				g = got[i]
			}
			t.Errorf("step %d:\nhaproxy %s\n   goha %s", i, want[i], g)
		}
	}
}
