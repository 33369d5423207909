package haproxycfg

import (
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/goha-lb/goha/internal/testenv"
	"github.com/goha-lb/goha/parser/haproxy"
	"github.com/goha-lb/goha/proxy"
)

// TestProcVarLimitsMatchHAProxy: tune.vars.proc-max-size and
// global-max-size beside HAProxy 2.6, on kept-alive connections open at
// the same time whose requests set proc, sess, txn and req variables
// from their query: one process-wide count takes every variable of
// every connection (80 bytes each plus a string's bytes) and the proc
// variable the configuration names (80 bytes from the load on, kept
// through unset-var). A set past the limit fails silently (a variable
// that cannot be created stays absent, one whose string does not fit is
// left a boolean, whose value HAProxy leaves corrupted: not printed),
// and room comes back at the end of each
// transaction, on unset-var and when a connection ends. The limit is
// 400 bytes whichever keyword sets it, and the smaller of the two when
// both do.
func TestProcVarLimitsMatchHAProxy(t *testing.T) {
	steps := []struct{ who, query, want string }{
		{"c1", "s=100", "p= s=100x a= r="},     // 80 + 180
		{"c2", "a=60", "p= s= a=60x r="},       // + 140: 400, the limit
		{"c2", "a=61", "p= s= a=bool r="},      // created, its bytes do not fit
		{"c2", "a=1", "p= s= a=1x r="},         // the last transaction's gone
		{"-c1", "", ""},                        // c1 ends: its 180 bytes back
		{"c2", "a=200", "p= s= a=200x r="},     // 80 + 80 + 200
		{"c3", "p=100", "p=100x s= a= r="},     // the proc variable's value: 180
		{"c3", "a=141", "p=100x s= a=bool r="}, // 180 + 80 + 141
		{"c3", "a=140", "p=100x s= a=140x r="},
		{"c3", "up=1&a=240", "p= s= a=bool r="}, // unset after the set
		{"c3", "a=241", "p= s= a=bool r="},      // its 80 bytes stay
		{"c3", "a=240", "p= s= a=240x r="},
		{"c3", "r=100&a=60", "p= s= a=60x r=100x"},
		{"c4", "s=200&a=1", "p= s=200x a= r="}, // 80 + 280 + 80: not created
		{"c4", "us=1", "p= s= a= r="},
		{"c4", "a=240", "p= s= a=240x r="},
		// an HTTP/2 connection's streams, one after the other: each
		// stream's txn bytes back at its end, the session's at the
		// connection's
		{"h2", "s=100 a=60 a=61", "200 p= s=100x a= r=|200 p= s=100x a=60x r=|200 p= s=100x a=bool r="},
		{"c4", "a=240", "p= s= a=240x r="},
	}
	for _, limits := range []string{
		"tune.vars.proc-max-size 400",
		"tune.vars.global-max-size 400",
		"tune.vars.proc-max-size 1000\n    tune.vars.global-max-size 400",
	} {
		t.Run(strings.Fields(limits)[0], func(t *testing.T) {
			proxy.ResetProcVars() // as a new process starts: no value another test left
			ha, goha := startBoth(t, `global
    `+limits+`
defaults
    mode http
    timeout connect 2s
    timeout client 5s
    timeout server 2s
frontend fe
    bind BIND
    http-request set-var(proc.p) urlp(p) if { urlp(p) -m found }
    http-request set-var(sess.s) urlp(s) if { urlp(s) -m found }
    http-request set-var(txn.a) urlp(a) if { urlp(a) -m found }
    http-request set-var(req.r) urlp(r) if { urlp(r) -m found }
    http-request unset-var(proc.p) if { urlp(up) -m found }
    http-request unset-var(sess.s) if { urlp(us) -m found }
    http-request return status 200 content-type text/plain lf-string "p=%[var(proc.p)] s=%[var(sess.s)] a=%[var(txn.a)] r=%[var(req.r)]" if { var(txn.a) -m reg ^x } || !{ var(txn.a) -m found }
    http-request return status 200 content-type text/plain lf-string "p=%[var(proc.p)] s=%[var(sess.s)] a=bool r=%[var(req.r)]"
`)
			haC, goC := newKeptClients(t, ha), newKeptClients(t, goha)
			defer haC.close()
			defer goC.close()
			for i, st := range steps {
				if i > 0 && steps[i-1].who != st.who {
					// HAProxy gives a transaction's bytes back when it frees
					// the stream, a moment after the client has the answer:
					// another connection's request may come first on a
					// loaded machine (measured: a proc variable that no
					// longer fits)
					time.Sleep(100 * time.Millisecond)
				}
				if who, ok := strings.CutPrefix(st.who, "-"); ok {
					haC.client(who).c.Close()
					goC.client(who).c.Close()
					time.Sleep(200 * time.Millisecond) // each side sees the end
					continue
				}
				if st.who == "h2" {
					var paths []string
					for _, q := range strings.Fields(st.query) {
						paths = append(paths, "/?"+xQuery(q))
					}
					want, got := h2Streams(ha, paths...), h2Streams(goha, paths...)
					time.Sleep(200 * time.Millisecond) // each side sees the end
					if w := xRuns(strings.Join(want, "|")); w != st.want {
						t.Errorf("step %d h2: haproxy answers %q, the test expects %q", i, w, st.want)
					}
					if g := strings.Join(got, "|"); g != strings.Join(want, "|") {
						t.Errorf("step %d h2: goha %q, haproxy %q", i, xRuns(g), xRuns(strings.Join(want, "|")))
					}
					continue
				}
				path := "/?" + xQuery(st.query)
				want, err := haC.client(st.who).get(path)
				if err != nil {
					t.Fatalf("step %d haproxy: %v", i, err)
				}
				got, err := goC.client(st.who).get(path)
				if err != nil {
					t.Fatalf("step %d goha: %v", i, err)
				}
				if w := xRuns(want); w != st.want {
					t.Errorf("step %d %s %s: haproxy answers %q, the test expects %q", i, st.who, st.query, w, st.want)
				}
				if got != want {
					t.Errorf("step %d %s %s: goha %q, haproxy %q", i, st.who, st.query, xRuns(got), xRuns(want))
				}
			}
		})
	}
}

// xQuery writes each k=<n> of q as n x's (up=1 and us=1 stay).
func xQuery(q string) string {
	parts := strings.Split(q, "&")
	for i, p := range parts {
		k, v, _ := strings.Cut(p, "=")
		if n, err := strconv.Atoi(v); err == nil && k != "up" && k != "us" {
			parts[i] = k + "=" + strings.Repeat("x", n)
		}
	}
	return strings.Join(parts, "&")
}

var xRun = regexp.MustCompile(`x+`)

// xRuns writes each run of x's as its length and an x.
func xRuns(s string) string {
	return xRun.ReplaceAllStringFunc(s, func(r string) string { return strconv.Itoa(len(r)) + "x" })
}

// TestProcVarNamesAtLoadMatchHAProxy: under tune.vars.proc-max-size,
// each proc variable the configuration names takes 80 bytes at load;
// one that does not fit makes the configuration invalid, in HAProxy
// 2.6 (haproxy -c) and in goha. Names met before the limit is set cost
// nothing.
func TestProcVarNamesAtLoadMatchHAProxy(t *testing.T) {
	testenv.LookPath(t, "haproxy")
	cfg := func(globals string) string {
		return "global\n" + globals + `
defaults
    mode http
    timeout connect 1s
    timeout client 1s
    timeout server 1s
frontend fe
    bind 127.0.0.1:8080
    http-request set-var(proc.a) str(x)
    http-request return status 200 content-type text/plain lf-string "%[var(proc.b)]"
`
	}
	dir := t.TempDir()
	for i, c := range []struct {
		globals string
		valid   bool
	}{
		{"    tune.vars.proc-max-size 159", false},
		{"    tune.vars.proc-max-size 160", true},
		{"    tune.vars.global-max-size 159", false},
		{"    tune.vars.proc-max-size 79", false},
		{"    set-var proc.c int(1)\n    tune.vars.proc-max-size 160", true},
		{"    tune.vars.proc-max-size 160\n    set-var proc.c int(1)", false},
	} {
		text := cfg(c.globals)
		path := filepath.Join(dir, strconv.Itoa(i)+".cfg")
		if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		out, err := exec.Command("haproxy", "-c", "-f", path).CombinedOutput()
		if (err == nil) != c.valid {
			t.Errorf("%q: haproxy -c valid=%v, the test expects %v:\n%s", c.globals, err == nil, c.valid, out)
		}
		if res := haproxy.CheckBytes("goha.cfg", []byte(text), nil); (res.Exit == 0) != c.valid {
			t.Errorf("%q: goha exit %d, haproxy valid=%v: %+v", c.globals, res.Exit, c.valid, res.Diags.List)
		}
	}
}

// TestProcVarLimitRefusals: what goha cannot count under the
// process-wide limit as HAProxy does is refused, each at its line; the
// same lines without a limit, and a limit without them, are not.
func TestProcVarLimitRefusals(t *testing.T) {
	base := `
defaults
    mode http
    timeout connect 1s
    timeout client 1s
    timeout server 1s
frontend fe
    bind 127.0.0.1:8080
    http-request set-var(txn.a) var(proc.p)
    http-request return status 200 content-type text/plain lf-string "%[var(txn.a)]"
backend be
    option tcp-check
    tcp-check set-var(check.c) int(1)
    server s 127.0.0.1:8081 check
`
	for _, c := range []struct {
		globals, extra string
		want           []string // the refused lines, by their words
	}{
		{"    tune.vars.proc-max-size 1000", "", []string{"check variable check.c"}},
		{"    tune.vars.global-max-size 1000\n    set-var proc.g int(1)", "", []string{"global set-var proc.g", "check variable check.c"}},
		{"    tune.vars.proc-max-size 1000", "    http-request set-header x %[str(proc.s)]\n", []string{"proc.s (a proc", "check variable check.c"}},
		{"    set-var proc.g int(1)", "    http-request set-header x %[str(proc.s)]\n", nil},
	} {
		cfg := "global\n" + c.globals + strings.Replace(base, "    http-request return", c.extra+"    http-request return", 1)
		var got []string
		for _, n := range notices(buildText(t, cfg)) {
			if strings.Contains(n, "proc-max-size") {
				got = append(got, n)
			}
		}
		if len(got) != len(c.want) {
			t.Errorf("%q: refusals %q, want %q", c.globals, got, c.want)
			continue
		}
		for _, w := range c.want {
			if !strings.Contains(strings.Join(got, "\n"), w) {
				t.Errorf("%q: no refusal names %q: %q", c.globals, w, got)
			}
		}
	}
}

// TestProcVarLimitRejectedConnMatchesHAProxy: the session variables a
// connection's tcp-request connection rules set count in the process
// level and come back when the rules reject it, as HAProxy frees its
// session: after five rejected connections, a new one's variables fit
// exactly as before (80 for proc.rej, 90 for each connection's sess.c,
// 140 for txn.a: 400), and a third connection finds no room for a
// variable.
func TestProcVarLimitRejectedConnMatchesHAProxy(t *testing.T) {
	proxy.ResetProcVars() // as a new process starts: no value another test left
	ha, goha := startBoth(t, `global
    tune.vars.proc-max-size 400
defaults
    mode http
    timeout connect 2s
    timeout client 5s
    timeout server 2s
frontend fe
    bind BIND
    tcp-request connection set-var(sess.c) str(cccccccccc)
    tcp-request connection reject if { var(proc.rej) -m found }
    http-request set-var(proc.rej) int(1) if { urlp(rej) -m found }
    http-request unset-var(proc.rej) if { urlp(norej) -m found }
    http-request set-var(txn.a) urlp(a) if { urlp(a) -m found }
    http-request return status 200 content-type text/plain lf-string "c=%[var(sess.c)] a=%[var(txn.a)]"
`)
	haC, goC := newKeptClients(t, ha), newKeptClients(t, goha)
	defer haC.close()
	defer goC.close()
	ask := func(who, query, want string) {
		t.Helper()
		w, err := haC.client(who).get("/?" + xQuery(query))
		if err != nil {
			t.Fatalf("%s %s haproxy: %v", who, query, err)
		}
		g, err := goC.client(who).get("/?" + xQuery(query))
		if err != nil {
			t.Fatalf("%s %s goha: %v", who, query, err)
		}
		if xRuns(w) != want {
			t.Errorf("%s %s: haproxy answers %q, the test expects %q", who, query, xRuns(w), want)
		}
		if g != w {
			t.Errorf("%s %s: goha %q, haproxy %q", who, query, xRuns(g), xRuns(w))
		}
	}
	ask("c1", "rej=1", "c=cccccccccc a=")
	for i := range 5 {
		for _, addr := range []string{ha, goha} {
			c, err := net.DialTimeout("tcp", addr, 2*time.Second)
			if err != nil {
				continue // reset before the handshake's end: rejected too
			}
			c.SetDeadline(time.Now().Add(2 * time.Second))
			if n, err := c.Read(make([]byte, 1)); n != 0 || err == nil {
				t.Errorf("connection %d to %s not rejected: %d bytes, %v", i, addr, n, err)
			}
			c.Close()
		}
	}
	time.Sleep(100 * time.Millisecond)
	ask("c1", "norej=1", "c=cccccccccc a=")
	ask("c2", "a=60", "c=cccccccccc a=60x")
	ask("c3", "a=1", "c=cccccccccc a=") // 350 taken: no room for a
}
