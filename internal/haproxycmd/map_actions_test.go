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
	"github.com/goha-lb/goha/proxy/acl"
)

// TestMapActionsMatchHAProxy: http-request and http-response set-map,
// del-map, add-acl and del-acl (each in both rule sets) in HAProxy 2.6 and gohaproxy on the same
// files and requests: after each request the same status, the same
// answer of a map lookup, and the same show map / show acl (entry ids
// aside). Keys and values come from the request (%[url_param]), the
// map file has a duplicate key, one rule names a file nothing loaded.
func TestMapActionsMatchHAProxy(t *testing.T) {
	testenv.LookPath(t, "haproxy")
	web := loopback.StartWeb(t, "web")
	start := func(bin string) (bind, sock, mapPath, patPath string) {
		dir := t.TempDir()
		t.Cleanup(func() { acl.ForgetPatRefs(dir) }) // keep TestMapCLIMatchesHAProxy's list its own
		bind = loopback.FreeAddr(t)
		mapPath, patPath = filepath.Join(dir, "m.map"), filepath.Join(dir, "p.txt")
		os.WriteFile(mapPath, []byte("a ok\nb one\nb two\nc three\n"), 0o644)
		os.WriteFile(patPath, []byte("x\ny\n"), 0o644)
		startWithConfig(t, bin, fmt.Sprintf(`global
    stats socket %[1]s/s.sock level admin
defaults
    mode http
    timeout connect 1s
    timeout client 5s
    timeout server 5s
frontend fe
    bind %[2]s
    acl blocked req.hdr(k) -f %[4]s
    http-request set-var(txn.path) path
    http-request set-map(%[3]s) %%[url_param(k)] %%[url_param(v)] if { path /set }
    http-request del-map(%[3]s) %%[url_param(k)] if { path /delm }
    http-request add-acl(%[4]s) %%[url_param(k)] if { path /add }
    http-request del-acl(%[4]s) %%[url_param(k)] if { path /dela }
    http-request set-map(%[1]s/none.map) a b if { path /none }
    http-request add-acl(%[3]s) k-%%[url_param(k)] if { path /addm }
    http-request deny deny_status 403 if blocked
    http-request return status 200 content-type text/plain lf-string "m=%%[url_param(k),map(%[3]s,none)]" if { path /get }
    http-response set-map(%[3]s) r-%%[var(txn.path)] %%[status]-%%[var(txn.path)] if { var(txn.path) -m beg /resp }
    http-response del-acl(%[4]s) %%[var(txn.path),regsub(^/respdel/,)] if { var(txn.path) -m beg /respdel/ }
    http-response del-map(%[3]s) %%[var(txn.path),regsub(^/rdelm/,)] if { var(txn.path) -m beg /rdelm/ }
    http-response add-acl(%[4]s) %%[var(txn.path),regsub(^/radd/,)] if { var(txn.path) -m beg /radd/ }
    default_backend be
backend be
    server s1 %[5]s
`, dir, bind, mapPath, patPath, web.Addr), bind)
		return bind, filepath.Join(dir, "s.sock"), mapPath, patPath
	}
	haBind, haSock, haMap, haPat := start("haproxy")
	goBind, goSock, goMap, goPat := start(gohaproxy)
	get := func(bind, target, k string) string {
		req, _ := http.NewRequest("GET", "http://"+bind+target, nil)
		if k != "" {
			req.Header.Set("k", k)
		}
		req.Close = true
		c := &http.Client{Timeout: 3 * time.Second}
		resp, err := c.Do(req)
		if err != nil {
			t.Fatalf("%s %s: %v", bind, target, err)
		}
		defer resp.Body.Close()
		var b strings.Builder
		fmt.Fprintf(&b, "%d ", resp.StatusCode)
		if strings.HasPrefix(target, "/get") {
			buf := make([]byte, 256)
			n, _ := resp.Body.Read(buf)
			b.Write(buf[:n])
		}
		return b.String()
	}
	show := func(sock, mapPath, patPath string) string {
		out := haproxytest.StatsCmd(t, sock, "show map "+mapPath) + "--\n" + haproxytest.StatsCmd(t, sock, "show acl "+patPath)
		return entryIDs.ReplaceAllString(out, "ID ")
	}
	steps := []struct{ target, k string }{
		{"/get?k=b", ""}, {"/set?k=b&v=new", ""}, {"/get?k=b", ""}, {"/set?k=d&v=four", ""}, {"/set?k=d&v=again", ""},
		{"/set?v=nokey", ""}, {"/set?k=e", ""}, {"/delm?k=b", ""}, {"/delm?k=zz", ""}, {"/get?k=b", ""},
		{"/", "x"}, {"/add?k=x", ""}, {"/add?k=z", "z"}, {"/", "z"}, {"/dela?k=x", ""}, {"/", "x"},
		{"/none", ""}, {"/addm?k=q", ""}, {"/get?k=k-q", ""}, {"/resp1", ""}, {"/resp1", ""}, {"/respdel/y", "y"}, {"/", "y"},
		{"/set?k=sp&v=a%20b", ""}, {"/get?k=sp", ""}, {"/set?k=%0d&v=cr", ""},
		{"/rdelm/sp", ""}, {"/get?k=sp", ""}, {"/rdelm/none", ""}, {"/", "w"}, {"/radd/w", ""}, {"/", "w"}, {"/radd/w", ""},
	}
	for i, st := range steps {
		want, got := get(haBind, st.target, st.k), get(goBind, st.target, st.k)
		if want != got {
			t.Errorf("%s (k: %q): haproxy %q, goha %q", st.target, st.k, want, got)
		}
		w := strings.NewReplacer(haMap, "$M", haPat, "$P").Replace(show(haSock, haMap, haPat))
		g := strings.NewReplacer(goMap, "$M", goPat, "$P").Replace(show(goSock, goMap, goPat))
		if i == 1 && !strings.Contains(w, "ID b new\nID b new\n") {
			t.Fatalf("HAProxy's map after set-map of a duplicate key:\n%s", w)
		}
		if w != g {
			t.Errorf("after %s:\nhaproxy:\n%s\ngoha:\n%s", st.target, w, g)
		}
	}
}
