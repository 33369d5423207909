package haproxycmd

import (
	"bytes"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/goha-lb/goha/internal/haproxytest"
	"github.com/goha-lb/goha/internal/loopback"
	"github.com/goha-lb/goha/internal/testenv"
)

// stateDaemon starts haproxy (ha) or goha in this process with global
// lines and the rest of a configuration (frontend fe on a free address,
// default_backend bk); it returns the stats socket, stderr and the
// frontend's address.
func stateDaemon(t *testing.T, ha bool, global, rest string) (string, *haproxytest.Buffer, string) {
	t.Helper()
	dir, bind := t.TempDir(), loopback.FreeAddr(t)
	cfg := fmt.Sprintf("global\n    stats socket %s/s.sock level admin\n%sdefaults\n    mode http\n"+
		"    timeout connect 1s\n    timeout client 5s\n    timeout server 5s\n    timeout check 1s\n"+
		"frontend fe\n    bind %s\n    default_backend bk\n%s", dir, global, bind, rest)
	path := filepath.Join(dir, "s.cfg")
	os.WriteFile(path, []byte(cfg), 0o644)
	errs := runLogged(t, ha, path)
	loopback.WaitListen(t, bind)
	return filepath.Join(dir, "s.sock"), errs, bind
}

// stateRows is show servers state without its header, the time since the
// last change (field 10) blanked: it moves on with the clock.
func stateRows(out string) string {
	var rows []string
	for _, l := range strings.Split(out, "\n") {
		f := strings.Fields(l)
		if len(f) < 20 || strings.HasPrefix(l, "#") {
			continue
		}
		f[9] = "-"
		rows = append(rows, strings.Join(f, " "))
	}
	return strings.Join(rows, "\n")
}

// configLines keeps a daemon's startup warnings and notices ("config :
// ..."), without the pid.
func configLines(out string) []string {
	prefix := regexp.MustCompile(`^(\[[A-Z]+\])\s+\(\d+\) : `)
	var keep []string
	for _, l := range strings.Split(out, "\n") {
		if m := prefix.FindStringSubmatchIndex(l); m != nil && strings.Contains(l, "config : ") {
			keep = append(keep, l[m[2]:m[3]]+" "+l[m[1]:])
		}
	}
	return keep
}

// stateLine is one version 1 line with the fields the tests vary.
func stateLine(beID int, be string, id int, srv, addr string, op, admin, uw, iw, status, result, health, chk int, port string) string {
	return fmt.Sprintf("%d %s %d %s %s %d %d %d %d 100 %d %d %d %d 0 0 0 - %s - 0 0 - - 0\n",
		beID, be, id, srv, addr, op, admin, uw, iw, status, result, health, chk, port)
}

// load-server-state-from-file global and local, against HAProxy 2.6 with
// the same files: the lines HAProxy applies (maintenance, drain, a
// weight set at run time, stopped and stopping servers, a check turned
// off, the port of the old process), those it refuses or ignores (a
// server `disabled` since, a weight changed in the configuration, a bad
// value, unknown servers, backend id and name mismatches, a file of
// another version), the warnings at -c and at start, show servers state,
// show stat and which servers take the traffic.
func TestServerStateFileMatchesHAProxy(t *testing.T) {
	testenv.LookPath(t, "haproxy")
	web := loopback.StartWeb(t, "ok").Addr
	host, port, _ := net.SplitHostPort(web)
	closed := loopback.FreePort(t)
	dir := t.TempDir()
	global := "1\n" + serversStateHeader(t) +
		stateLine(3, "bk", 1, "s1", host, 0, 1, 1, 1, 15, 3, 0, 14, port) + // stopped, in maintenance
		stateLine(3, "bk", 2, "s2", host, 3, 8, 1, 1, 1, 0, 2, 0, port) + // stopping, drained
		stateLine(3, "bk", 3, "s3", host, 2, 0, 5, 10, 1, 0, 2, 0, port) + // weight 5 at run time
		stateLine(3, "bk", 4, "s4", host, 2, 0, 1, 1, 1, 0, 2, 0, port) + // disabled since
		stateLine(3, "bk", 5, "s5", host, 2, 0, 1, 1, 15, 3, 4, 2, port) + // check turned off
		stateLine(3, "bk", 6, "s6", host, 9, 0, 1, 1, 15, 3, 4, 6, port) + // bad op state
		stateLine(3, "bk", 7, "s7", host, 2, 0, 3, 7, 1, 0, 2, 0, port) + // weight changed in the configuration; port of the old process
		stateLine(3, "bk", 8, "s8", host, 0, 0, 1, 1, 1, 0, 0, 0, port) + // stopped, unchecked
		strings.Replace(stateLine(3, "bk", 10, "s9", host, 2, 0, 1, 1, 1, 0, 4, 6, port), " 0 0 - - 0\n", " 0 "+port+" - - "+port+"\n", 1) + // the check's port of the old process; the agent's refused
		stateLine(3, "bk", 9, "nosuch", host, 2, 0, 1, 1, 1, 0, 2, 0, port) +
		stateLine(7, "gone", 1, "x", host, 2, 0, 1, 1, 1, 0, 2, 0, port) +
		stateLine(6, "other", 1, "o1", host, 2, 1, 1, 1, 1, 0, 2, 0, port) // maintenance
	local := "1\n" +
		stateLine(9, "loc", 1, "l1", host, 2, 1, 1, 1, 1, 0, 2, 0, port) + // id mismatch: applied
		stateLine(4, "loc", 7, "zz", host, 2, 1, 1, 1, 1, 0, 2, 0, port) + // no such server
		stateLine(4, "x", 2, "l2", host, 2, 1, 1, 1, 1, 0, 2, 0, port) // name mismatch: skipped
	os.WriteFile(filepath.Join(dir, "glob"), []byte(global), 0o644)
	os.WriteFile(filepath.Join(dir, "loc"), []byte(local), 0o644)
	os.WriteFile(filepath.Join(dir, "badv"), []byte("2\n"+stateLine(5, "loc2", 1, "m1", host, 2, 1, 1, 1, 1, 0, 2, 0, port)), 0o644)
	os.WriteFile(filepath.Join(dir, "empty"), nil, 0o644)
	g := fmt.Sprintf("    server-state-base %s\n    server-state-file glob\n", dir)
	rest := fmt.Sprintf(`backend bk
    load-server-state-from-file global
    server s1 %[1]s check inter 200
    server s2 %[1]s
    server s3 %[1]s weight 10
    server s4 %[1]s disabled
    server s5 %[1]s check inter 200
    server s6 %[1]s
    server s7 %[2]s:%[3]d weight 3
    server s8 %[1]s
    server s9 %[1]s check inter 200 port %[3]d id 10
backend loc
    load-server-state-from-file local
    server l1 %[1]s
    server l2 %[1]s
backend loc2
    load-server-state-from-file local
    server-state-file-name badv
    server m1 %[1]s
backend loc3
    load-server-state-from-file local
    server-state-file-name empty
    server e1 %[1]s
backend loc4
    load-server-state-from-file local
    server-state-file-name missing
    server n1 %[1]s
backend other
    server o1 %[1]s
`, web, host, closed)
	// -c reads the files too
	cfgPath := filepath.Join(t.TempDir(), "c.cfg")
	os.WriteFile(cfgPath, []byte("global\n"+g+"defaults\n    mode http\n    timeout connect 1s\n    timeout client 5s\n    timeout server 5s\n"+rest), 0o644)
	var haOut, haErr bytes.Buffer
	cmd := exec.Command("haproxy", "-c", "-f", cfgPath)
	cmd.Stdout, cmd.Stderr = &haOut, &haErr
	haCode := 0
	if err := cmd.Run(); err != nil {
		haCode = cmd.ProcessState.ExitCode()
	}
	var goOut, goErr bytes.Buffer
	goCode := Run(&Options{Files: []string{cfgPath}, Check: true}, &goOut, &goErr)
	if haCode != goCode || haOut.String() != goOut.String() {
		t.Errorf("-c: haproxy exit %d %q, goha exit %d %q", haCode, haOut.String(), goCode, goOut.String())
	}
	diffLines(t, "-c warnings", configLines(haErr.String()), configLines(goErr.String()))
	if !strings.Contains(goErr.String(), "Server bk/s1 is DOWN, changed from server-state after a reload.") {
		t.Errorf("goha -c did not apply the file:\n%s", goErr.String())
	}

	haSock, haErrs, haFront := stateDaemon(t, true, g, rest)
	goSock, goErrs, goFront := stateDaemon(t, false, g, rest)
	time.Sleep(600 * time.Millisecond) // the first checks
	for i := 0; i < 12; i++ {
		if h, g := loopback.Get(t, haFront), loopback.Get(t, goFront); h != g {
			t.Fatalf("request %d: haproxy answered %q, goha %q", i, h, g)
		}
	}
	cols := []string{"pxname", "svname", "status", "weight", "act", "bck", "check_status", "check_health", "stot"}
	goStat := serverRows(statColumns(t, haproxytest.StatsCmd(t, goSock, "show stat"), cols))
	diffLines(t, "show stat", serverRows(statColumns(t, haproxytest.StatsCmd(t, haSock, "show stat"), cols)), goStat)
	for _, r := range goStat {
		// s7's configured port is closed: it serves on the old process's
		if strings.Contains(r, "svname=s7 ") && strings.HasSuffix(r, "stot=0") {
			t.Errorf("s7 took no traffic on the state file's port: %s", r)
		}
		// s9's configured check port is closed: it checks the old process's
		if strings.Contains(r, "svname=s9 ") && !strings.Contains(r, "check_status=L4OK") {
			t.Errorf("s9 was not checked on the state file's check port: %s", r)
		}
	}
	sameStateAndWarnings(t, haSock, goSock, haErrs, goErrs)
}

// sameStateAndWarnings compares both daemons' `show servers state` rows
// and the startup warnings they printed.
func sameStateAndWarnings(t *testing.T, haSock, goSock string, haErrs, goErrs *haproxytest.Buffer) {
	t.Helper()
	h, g := stateRows(haproxytest.StatsCmd(t, haSock, "show servers state")), stateRows(haproxytest.StatsCmd(t, goSock, "show servers state"))
	diffLines(t, "show servers state", strings.Split(h, "\n"), strings.Split(g, "\n"))
	diffLines(t, "startup warnings", configLines(haErrs.String()), configLines(goErrs.String()))
	if testing.Verbose() {
		t.Logf("haproxy:\n%s\n%s", strings.Join(configLines(haErrs.String()), "\n"), h)
	}
}

// serversStateHeader is the comment line `show servers state` writes.
func serversStateHeader(t *testing.T) string {
	t.Helper()
	return "# be_id be_name srv_id srv_name srv_addr srv_op_state srv_admin_state srv_uweight srv_iweight srv_time_since_last_change srv_check_status srv_check_result srv_check_health srv_check_state srv_agent_state bk_f_forced_id srv_f_forced_id srv_fqdn srv_port srvrecord srv_use_ssl srv_check_port srv_check_addr srv_agent_addr srv_agent_port\n"
}

// The lines HAProxy 2.6 saves for a tracked server in maintenance and one
// drained, and for the servers tracking them (MAINT and drain inherited,
// the tracker's own line stopped): the trackers start in the state passed
// down, as in HAProxy, with its startup lines.
func TestServerStateTrackMatchesHAProxy(t *testing.T) {
	testenv.LookPath(t, "haproxy")
	web := loopback.StartWeb(t, "ok").Addr
	host, port, _ := net.SplitHostPort(web)
	dir := t.TempDir()
	file := "1\n" +
		stateLine(3, "bk", 1, "s1", host, 0, 2, 1, 1, 1, 0, 0, 0, port) +
		stateLine(3, "bk", 2, "s2", host, 2, 16, 1, 1, 1, 0, 2, 0, port) +
		stateLine(4, "b1", 1, "s1", host, 0, 1, 1, 1, 15, 3, 0, 14, port) +
		stateLine(4, "b1", 2, "s2", host, 2, 8, 1, 1, 15, 3, 4, 6, port)
	os.WriteFile(filepath.Join(dir, "state"), []byte(file), 0o644)
	g := fmt.Sprintf("    server-state-file %s/state\n", dir)
	rest := fmt.Sprintf(`backend bk
    load-server-state-from-file global
    server s1 %[1]s track b1/s1
    server s2 %[1]s track b1/s2
    server s3 %[1]s
backend b1
    load-server-state-from-file global
    server s1 %[1]s check inter 200
    server s2 %[1]s check inter 200
`, web)
	haSock, haErrs, haFront := stateDaemon(t, true, g, rest)
	goSock, goErrs, goFront := stateDaemon(t, false, g, rest)
	time.Sleep(400 * time.Millisecond)
	for i := 0; i < 4; i++ {
		if h, g := loopback.Get(t, haFront), loopback.Get(t, goFront); h != g {
			t.Fatalf("request %d: haproxy answered %q, goha %q", i, h, g)
		}
	}
	cols := []string{"pxname", "svname", "status", "weight", "act", "bck", "check_status", "check_health", "stot"}
	diffLines(t, "show stat", serverRows(statColumns(t, haproxytest.StatsCmd(t, haSock, "show stat"), cols)),
		serverRows(statColumns(t, haproxytest.StatsCmd(t, goSock, "show stat"), cols)))
	sameStateAndWarnings(t, haSock, goSock, haErrs, goErrs)
}

// A server named by a host name takes the address of the old process
// (`init-addr last`, the default, before libc), and a corrupted local file
// is refused whole with HAProxy's warning. An `ssl` server is saved with
// srv_use_ssl 1 (HAProxy reading a 0 there turns its TLS off).
func TestServerStateAddrMatchesHAProxy(t *testing.T) {
	testenv.LookPath(t, "haproxy")
	ln, err := net.Listen("tcp", "127.0.0.2:0")
	if err != nil {
		t.Skip("127.0.0.2 not available:", err)
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "old") })}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	_, port, _ := net.SplitHostPort(ln.Addr().String())
	web := loopback.StartWeb(t, "ok").Addr
	dir := t.TempDir()
	line := stateLine(3, "bk", 1, "f1", "127.0.0.2", 2, 0, 1, 1, 1, 0, 2, 0, port)
	os.WriteFile(filepath.Join(dir, "state"), []byte("1\n"+strings.Replace(line, " - "+port, " localhost "+port, 1)), 0o644)
	os.WriteFile(filepath.Join(dir, "loc"), []byte("1\n"+stateLine(4, "loc", 1, "l1", "127.0.0.1", 2, 1, 1, 1, 1, 0, 2, 0, "80")+"4 loc 2 l2 127.0.0.1 2 1\n"), 0o644)
	g := fmt.Sprintf("    server-state-base %s\n    server-state-file state\n", dir)
	rest := fmt.Sprintf(`backend bk
    load-server-state-from-file global
    server f1 localhost:%s
backend loc
    load-server-state-from-file local
    server l1 %s
    server l2 %s
backend tls
    server t1 %s ssl verify none
`, port, web, web, web)
	haSock, haErrs, haFront := stateDaemon(t, true, g, rest)
	goSock, goErrs, goFront := stateDaemon(t, false, g, rest)
	if h, g := loopback.Get(t, haFront), loopback.Get(t, goFront); h != g || !strings.HasSuffix(g, "old") {
		t.Errorf("haproxy answered %q, goha %q (want the old process's address)", h, g)
	}
	sameStateAndWarnings(t, haSock, goSock, haErrs, goErrs)
}

// Lines saved while servers were starting (op 1, a slow start under way)
// and with a health outside what the new rise and fall allow.
func TestServerStateStartingMatchesHAProxy(t *testing.T) {
	testenv.LookPath(t, "haproxy")
	web := loopback.StartWeb(t, "ok").Addr
	host, port, _ := net.SplitHostPort(web)
	dir := t.TempDir()
	file := "1\n" +
		stateLine(3, "bk", 1, "s1", host, 1, 0, 10, 10, 1, 0, 2, 0, port) +
		stateLine(3, "bk", 2, "s2", host, 1, 0, 10, 10, 6, 3, 9, 6, port) +
		stateLine(3, "bk", 3, "s3", host, 3, 0, 10, 10, 6, 3, 0, 6, port) +
		stateLine(3, "bk", 4, "s4", host, 1, 0, 10, 10, 6, 3, 1, 6, port) +
		stateLine(3, "bk", 5, "s5", host, 3, 0, 10, 10, 6, 3, 1, 6, port)
	os.WriteFile(filepath.Join(dir, "state"), []byte(file), 0o644)
	g := fmt.Sprintf("    server-state-file %s/state\n", dir)
	rest := fmt.Sprintf(`backend bk
    load-server-state-from-file global
    server s1 %[1]s weight 10 slowstart 10s
    server s2 %[1]s weight 10 check inter 1m rise 3 fall 2
    server s3 %[1]s weight 10 check inter 1m rise 3 fall 4
    server s4 %[1]s weight 10 check inter 1m rise 1
    server s5 %[1]s weight 10 check inter 1m fall 1
`, web)
	haSock, haErrs, _ := stateDaemon(t, true, g, rest)
	goSock, goErrs, _ := stateDaemon(t, false, g, rest)
	cols := []string{"pxname", "svname", "status", "weight", "act", "bck", "check_health"}
	diffLines(t, "show stat", serverRows(statColumns(t, haproxytest.StatsCmd(t, haSock, "show stat"), cols)),
		serverRows(statColumns(t, haproxytest.StatsCmd(t, goSock, "show stat"), cols)))
	sameStateAndWarnings(t, haSock, goSock, haErrs, goErrs)
}
