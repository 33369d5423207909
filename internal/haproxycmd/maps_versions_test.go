package haproxycmd

import (
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/goha-lb/goha/internal/haproxytest"
	"github.com/goha-lb/goha/internal/loopback"
	"github.com/goha-lb/goha/internal/testenv"
)

// TestMapVersionsMatchHAProxy: prepare, add @<ver>, show/clear @<ver> and
// commit of maps and ACL files answer as in HAProxy 2.6 (entry ids
// aside), the versions and entry counts of "show map|acl" agree, and
// requests decided by the map and the ACL get the same status after each
// step: a prepared version is unseen until its commit.
func TestMapVersionsMatchHAProxy(t *testing.T) {
	testenv.LookPath(t, "haproxy")
	start := func(bin string) (bind, sock, mapPath, aclPath string) {
		dir := t.TempDir()
		bind = loopback.FreeAddr(t)
		mapPath, aclPath = filepath.Join(dir, "m.map"), filepath.Join(dir, "a.acl")
		os.WriteFile(mapPath, []byte("/k1 403\n/k2 404\n"), 0o644)
		os.WriteFile(aclPath, []byte("/blocked\n"), 0o644)
		startWithConfig(t, bin, fmt.Sprintf(adminHead+`frontend fe
    bind %s
    acl blk path -f %s
    http-request deny deny_status 429 if blk
    http-request return status 200 content-type text/plain lf-string "%%[path,map(%s,none)]"
`, dir, bind, aclPath, mapPath), bind)
		return bind, filepath.Join(dir, "s.sock"), mapPath, aclPath
	}
	haBind, haSock, haMap, haACL := start("haproxy")
	goBind, goSock, goMap, goACL := start(gohaproxy)
	answer := func(bind, path string) string {
		c := &http.Client{Timeout: 3 * time.Second}
		resp, err := c.Get("http://" + bind + path)
		if err != nil {
			t.Fatalf("%s: %v", bind, err)
		}
		defer resp.Body.Close()
		b := make([]byte, 64)
		n, _ := resp.Body.Read(b)
		return fmt.Sprintf("%d %s", resp.StatusCode, b[:n])
	}
	list := regexp.MustCompile(`curr_ver=\d+ next_ver=\d+ entry_cnt=\d+`)
	steps := []string{
		"prepare map", "prepare map /nope", "prepare map $M", "prepare map $M", "show map",
		"add map @1 $M /k3 v3", "add map @2 $M /k4 v4", "add map @9 $M /k9 v9", "add map @x $M /k5 v5",
		"show map $M", "show map @1 $M", "show map @2 $M", "commit map", "commit map $M", "commit map @9 $M",
		"commit map @1", "commit map @1 /nope", "commit map @1 $M", "show map $M", "show map", "commit map @1 $M",
		"clear map @2 $M", "show map @2 $M", "commit map @2 $M", "show map $M", "show map",
		"prepare acl $A", "add acl @1 $A /k1", "show acl @1 $A", "show acl $A", "commit acl @1 $A", "show acl $A",
		"commit acl", "prepare acl", "del acl", "del map",
		"add map $M <<\n/p1 v1\n/p2 v2 with space\n  /p3   v3\n/p4\n/p5 v5\n", "show map $M", "prepare map $M",
		"add map @3 $M <<\n/q1 w1\n/q2 w2\n", "show map @3 $M", "add map $M /k9 <<\n/r1 x\n", "commit map @3 $M", "show map $M",
		"add acl $A <<\n/a1\n", "add map $M <<\n/s1 y\nk8\n", "show map $M",
	}
	for _, step := range steps {
		want := haproxytest.StatsCmd(t, haSock, strings.NewReplacer("$M", haMap, "$A", haACL).Replace(step))
		got := haproxytest.StatsCmd(t, goSock, strings.NewReplacer("$M", goMap, "$A", goACL).Replace(step))
		want = strings.NewReplacer(haMap, "$M", haACL, "$A").Replace(want)
		got = strings.NewReplacer(goMap, "$M", goACL, "$A").Replace(got)
		want, got = entryIDs.ReplaceAllString(want, "ID "), entryIDs.ReplaceAllString(got, "ID ")
		if step == "show map" || step == "show acl" {
			// The "used by" text names the config file and line: only
			// the versions and counts of the first reference compared.
			// In-process workers of other tests share the process's
			// references: take this test's own file's line.
			own := func(out string) string {
				for _, l := range strings.Split(out, "\n") {
					if strings.Contains(l, "($M)") || strings.Contains(l, "($A)") {
						return list.FindString(l)
					}
				}
				return ""
			}
			want, got = own(want), own(got)
			if want == "" {
				t.Fatalf("%s: no versions in HAProxy's answer", step)
			}
		}
		if want != got {
			t.Errorf("%s:\nhaproxy %q\n   goha %q", step, want, got)
		}
		for _, p := range []string{"/k1", "/k2", "/k3", "/k4", "/k5", "/blocked", "/p1", "/p2", "/q1"} {
			if w, g := answer(haBind, p), answer(goBind, p); w != g {
				t.Errorf("after %q: %s: haproxy %q, goha %q", step, p, w, g)
			}
		}
	}
}
