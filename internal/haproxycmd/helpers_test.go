package haproxycmd

// Helpers of the differential tests that run gohaproxy in this process
// beside the real haproxy (loopback servers and addresses come from
// internal/loopback, the environment checks from internal/testenv).

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

func get(t *testing.T, addr string) string {
	t.Helper()
	c := &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
	resp, err := c.Get("http://" + addr + "/")
	if err != nil {
		t.Fatalf("GET: %v", err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return fmt.Sprintf("%d %s", resp.StatusCode, strings.TrimSpace(string(b)))
}

// statsCmd sends one command line to the stats socket and returns the
// answer (the socket closes after it, HAProxy's non-interactive mode).
func statsCmd(t *testing.T, path, cmd string) string {
	t.Helper()
	c, err := net.DialTimeout("unix", path, 2*time.Second)
	// The socket is opened after the listeners: a loaded machine may not
	// have got there yet when the bind answers.
	for i := 0; err != nil && i < 100; i++ {
		time.Sleep(50 * time.Millisecond)
		c, err = net.DialTimeout("unix", path, 2*time.Second)
	}
	if err != nil {
		t.Fatalf("stats socket: %v", err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(5 * time.Second))
	io.WriteString(c, cmd+"\n")
	b, _ := io.ReadAll(c)
	return string(b)
}

func waitListen(t *testing.T, addr string) {
	t.Helper()
	for i := 0; i < 100; i++ {
		if c, err := net.Dial("tcp", addr); err == nil {
			c.Close()
			return
		}
		time.Sleep(30 * time.Millisecond)
	}
	t.Fatalf("nothing listens on %s", addr)
}

// statCols are the show stat columns compared with HAProxy: those that do
// not depend on timing or process identity.
var statCols = []string{"pxname", "svname", "qcur", "scur", "slim", "stot", "status", "weight", "act", "bck", "chkfail", "chkdown",
	"qlimit", "iid", "sid", "lbtot", "type", "check_status", "hrsp_2xx", "req_tot", "check_rise", "check_fall", "check_health",
	"addr", "mode", "algo", "uweight", "agg_server_status", "agg_check_status"}

// statRows reduces show stat output to "col=value ..." rows of statCols.
func statRows(out string) []string {
	lines := strings.Split(strings.TrimRight(out, "\n"), "\n")
	hdr := strings.Split(strings.TrimPrefix(lines[0], "# "), ",")
	idx := map[string]int{}
	for i, h := range hdr {
		idx[h] = i
	}
	var rows []string
	for _, l := range lines[1:] {
		f := strings.Split(l, ",")
		var r []string
		for _, c := range statCols {
			v := "?"
			if i, ok := idx[c]; ok && i < len(f) {
				v = f[i]
			}
			if c == "addr" && v != "" { // the ports differ by design
				v = "127.0.0.1"
			}
			// HAProxy marks a check in progress with "* ": timing.
			v = strings.TrimPrefix(v, "* ")
			// Known difference of the data path's counters: HAProxy also
			// counts a connection closed before any request (the probe)
			// in the frontend's req_tot.
			if c == "req_tot" && f[1] == "FRONTEND" {
				v = "(not compared)"
			}
			r = append(r, c+"="+v)
		}
		rows = append(rows, strings.Join(r, " "))
	}
	return rows
}

// serversState reduces show servers state output to its rows, the time
// since the last change (field 10) and the port (19) blanked.
func serversState(out string) string {
	var rows []string
	for _, l := range strings.Split(out, "\n") {
		f := strings.Fields(l)
		if len(f) < 20 || strings.HasPrefix(l, "#") {
			continue
		}
		f[9], f[18] = "-", "-"
		rows = append(rows, strings.Join(f, " "))
	}
	return strings.Join(rows, "\n")
}

// settledState is show servers state taken when no check is in progress
// (HAProxy then reports the last result instead of 0 and state|1); a
// bounded number of tries.
func settledState(t *testing.T, sock string) string {
	t.Helper()
	var st string
	for i := 0; i < 50; i++ {
		st = serversState(statsCmd(t, sock, "show servers state"))
		busy := false
		for _, l := range strings.Split(st, "\n") {
			if f := strings.Fields(l); len(f) > 13 {
				if n, _ := strconv.Atoi(f[13]); n&1 == 1 {
					busy = true
				}
			}
		}
		if !busy {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	return st
}

// startWithConfig writes cfg to a file, runs it with bin (gohaproxy: in
// this process; another binary: `bin -db -q -f FILE`, killed when the test
// ends) and waits until each of binds accepts.
func startWithConfig(t *testing.T, bin, cfg string, binds ...string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "test.cfg")
	if err := os.WriteFile(path, []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	runQuiet(t, bin, path)
	for _, b := range binds {
		waitListen(t, b)
	}
}

// runQuiet runs the configuration file path as `bin -db -q -f path` until
// the test ends; gohaproxy runs in this process.
func runQuiet(t *testing.T, bin, path string) {
	t.Helper()
	if bin == gohaproxy {
		inProcess(t, path, true)
		return
	}
	cmd := exec.Command(bin, "-db", "-q", "-f", path)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
}

// syslogTarget is a UDP syslog server on loopback, closed when the test
// ends; its LocalAddr goes in a `log ADDR local2` line.
func syslogTarget(t *testing.T) *net.UDPConn {
	t.Helper()
	c, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// readSyslog hands each datagram received within the next 5 s to more,
// until more returns false.
func readSyslog(c *net.UDPConn, more func(datagram string) bool) {
	buf := make([]byte, 4096)
	c.SetReadDeadline(time.Now().Add(5 * time.Second))
	for {
		n, err := c.Read(buf)
		if err != nil || !more(string(buf[:n])) {
			return
		}
	}
}

// showInfoField reads one `show info` field (e.g. "CurrConns").
func showInfoField(t *testing.T, sock, field string) string {
	t.Helper()
	for _, l := range strings.Split(statsCmd(t, sock, "show info"), "\n") {
		if v, ok := strings.CutPrefix(l, field+": "); ok {
			return v
		}
	}
	return ""
}
