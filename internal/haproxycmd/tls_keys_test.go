package haproxycmd

import (
	"crypto/rand"
	"crypto/tls"
	"encoding/base64"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/goha-lb/goha/internal/haproxytest"
)

func randomKey(n int) string {
	k := make([]byte, n)
	rand.Read(k)
	return base64.StdEncoding.EncodeToString(k)
}

// resumes dials addr with the session cache and reports whether the
// TLS 1.2 handshake resumed a session.
func resumes(t *testing.T, addr string, cache tls.ClientSessionCache) string {
	t.Helper()
	c, err := tls.DialWithDialer(&net.Dialer{Timeout: 2 * time.Second}, "tcp", addr, &tls.Config{ServerName: "a.example.com",
		InsecureSkipVerify: true, MaxVersion: tls.VersionTLS12, ClientSessionCache: cache})
	if err != nil {
		return "failed: " + err.Error()
	}
	defer c.Close()
	if c.ConnectionState().DidResume {
		return "Reused"
	}
	return "New"
}

// `show tls-keys` and `set ssl tls-key` answer as HAProxy 2.6 does, and
// a key set at run time rotates the ring of both daemons alike: a ticket
// sealed before one `set ssl tls-key` still resumes, one sealed before
// two does not (the oldest key is gone), on a plain bind and on a bind
// whose certificates come from a crt-list.
func TestTLSKeysMatchHAProxy(t *testing.T) {
	var keys string
	p := startSSLPairWith(t, "crt %[4]s/a.pem tls-ticket-keys %[4]s/t.keys", "crt-list %[4]s/list.txt tls-ticket-keys %[4]s/t.keys", func(dir string) {
		keys = filepath.Join(dir, "t.keys")
		os.WriteFile(keys, []byte(randomKey(48)+"\n"+randomKey(48)+"\n"+randomKey(48)+"\n"), 0o600)
	})
	haSock, haBinds, goSock, goBinds := p.haSock, p.haBinds, p.goSock, p.goBinds
	same := func(cmds ...string) {
		t.Helper()
		for _, c := range cmds {
			if ha, goha := haproxytest.StatsCmd(t, haSock, c), haproxytest.StatsCmd(t, goSock, c); ha != goha {
				t.Errorf("%s\nhaproxy %q\n   goha %q", c, ha, goha)
			}
		}
	}
	same("show tls-keys", "show tls-keys *", "show tls-keys "+keys, "show tls-keys 0", "show tls-keys /nosuch",
		"set ssl tls-key", "set ssl tls-key "+keys, "set ssl tls-key /nosuch "+randomKey(48), "set ssl tls-key 0 "+randomKey(48),
		"set ssl tls-key "+keys+" bad!", "set ssl tls-key "+keys+" "+randomKey(80))
	type caches struct{ early, late tls.ClientSessionCache }
	mk := func() [2]caches {
		var c [2]caches
		for i := range c {
			c[i] = caches{tls.NewLRUClientSessionCache(4), tls.NewLRUClientSessionCache(4)}
		}
		return c
	}
	haC, goC := mk(), mk()
	run := func(step, want string, f func(binds [2]string, c [2]caches) string) {
		t.Helper()
		ha, goha := f(haBinds, haC), f(goBinds, goC)
		if ha != goha || goha != want {
			t.Errorf("%s: haproxy %s, goha %s, want %s", step, ha, goha, want)
		}
	}
	run("first handshakes", "New New New New", func(b [2]string, c [2]caches) string {
		var out []string
		for i := range b {
			out = append(out, resumes(t, b[i], c[i].early), resumes(t, b[i], c[i].late))
		}
		return strings.Join(out, " ")
	})
	same("set ssl tls-key "+keys+" "+randomKey(48), "show tls-keys *")
	run("after one new key", "Reused Reused", func(b [2]string, c [2]caches) string {
		return resumes(t, b[0], c[0].late) + " " + resumes(t, b[1], c[1].late)
	})
	same("set ssl tls-key "+keys+" "+randomKey(48), "show tls-keys")
	run("after two new keys", "New New", func(b [2]string, c [2]caches) string {
		return resumes(t, b[0], c[0].early) + " " + resumes(t, b[1], c[1].early)
	})
	if got := resumes(t, goBinds[0], goC[0].early); got != "Reused" {
		t.Errorf("goha: a session made after the rotation does not resume: %s", got)
	}
}
