package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/goha-lb/goha/internal/haproxytest"
	"github.com/goha-lb/goha/internal/loopback"
	"github.com/goha-lb/goha/internal/testenv"
)

// TestServerIntOptionWithoutValueMatchesHAProxy: HAProxy 2.6.12 reads
// weight, maxconn, maxqueue and minconn with atol() and no check for a
// missing word, so `weight` at the end of a server or server-template line
// is weight 0 (the server gets no traffic) and a bare maxconn/maxqueue/
// minconn is 0 (no limit). A default-server's id is refused with an
// alert that does not stop it, and ignored. Both daemons run the same file: -c accepts it,
// the same requests land on the same servers, and show stat (weight, slim,
// lbtot ...) and show servers state agree.
func TestServerIntOptionWithoutValueMatchesHAProxy(t *testing.T) {
	hp := testenv.LookPath(t, "haproxy")
	webs := map[string]string{}
	for _, n := range []string{"ws", "wt", "wq", "ww", "wm"} {
		webs[n] = loopback.StartWeb(t, n).Addr
	}
	var answers, stats, states []string
	for _, bin := range []string{hp, gohaproxyBin(t)} {
		dir := t.TempDir()
		bind, sock := loopback.FreeAddr(t), filepath.Join(dir, "stats")
		path := haproxytest.WriteConfig(t, fmt.Sprintf(`global
    stats socket %s level admin
defaults
    mode http
    timeout client 5s
    timeout server 5s
    timeout connect 5s
frontend fe
    bind %s
    default_backend be
backend be
    default-server id 5
    server-template s 2 %s weight
    server-template t 1 %s maxconn
    server-template q 1 %s minconn
    server w %s weight
    server m %s maxqueue
`, sock, bind, webs["ws"], webs["wt"], webs["wq"], webs["ww"], webs["wm"]))
		code, out, errs := runArgs("-c", "-f", path)
		// HAProxy alerts on default-server's id but goes on (exit 0)
		if code != 0 || strings.Count(errs, "ALERT") != 1 || !strings.Contains(errs, "'id' option is not accepted in default-server sections") {
			t.Fatalf("gohaproxy -c: exit %d\n%s%s", code, out, errs)
		}
		haproxytest.StartQuiet(t, bin, path)
		loopback.WaitListen(t, bind)
		var got []string
		for i := 0; i < 6; i++ {
			waitInfoField(t, sock, "CurrConns", "0", 3*time.Second)
			got = append(got, loopback.Get(t, bind))
		}
		waitInfoField(t, sock, "CurrConns", "0", 3*time.Second)
		answers = append(answers, strings.Join(got, ", "))
		stats = append(stats, strings.Join(haproxytest.StatRows(haproxytest.StatsCmd(t, sock, "show stat")), "\n"))
		states = append(states, haproxytest.ServersState(haproxytest.StatsCmd(t, sock, "show servers state be")))
	}
	if answers[0] != answers[1] || strings.Contains(answers[0], "ws") || strings.Contains(answers[0], "ww") {
		t.Errorf("answers\nhaproxy %s\n   goha %s", answers[0], answers[1])
	}
	if stats[0] != stats[1] || !strings.Contains(stats[0], "svname=s1 qcur=0 scur=0 slim= stot=0 status=no check weight=0") {
		t.Errorf("show stat\nhaproxy:\n%s\ngoha:\n%s", stats[0], stats[1])
	}
	if states[0] != states[1] || states[0] == "" {
		t.Errorf("show servers state\nhaproxy:\n%s\ngoha:\n%s", states[0], states[1])
	}
}

// TestServerOptionMissingValueCheckMatchesHAProxy: a server option left
// without its value at the end of a server, server-template or
// default-server line; -c prints HAProxy's own sentence for each, with its
// exit code.
func TestServerOptionMissingValueCheckMatchesHAProxy(t *testing.T) {
	hp := testenv.LookPath(t, "haproxy")
	dir := t.TempDir()
	for _, o := range []string{"weight", "maxconn", "maxqueue", "minconn", "rise", "fall", "port", "error-limit", "pool-max-conn",
		"max-reuse", "observe", "on-error", "addr", "agent-port", "agent-inter", "id", "id 5"} {
		cfg := filepath.Join(dir, "o.cfg")
		os.WriteFile(cfg, []byte(fmt.Sprintf("defaults\n    mode http\n    timeout client 1s\n    timeout server 1s\n    timeout connect 1s\n"+
			"backend be\n    server s 127.0.0.1:2 %[1]s\nbackend b2\n    server-template s 1 127.0.0.1:2 %[1]s\n"+
			"backend b3\n    default-server %[1]s\n    server s 127.0.0.1:2\n", o)), 0o644)
		if hcode, want, code, got := checkBoth(t, hp, cfg); want != got || code != hcode {
			t.Errorf("%s: haproxy exit %d:\n%s\ngoha exit %d:\n%s", o, hcode, want, code, got)
		}
	}
}
