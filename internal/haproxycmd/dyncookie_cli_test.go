package haproxycmd

import (
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/goha-lb/goha/internal/haproxytest"
	"github.com/goha-lb/goha/internal/loopback"
	"github.com/goha-lb/goha/internal/testenv"
)

// The dynamic cookie commands answer as HAProxy 2.6 does, and change the
// cookie HAProxy and goha insert alike: a new key gives new cookies,
// disabling leaves the servers without one (a server's own `cookie`
// stays), enabling derives them again; show stat's cookie column
// follows.
func TestDynamicCookieCommandsMatchHAProxy(t *testing.T) {
	testenv.LookPath(t, "haproxy")
	web1, web2 := loopback.StartWeb(t, "w1"), loopback.StartWeb(t, "w2")
	start := func(bin string) (string, string) {
		dir := t.TempDir()
		bind := loopback.FreeAddr(t)
		path := filepath.Join(dir, "c.cfg")
		os.WriteFile(path, []byte(fmt.Sprintf(`global
    stats socket %[1]s/s.sock level admin
defaults
    mode http
    timeout connect 1s
    timeout client 5s
    timeout server 5s
frontend fe
    bind %[2]s
    default_backend be
backend be
    balance first
    cookie SRV insert indirect nocache dynamic
    dynamic-cookie-key first
    server s1 %[3]s
    server s2 %[4]s cookie own
backend other
    server o1 %[3]s
`, dir, bind, web1.Addr, web2.Addr)), 0o644)
		runQuiet(t, bin, path)
		loopback.WaitListen(t, bind)
		return bind, filepath.Join(dir, "s.sock")
	}
	haBind, haSock := start("haproxy")
	goBind, goSock := start(gohaproxy)
	setCookie := func(bind, cookie string) string {
		req, _ := http.NewRequest("GET", "http://"+bind+"/", nil)
		if cookie != "" {
			req.Header.Set("Cookie", cookie)
		}
		resp, err := (&http.Client{Timeout: 3 * time.Second}).Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return strings.Join(resp.Header.Values("Set-Cookie"), " | ")
	}
	seen := map[string]bool{}
	compare := func(step string) {
		t.Helper()
		ha, goha := setCookie(haBind, ""), setCookie(goBind, "")
		if ha != goha {
			t.Errorf("%s: Set-Cookie: haproxy %q, goha %q", step, ha, goha)
		}
		seen[goha] = true
		if ha, goha := setCookie(haBind, "SRV=own"), setCookie(goBind, "SRV=own"); ha != goha {
			t.Errorf("%s: Set-Cookie for SRV=own: haproxy %q, goha %q", step, ha, goha)
		}
		cols := []string{"pxname", "svname", "cookie"}
		diffLines(t, step+": show stat", statColumns(t, haproxytest.StatsCmd(t, haSock, "show stat"), cols),
			statColumns(t, haproxytest.StatsCmd(t, goSock, "show stat"), cols))
	}
	same := func(cmds ...string) {
		t.Helper()
		for _, c := range cmds {
			if ha, goha := haproxytest.StatsCmd(t, haSock, c), haproxytest.StatsCmd(t, goSock, c); ha != goha {
				t.Errorf("%s\nhaproxy %q\n   goha %q", c, ha, goha)
			}
		}
	}
	compare("start")
	same("set dynamic-cookie-key backend", "set dynamic-cookie-key backend be", "set dynamic-cookie-key backend nosuch k",
		"set dynamic-cookie-key backend fe k", "operator; set dynamic-cookie-key backend be k", "enable dynamic-cookie backend",
		"disable dynamic-cookie backend nosuch", "set dynamic-cookie-key backend be second")
	compare("new key")
	same("disable dynamic-cookie backend be")
	compare("disabled")
	same("set dynamic-cookie-key backend be third", "enable dynamic-cookie backend be")
	compare("enabled again")
	same("enable dynamic-cookie backend other", "set dynamic-cookie-key backend other k")
	compare("other backend")
	if len(seen) < 3 {
		t.Errorf("the cookies did not change with the commands: %v", seen)
	}
}
