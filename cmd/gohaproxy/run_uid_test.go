package main

import (
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/goha-lb/goha/internal/loopback"
	"github.com/goha-lb/goha/internal/testenv"
)

// procIDs returns the "Uid:" and "Gid:" lines' real ids of pid.
func procIDs(t *testing.T, pid int) (uid, gid string) {
	t.Helper()
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range strings.Split(string(data), "\n") {
		f := strings.Fields(l)
		if len(f) > 1 && f[0] == "Uid:" {
			uid = f[1]
		}
		if len(f) > 1 && f[0] == "Gid:" {
			gid = f[1]
		}
	}
	return uid, gid
}

// Global uid/gid drop privileges to numeric ids after binding; the first
// non-zero id of user/uid (group/gid) wins, as in HAProxy 2.6 (compared with the real
// haproxy when present). Needs root.
func TestNumericUIDGID(t *testing.T) {
	testenv.Root(t) // to change ids
	bins := []string{gohaproxyBin(t)}
	if hp, ok := testenv.Optional(t, "haproxy"); ok {
		bins = append(bins, hp)
	}
	for _, bin := range bins {
		for _, tc := range []struct{ global, uid, gid string }{
			{"uid 65534\n    gid 65533", "65534", "65533"},
			{"uid 65534\n    user root\n    gid 65533\n    group root", "65534", "65533"},
			{"user root\n    uid 65534\n    gid 0\n    gid 65533", "65534", "65533"},
		} {
			addr := loopback.FreeAddr(t)
			cmd := startWithConfig(t, bin, fmt.Sprintf(`global
    %s
defaults
    mode tcp
    timeout connect 1s
    timeout client 5s
    timeout server 5s
listen l
    bind %s
    server s 127.0.0.1:9
`, tc.global, addr), addr)
			var uid, gid string
			for i := 0; i < 50; i++ { // ids change right after binding
				if uid, gid = procIDs(t, cmd.Process.Pid); uid == tc.uid && gid == tc.gid {
					break
				}
				time.Sleep(20 * time.Millisecond)
			}
			if uid != tc.uid || gid != tc.gid {
				t.Errorf("%s with %q: uid %s gid %s, want %s %s", bin, tc.global, uid, gid, tc.uid, tc.gid)
			}
		}
	}
}
