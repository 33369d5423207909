package haproxycfg

import (
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/goha-lb/goha/internal/loopback"
	"github.com/goha-lb/goha/internal/testenv"
	"github.com/goha-lb/goha/proxy/internal/difftest"
)

// writeTicketKeys writes n random base64 keys of size bytes to a new file
// of dir, after the lines of prev (a rotation appends to a file).
func writeTicketKeys(t *testing.T, dir, name string, prev []string, n, size int) (string, []string) {
	lines := append([]string(nil), prev...)
	for i := 0; i < n; i++ {
		k := make([]byte, size)
		rand.Read(k)
		lines = append(lines, base64.StdEncoding.EncodeToString(k))
	}
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, []byte(strings.Join(lines, "\n")+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	return path, lines
}

// sClientResume makes a full handshake with first (saving the session),
// then offers that session to second: "Reused" or "New" as s_client says.
func sClientResume(t *testing.T, first, second, version string) string {
	sess := filepath.Join(t.TempDir(), "sess.pem")
	run := func(addr string, args ...string) string { return sClientSession(addr, version, args...) }
	if r := run(first, "-sess_out", sess); r != "New" {
		return "first handshake " + r
	}
	return run(second, "-sess_in", sess)
}

// TestTicketKeysDifferential: processes given the same tls-ticket-keys
// file resume each other's TLS sessions, with TLS 1.2 and 1.3, as two
// HAProxy 2.6 processes do; other keys, or no-tls-tickets, give a full
// handshake; a file with a key appended (HAProxy's rotation: the
// penultimate key encrypts, the last three decrypt) still resumes.
func TestTicketKeysDifferential(t *testing.T) {
	t.Parallel() // its own daemons and servers; it waits more than it computes
	testenv.LookPath(t, "haproxy")
	testenv.LookPath(t, "openssl")
	pki := newTestPKI(t)
	dir := t.TempDir()
	a, aLines := writeTicketKeys(t, dir, "a.keys", nil, 3, 48)
	b, _ := writeTicketKeys(t, dir, "b.keys", nil, 3, 80)
	rotated, _ := writeTicketKeys(t, dir, "a-rotated.keys", aLines, 1, 48)
	const head = crtBaseHead + `frontend fe
`
	const reply = "    http-request return status 200 content-type text/plain string ok\n"
	mk := func(files ...string) (cfg string, addrs []string) {
		cfg = strings.ReplaceAll(head, "PKIDIR", pki.Dir)
		for _, f := range files {
			addr := loopback.FreeAddr(t)
			addrs = append(addrs, addr)
			opt := "tls-ticket-keys " + f
			if f == "" {
				opt = "tls-ticket-keys " + a + " no-tls-tickets"
			}
			cfg += fmt.Sprintf("    bind %s ssl crt a.pem %s\n", addr, opt)
		}
		return cfg + reply, addrs
	}
	type pair struct{ origin, others []string }
	start := func(run func(cfg string, addr string)) pair {
		c1, o := mk(a)
		run(c1, o[0])
		c2, others := mk(a, b, rotated, "")
		run(c2, others[0])
		return pair{o, others}
	}
	ha := start(func(cfg, addr string) { difftest.StartHAProxy(t, cfg, addr) })
	goha := start(func(cfg, _ string) { runPlan(t, cfg) })
	names := []string{"same keys", "other keys", "rotated keys", "no-tls-tickets"}
	for _, v := range []string{"-tls1_2", "-tls1_3"} {
		for i, name := range names {
			h := sClientResume(t, ha.origin[0], ha.others[i], v)
			g := sClientResume(t, goha.origin[0], goha.others[i], v)
			t.Logf("%s %s: haproxy %s", v, name, h)
			if h != g {
				t.Errorf("%s %s: haproxy %s, goha %s", v, name, h, g)
			}
		}
	}
}
