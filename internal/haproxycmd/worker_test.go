package haproxycmd

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/goha-lb/goha/internal/haproxytest"
	"github.com/goha-lb/goha/internal/loopback"
)

// gohaproxy names, where a differential test chooses the binary to run,
// gohaproxy started in this process (inProcess) beside the real haproxy.
const gohaproxy = "gohaproxy (in process)"

// inProcess runs the configuration file path in this process as
// `gohaproxy -db [-q] -f path` runs it after its flags (runMode's loading,
// then runWorker without its signal loop): startup messages, listeners,
// stats sockets, log targets, health checks. It is closed when the test
// ends; its stderr is returned.
func inProcess(t *testing.T, path string, quiet bool) (*worker, *haproxytest.Buffer) {
	t.Helper()
	stderr := &haproxytest.Buffer{}
	o := workerOptions{Files: []string{path}, Quiet: quiet, Stderr: stderr, NoPidfile: true}
	res, code, ok := loadForRun(o, false)
	if !ok {
		t.Fatalf("configuration refused (exit %d):\n%s", code, stderr)
	}
	if g := res.Config.Global; g.Chroot != "" || g.User != "" || g.Group != "" || g.UID != nil || g.GID != nil {
		// They would apply to the test process itself.
		t.Fatal("chroot, user and group need their own process: exec the binary")
	}
	// nbthread sets GOMAXPROCS, which would apply to the tests after this
	// one (show activity and show servers conn then listed one thread)
	procs := runtime.GOMAXPROCS(0)
	t.Cleanup(func() { runtime.GOMAXPROCS(procs) })
	w, err := startWorker(o, res, nil)
	if err != nil {
		t.Fatalf("start: %v\n%s", err, stderr)
	}
	w.startChecks()
	t.Cleanup(w.close)
	return w, stderr
}

// writeConfig writes cfg to a file in a new temporary directory.
func writeConfig(t *testing.T, cfg string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "test.cfg")
	if err := os.WriteFile(path, []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// nameServer answers every request with name on 127.0.0.1.
func nameServer(t *testing.T, name string) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(rw http.ResponseWriter, _ *http.Request) { io.WriteString(rw, name) })}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return ln.Addr().String()
}

// cli sends one runtime API command to the unix socket at path and
// returns the answer.
func cli(t *testing.T, path, cmd string) string {
	t.Helper()
	c, err := net.DialTimeout("unix", path, 2*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(5 * time.Second))
	fmt.Fprintf(c, "%s\n", cmd)
	b, err := io.ReadAll(bufio.NewReader(c))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// statusOf is the status column of server sv in `show stat`.
func statusOf(t *testing.T, out, sv string) string {
	t.Helper()
	lines := strings.Split(strings.TrimSpace(out), "\n")
	hdr := strings.Split(strings.TrimPrefix(lines[0], "# "), ",")
	col := -1
	for i, h := range hdr {
		if h == "status" {
			col = i
		}
	}
	for _, l := range lines[1:] {
		if f := strings.Split(l, ","); len(f) > col && f[0] == "be" && f[1] == sv {
			return f[col]
		}
	}
	t.Fatalf("no row for be/%s in:\n%s", sv, out)
	return ""
}

// A runtime `disable server`, `set server ... state drain` and `enable
// server` reach the data path in-process (runtimeapi -> daemon -> proxy ->
// balance): the picks, show stat's status and HAProxy's stderr lines
// follow.
func TestRuntimeAdminStateInProcess(t *testing.T) {
	s1, s2 := nameServer(t, "s1"), nameServer(t, "s2")
	sock := filepath.Join(t.TempDir(), "s.sock")
	w, stderr := inProcess(t, writeConfig(t, fmt.Sprintf(`global
    stats socket %s level admin
defaults
    mode http
    timeout connect 1s
    timeout client 5s
    timeout server 5s
frontend fe
    bind %s
    default_backend be
backend be
    balance roundrobin
    server s1 %s
    server s2 %s
`, sock, loopback.FreeAddr(t), s1, s2)), false)
	addr := w.px.Addrs()[0].String()
	client := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}, Timeout: 5 * time.Second}
	picks := func() string {
		var got []string
		for range 4 {
			resp, err := client.Get("http://" + addr + "/")
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			got = append(got, string(b))
		}
		return strings.Join(got, " ")
	}
	if got := picks(); got != "s1 s2 s1 s2" {
		t.Fatalf("round robin: %s", got)
	}
	for _, step := range []struct {
		cmd, picks, s1, s2, stderr string
	}{
		{"disable server be/s1", "s2 s2 s2 s2", "MAINT", "no check", "Server be/s1 is going DOWN for maintenance."},
		{"enable server be/s1", "", "no check", "no check", "Server be/s1 is UP/READY (leaving forced maintenance)."},
		{"set server be/s2 state drain", "s1 s1 s1 s1", "no check", "DRAIN", ""},
		{"set server be/s2 state ready", "", "no check", "no check", ""},
	} {
		if out := cli(t, sock, step.cmd); strings.TrimSpace(out) != "" {
			t.Errorf("%s: %q", step.cmd, out)
		}
		if step.picks != "" {
			if got := picks(); got != step.picks {
				t.Errorf("after %s: picks %s, want %s", step.cmd, got, step.picks)
			}
		} else if got := picks(); !strings.Contains(got, "s1") || !strings.Contains(got, "s2") {
			t.Errorf("after %s: picks %s, want both servers", step.cmd, got)
		}
		stat := cli(t, sock, "show stat")
		if g1, g2 := statusOf(t, stat, "s1"), statusOf(t, stat, "s2"); g1 != step.s1 || g2 != step.s2 {
			t.Errorf("after %s: status %s/%s, want %s/%s", step.cmd, g1, g2, step.s1, step.s2)
		}
		if step.stderr != "" && !strings.Contains(stderr.String(), step.stderr) {
			t.Errorf("after %s: stderr lacks %q:\n%s", step.cmd, step.stderr, stderr.String())
		}
	}
	st, _ := w.px.ServerStatus("be", "s1")
	if st.Downs != 1 {
		t.Errorf("s1 chkdown %d, want 1 (one entry into maintenance)", st.Downs)
	}
}
