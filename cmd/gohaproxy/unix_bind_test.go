package main

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/goha-lb/goha/internal/haproxytest"
	"github.com/goha-lb/goha/internal/loopback"
	"github.com/goha-lb/goha/internal/testenv"
)

// TestUnixBindMatchesHAProxy: global `unix-bind prefix/mode/uid` applies
// to the UNIX sockets of frontend bind lines only (which goha refuses);
// a `stats socket` keeps its own path, mode and owner. The real haproxy
// and gohaproxy create the same socket files with the same permissions.
func TestUnixBindMatchesHAProxy(t *testing.T) {
	testenv.LookPath(t, "haproxy")
	type sockInfo struct {
		exists bool
		mode   os.FileMode
	}
	run := func(bin string) map[string]sockInfo {
		dir := t.TempDir()
		os.Mkdir(filepath.Join(dir, "pre"), 0o755)
		addr := loopback.FreeAddr(t)
		cfg := fmt.Sprintf(`global
    unix-bind prefix %[1]s/pre/ mode 640 uid 1 gid 2
    stats socket %[1]s/a.sock
    stats socket %[1]s/b.sock mode 600
defaults
    mode tcp
    timeout connect 1s
    timeout client 5s
    timeout server 5s
listen l
    bind %[2]s
    server s 127.0.0.1:9
`, dir, addr)
		cmd := startWithConfig(t, bin, cfg, addr)
		haproxytest.StatsCmd(t, filepath.Join(dir, "b.sock"), "show info") // both sockets are open
		out := map[string]sockInfo{}
		for _, name := range []string{"a.sock", "b.sock", "pre" + dir + "/a.sock", "pre/a.sock"} {
			fi, err := os.Stat(filepath.Join(dir, name))
			if err == nil {
				out[name] = sockInfo{true, fi.Mode().Perm()}
			}
		}
		cmd.Process.Kill()
		cmd.Wait()
		return out
	}
	want := run("haproxy")
	got := run(gohaproxyBin(t))
	if fmt.Sprint(want) != fmt.Sprint(got) {
		t.Errorf("socket files: haproxy %v, gohaproxy %v", want, got)
	}
	if !want["a.sock"].exists || want["b.sock"].mode != 0o600 {
		t.Errorf("haproxy: %v (want a.sock and b.sock mode 600 in place)", want)
	}
}
