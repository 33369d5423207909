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

// entryIDs are the entry ids of show map|acl: process addresses in
// HAProxy, goha's own ids in the same shape; compared as "ID".
var entryIDs = regexp.MustCompile(`(?m)^0x[0-9a-f]+ `)

// TestMapCLIMatchesHAProxy: the runtime API's map and acl commands on the
// same map and pattern files in HAProxy 2.6 and gohaproxy: the same
// answers (entry ids aside; the list of files compared on names), and
// after each change the same statuses for requests whose
// fate a map lookup (deny by map value) and an ACL -f file (deny by
// pattern) decide.
func TestMapCLIMatchesHAProxy(t *testing.T) {
	testenv.LookPath(t, "haproxy")
	web := loopback.StartWeb(t, "web")
	start := func(bin string) (bind, sock, mapPath, patPath string) {
		dir := t.TempDir()
		bind = loopback.FreeAddr(t)
		mapPath, patPath = filepath.Join(dir, "m.map"), filepath.Join(dir, "p.txt")
		os.WriteFile(mapPath, []byte("a ok\nb blocked\nb ok\nc two words\n"), 0o644)
		os.WriteFile(patPath, []byte("x\ny\n"), 0o644)
		startWithConfig(t, bin, fmt.Sprintf(adminHead+`frontend fe
    bind %s
    acl bad req.hdr(k),map(%s,none) -m str blocked
    acl pat req.hdr(k) -f %s
    acl pati req.hdr(k) -i -f %s
    acl patb req.hdr(k) -m beg -f %s
    acl patd req.hdr(k) -f %s
    http-request set-header x-p yes if pati || patb || patd
    http-request deny deny_status 403 if bad
    http-request deny deny_status 429 if pat
    http-request set-header x-sub %%[req.hdr(k),map_sub(%s)]
    http-request set-header x-beg %%[req.hdr(k),map_beg(%s,d)]
    default_backend be
backend be
    server s1 %s
`, dir, bind, mapPath, patPath, patPath, patPath, patPath, mapPath, mapPath, web.Addr), bind)
		return bind, filepath.Join(dir, "s.sock"), mapPath, patPath
	}
	haBind, haSock, haMap, haPat := start("haproxy")
	goBind, goSock, goMap, goPat := start(gohaproxy)
	status := func(bind, k string) int {
		req, _ := http.NewRequest("GET", "http://"+bind+"/", nil)
		req.Header.Set("k", k)
		req.Close = true
		c := &http.Client{Timeout: 3 * time.Second}
		resp, err := c.Do(req)
		if err != nil {
			t.Fatalf("%s: %v", bind, err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	steps := []string{
		"show map $M", "show acl $P", "get map $M a", "get map $M b", "get map $M zz", "get map $M", "get map /nope a",
		"add map $M d blocked", "add map $M a blocked", "show map $M",
		"set map $M b fine", "show map $M", "del map $M a", "del map $M nope", "show map $M", "add acl $P z", "get acl $P x", "get acl $P X", "get acl $P zz", "get acl $P", "get acl /nope x", "add acl $P xy",
		"get acl $P xyz",
		"del acl $P x", "show acl $P", "del acl $P nope", "show map /nope", "show acl /nope", "add map $M onlykey",
		"add acl $P", "set map $M b", "del map $M", "clear map", "clear acl", "clear map $M", "show map $M",
		"clear acl $P", "show acl $P", "add map $M e blocked", "get map $M e",
	}
	keys := []string{"a", "b", "c", "d", "e", "x", "y", "z", "nope"}
	for i, step := range steps {
		want := haproxytest.StatsCmd(t, haSock, strings.NewReplacer("$M", haMap, "$P", haPat).Replace(step))
		got := haproxytest.StatsCmd(t, goSock, strings.NewReplacer("$M", goMap, "$P", goPat).Replace(step))
		want = strings.ReplaceAll(want, haMap, "$M")
		got = strings.ReplaceAll(got, goMap, "$M")
		want, got = strings.ReplaceAll(want, haPat, "$P"), strings.ReplaceAll(got, goPat, "$P")
		want, got = entryIDs.ReplaceAllString(want, "ID "), entryIDs.ReplaceAllString(got, "ID ")
		if i == 0 && want != "ID a ok\nID b blocked\nID b ok\nID c two words\n\n" {
			t.Fatalf("HAProxy's show map of the file: %q", want)
		}
		if want != got {
			t.Errorf("%s:\nhaproxy %q\n   goha %q", step, want, got)
		}
		for _, k := range keys {
			if w, g := status(haBind, k), status(goBind, k); w != g {
				t.Errorf("after %q: k=%s: haproxy %d, goha %d", step, k, w, g)
			}
		}
	}
	// entry_cnt is not compared: HAProxy 2.6.12 printed 15 here where the
	// map holds 1 entry (3 users, after adds, deletes and a clear); goha
	// prints the number of entries.
	list := regexp.MustCompile(`\((\S+)\) `)
	for _, c := range []string{"show map", "show acl"} {
		w := list.FindAllStringSubmatch(strings.ReplaceAll(strings.ReplaceAll(haproxytest.StatsCmd(t, haSock, c), haMap, "$M"), haPat, "$P"), -1)
		g := list.FindAllStringSubmatch(strings.ReplaceAll(strings.ReplaceAll(haproxytest.StatsCmd(t, goSock, c), goMap, "$M"), goPat, "$P"), -1)
		for _, m := range append(w, g...) {
			m[0] = "" // the "used by" text names the config file and line: not compared
		}
		if fmt.Sprint(w) != fmt.Sprint(g) {
			t.Errorf("%s: haproxy %q, goha %q", c, w, g)
		}
	}
}
