package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/goha-lb/goha/internal/haproxytest"
	"github.com/goha-lb/goha/internal/loopback"
	"github.com/goha-lb/goha/internal/testenv"
)

// ulimit-n and fd-hard-limit: the descriptor limit asked for, the limit
// the automatic maxconn is computed under, the startup messages and what
// `show info` reports, haproxy and gohaproxy each started under the same
// 4096/4096 RLIMIT_NOFILE (prlimit) with one listener and a stats socket.
func TestGlobalFDLimitsMatchHAProxy(t *testing.T) {
	testenv.LookPath(t, "haproxy")
	testenv.LookPath(t, "prlimit")
	bin := gohaproxyBin(t)
	for _, global := range []string{
		"ulimit-n 500\n    maxconn 1000",
		"ulimit-n 2000",
		"fd-hard-limit 3000",
		"fd-hard-limit 240",
		"fd-hard-limit -5",
		"fd-hard-limit 3000\n    maxconn 5000",
		"fd-hard-limit 3000\n    ulimit-n 3500",
		"no strict-limits\n    fd-hard-limit 3000\n    maxconn 5000",
		"strict-limits\n    fd-hard-limit 3000\n    maxconn 5000",
		"strict-limits\n    ulimit-n 2000",
	} {
		var got [2]string
		for i, b := range []string{"haproxy", bin} {
			got[i] = limitsOf(t, b, global)
		}
		t.Logf("%q: %s", global, got[0])
		if got[0] != got[1] {
			t.Errorf("%q:\nhaproxy:   %s\ngohaproxy: %s", global, got[0], got[1])
		}
	}
}

// limitsOf starts bin with global lines under prlimit and returns its
// startup warnings and alerts, then its show info limits or its exit.
func limitsOf(t *testing.T, bin, global string) string {
	t.Helper()
	dir := t.TempDir()
	sock, addr := filepath.Join(dir, "stats"), loopback.FreeAddr(t)
	cfg := fmt.Sprintf("global\n    stats socket %s level admin\n    %s\ndefaults\n    mode http\n    timeout client 2s\n    timeout server 2s\n    timeout connect 2s\n"+
		"frontend f\n    bind %s\n    http-request return status 200\n", sock, global, addr)
	path := filepath.Join(dir, "t.cfg")
	os.WriteFile(path, []byte(cfg), 0o644)
	var stderr haproxytest.Buffer
	cmd := exec.Command("prlimit", "--nofile=4096:4096", "--", bin, "-db", "-f", path)
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	defer func() {
		cmd.Process.Kill()
		<-exited
	}()
	var end string
	deadline := time.After(5 * time.Second)
wait:
	for {
		select {
		case err := <-exited:
			exited <- err // for the deferred wait
			end = fmt.Sprintf("exited: %v", err)
			break wait
		case <-deadline:
			t.Fatalf("%s: neither a stats socket nor an exit", bin)
		case <-time.After(20 * time.Millisecond):
			if _, err := os.Stat(sock); err == nil {
				info := haproxytest.StatsCmd(t, sock, "show info")
				for _, f := range []string{"Ulimit-n", "Maxsock", "Maxconn", "Hard_maxconn"} {
					end += f + "=" + infoValue(info, f) + " "
				}
				break wait
			}
		}
	}
	var msgs []string
	for _, l := range strings.Split(stderr.String(), "\n") {
		if _, rest, ok := strings.Cut(l, ") : "); ok && (strings.HasPrefix(l, "[WARNING]") || strings.HasPrefix(l, "[ALERT]")) {
			msgs = append(msgs, l[:strings.IndexByte(l, ' ')]+" "+rest)
		}
	}
	return strings.Join(msgs, " | ") + " => " + end
}

// infoValue is one field of a show info answer.
func infoValue(info, field string) string {
	for _, l := range strings.Split(info, "\n") {
		if v, ok := strings.CutPrefix(l, field+": "); ok {
			return v
		}
	}
	return ""
}
