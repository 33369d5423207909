// Package haproxytest holds the helpers shared by the tests of gohaproxy
// that compare it with the real HAProxy 2.6: cmd/gohaproxy's, which exec
// the binary, and internal/haproxycmd's, which run the daemon in the test
// process. Both start the real haproxy the same way, ask the runtime API
// the same questions and reduce the answers the same way, so the
// reductions (which columns are compared, which are timing) live once,
// here.
package haproxytest

import (
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// WriteConfig writes cfg to a configuration file in a directory removed
// when the test ends and returns its path.
func WriteConfig(t testing.TB, cfg string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "test.cfg")
	if err := os.WriteFile(path, []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// StartQuiet starts `bin -db -q -f path` (bin is a gohaproxy binary or
// haproxy) and kills it by its PID, then waits for it, when the test ends.
func StartQuiet(t testing.TB, bin, path string) *exec.Cmd {
	t.Helper()
	cmd := exec.Command(bin, "-db", "-q", "-f", path)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	return cmd
}

// StatsCmd sends one command line to the stats socket at path and returns
// the answer (the socket closes after it, HAProxy's non-interactive mode).
func StatsCmd(t testing.TB, path, cmd string) string {
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

// ShowInfoField reads one `show info` field (e.g. "CurrConns") from the
// stats socket at sock; "" when the answer has no such field.
func ShowInfoField(t testing.TB, sock, field string) string {
	t.Helper()
	return infoField(StatsCmd(t, sock, "show info"), field)
}

func infoField(out, field string) string {
	for _, l := range strings.Split(out, "\n") {
		if v, ok := strings.CutPrefix(l, field+": "); ok {
			return v
		}
	}
	return ""
}

// statCols are the show stat columns compared with HAProxy: those that do
// not depend on timing or process identity.
var statCols = []string{"pxname", "svname", "qcur", "scur", "slim", "stot", "status", "weight", "act", "bck", "chkfail", "chkdown",
	"qlimit", "iid", "sid", "lbtot", "type", "check_status", "hrsp_2xx", "req_tot", "check_rise", "check_fall", "check_health",
	"addr", "mode", "algo", "uweight", "agg_server_status", "agg_check_status"}

// StatRows reduces show stat output to "col=value ..." rows of the columns
// compared with HAProxy.
func StatRows(out string) []string {
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

// ServersState reduces show servers state output to its rows, the time
// since the last change (field 10) and the port (19) blanked.
func ServersState(out string) string {
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

// SettledState is show servers state (reduced by ServersState) taken when
// no check is in progress (HAProxy then reports the last result instead of
// 0 and state|1); a bounded number of tries.
func SettledState(t testing.TB, sock string) string {
	t.Helper()
	var st string
	for i := 0; i < 50; i++ {
		st = ServersState(StatsCmd(t, sock, "show servers state"))
		if !checkInProgress(st) {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	return st
}

// checkInProgress reports whether a ServersState row has its check
// running (bit 0 of the check state, field 14).
func checkInProgress(state string) bool {
	for _, l := range strings.Split(state, "\n") {
		if f := strings.Fields(l); len(f) > 13 {
			if n, _ := strconv.Atoi(f[13]); n&1 == 1 {
				return true
			}
		}
	}
	return false
}

// Buffer is a daemon's stderr: written by its goroutines (or an exec'd
// process's copier) while the test reads it.
type Buffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (b *Buffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *Buffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}
