package haproxycmd

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/goha-lb/goha/internal/loopback"
	"github.com/goha-lb/goha/internal/testenv"
)

// TestStatsSocketOwnerMatchesHAProxy: a UNIX stats socket's `user`/`uid`,
// `group`/`gid` and `mode` (the last of user and uid wins, as of group and
// gid), beside HAProxy 2.6: each daemon's socket files, stat'ed, have the
// same owner, group and permissions.
func TestStatsSocketOwnerMatchesHAProxy(t *testing.T) {
	testenv.Root(t)
	testenv.LookPath(t, "haproxy")
	socks := []struct{ name, opts string }{
		{"names", "mode 640 user nobody group nogroup"},
		{"ids", "uid 65534 gid 65534 mode 600"},
		{"user then uid", "user nobody uid 2 gid 3"},
		{"gid only", "gid 65534"},
		{"none", "mode 666"},
	}
	type owner struct {
		UID, GID uint32
		Perm     os.FileMode
	}
	run := func(side string) []owner {
		dir := t.TempDir()
		os.Chmod(dir, 0o755)
		cfg := "global\n"
		for i, s := range socks {
			cfg += fmt.Sprintf("    stats socket %s/s%d.sock %s\n", dir, i, s.opts)
		}
		cfg += "defaults\n    mode http\n    timeout connect 1s\n    timeout client 1s\n    timeout server 1s\n" +
			"listen l\n    bind " + loopback.FreeAddr(t) + "\n    server s 127.0.0.1:9\n"
		path := filepath.Join(dir, "c.cfg")
		if err := os.WriteFile(path, []byte(cfg), 0o644); err != nil {
			t.Fatal(err)
		}
		defer startSide(t, side == "haproxy", path)()
		var got []owner
		for i := range socks {
			p := fmt.Sprintf("%s/s%d.sock", dir, i)
			var fi os.FileInfo
			var err error
			for deadline := time.Now().Add(3 * time.Second); ; time.Sleep(20 * time.Millisecond) {
				if fi, err = os.Stat(p); err == nil || time.Now().After(deadline) {
					break
				}
			}
			if err != nil {
				t.Fatalf("%s: %v", side, err)
			}
			st := fi.Sys().(*syscall.Stat_t)
			got = append(got, owner{st.Uid, st.Gid, fi.Mode().Perm()})
		}
		return got
	}
	h, g := run("haproxy"), run("goha")
	var seen []string
	for i, s := range socks {
		if h[i] != g[i] {
			t.Errorf("%s (%s): haproxy %+v, goha %+v", s.name, s.opts, h[i], g[i])
		}
		seen = append(seen, fmt.Sprintf("%s %+v", s.name, h[i]))
	}
	t.Log(strings.Join(seen, "; "))
}
