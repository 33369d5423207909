package haproxycmd

import (
	"fmt"
	"net"
	"os"
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

// `option external-check` beside HAProxy 2.6: a script records its
// arguments and environment and exits with the code the test sets. Both
// daemons run it with the same argv and HAPROXY_* environment (a backend
// and a tcp listen section, whose first bind is the proxy address), mark
// the servers UP with PROCOK, then DOWN with PROCERR and the script's exit
// code, and log the same lines; a server named by host name shows it as
// its srv_fqdn.
func TestExternalCheckMatchHAProxy(t *testing.T) {
	testenv.LookPath(t, "haproxy")
	for _, tool := range []string{"sh", "env", "sort", "grep"} {
		testenv.LookPath(t, tool)
	}
	rcFile := filepath.Join(t.TempDir(), "rc")
	os.WriteFile(rcFile, []byte("0\n"), 0o644)
	s1, s2, t1 := loopback.FreeAddr(t), loopback.FreeAddr(t), loopback.FreeAddr(t)
	_, s2port, _ := net.SplitHostPort(s2) // s2 is named: show servers state's srv_fqdn
	type daemon struct {
		name, sock, dir, record, tcp string
		errs                         *haproxytest.Buffer
	}
	start := func(ha bool) daemon {
		dir := t.TempDir()
		d := daemon{name: "goha", sock: filepath.Join(dir, "s.sock"), dir: dir, record: filepath.Join(dir, "record")}
		script := filepath.Join(dir, "chk.sh")
		// one file per run: checks of several servers run at once
		os.Mkdir(d.record, 0o755)
		os.WriteFile(script, []byte(fmt.Sprintf("#!/bin/sh\n{ echo \"ARGS $*\"; env | sort | grep -v '^PWD='; } > %s/$$\nexit $(cat %s)\n", d.record, rcFile)), 0o755)
		bind, tcp := loopback.FreeAddr(t), loopback.FreeAddr(t)
		d.tcp = tcp
		path := filepath.Join(dir, "x.cfg")
		os.WriteFile(path, []byte(fmt.Sprintf(`global
    external-check
    insecure-fork-wanted
    stats socket %s level admin
defaults
    timeout connect 1s
    timeout client 5s
    timeout server 5s
    timeout check 2s
frontend fe
    mode http
    bind %s
    default_backend be
backend be
    mode http
    option external-check
    external-check path "/usr/bin:/bin"
    external-check command %s
    server s1 %s check inter 1s rise 1 fall 1
    server s2 localhost:%s check inter 1s rise 1 fall 1 weight 7 maxconn 9
listen li
    mode tcp
    bind %s
    option external-check
    external-check command %s
    external-check path "/usr/bin:/bin"
    server t1 %s check inter 1s rise 1 fall 1
`, d.sock, bind, script, s1, s2port, tcp, script, t1)), 0o644)
		if ha {
			d.name = "haproxy"
		}
		d.errs = runLogged(t, ha, path)
		loopback.WaitListen(t, bind)
		return d
	}
	both := []daemon{start(true), start(false)}
	cols := []string{"pxname", "svname", "status", "weight", "check_status", "check_code", "check_desc"}
	// settle waits until every server's check_status is want on both,
	// then compares show stat and show servers state.
	settle := func(what, want string) {
		t.Helper()
		var rows [2][]string
		for i, d := range both {
			for try := 0; try < 60; try++ {
				rows[i] = statColumns(t, haproxytest.StatsCmd(t, d.sock, "show stat"), cols)
				if n := strings.Count(strings.Join(rows[i], "\n"), "check_status="+want+" "); n == 3 {
					break
				}
				time.Sleep(50 * time.Millisecond)
			}
		}
		diffLines(t, what+": show stat", rows[0], rows[1])
		if ha, goha := haproxytest.SettledState(t, both[0].sock), haproxytest.SettledState(t, both[1].sock); ha != goha {
			t.Errorf("%s: show servers state\nhaproxy %s\n   goha %s", what, ha, goha)
		}
	}
	settle("passing", "PROCOK")
	os.WriteFile(rcFile, []byte("3\n"), 0o644)
	settle("failing", "PROCERR")

	var logs, records [2][]string
	// durations differ, and so do the servers left: s1 and s2 go down in
	// either order on both daemons
	dur := regexp.MustCompile(`check duration: \d+ms|\d+ active and \d+ backup servers (left|online)`)
	for i, d := range both {
		for _, l := range strings.Split(d.errs.String(), "\n") {
			if strings.Contains(l, "Server ") || strings.Contains(l, "no server available") {
				logs[i] = append(logs[i], dur.ReplaceAllString(l[strings.Index(l, ":")+2:], "N"))
			}
		}
		sort.Strings(logs[i]) // the servers are checked independently
		var all []string
		files, _ := filepath.Glob(filepath.Join(d.record, "*"))
		for _, f := range files {
			b, _ := os.ReadFile(f)
			all = append(all, string(b))
		}
		seen := map[string]bool{}
		_, port, _ := net.SplitHostPort(d.tcp) // each daemon listens on its own port
		for _, rec := range all {
			rec = strings.ReplaceAll(strings.ReplaceAll(rec, d.dir, "DIR"), port, "PORT")
			if rec = strings.TrimSpace(rec); rec != "" && !seen[rec] {
				seen[rec] = true
				records[i] = append(records[i], rec)
			}
		}
		sort.Strings(records[i])
	}
	if len(logs[0]) < 3 || len(records[0]) < 3 {
		t.Fatalf("haproxy logged %q and recorded %q", logs[0], records[0])
	}
	diffLines(t, "log lines", logs[0], logs[1])
	diffLines(t, "script argv and environment", records[0], records[1])
}
