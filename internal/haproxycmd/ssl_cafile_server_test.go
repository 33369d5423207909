package haproxycmd

import (
	"crypto/tls"
	"fmt"
	"io"
	"log"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/goha-lb/goha/internal/loopback"
	"github.com/goha-lb/goha/internal/testenv"
)

// A server's ca-file (server ... ssl ca-file X verify required) is in the
// runtime store as HAProxy 2.6's is. Without a client certificate (be):
// show ssl ca-file lists it as "Unused", set and commit take a new
// content, del removes it, and none of this changes what the server's
// connections verify with (HAProxy's server SSL_CTX keeps the store it was
// built with). With one (be2, crt): "Used", del refused, and the next
// connection verifies with the committed content. The server's
// certificate (d.pem) is signed by ca.pem; be trusts cas.pem and be2
// ca2.pem (other CAs) until the commits.
func TestSSLCAFileServerMatchHAProxy(t *testing.T) {
	testenv.LookPath(t, "haproxy")
	dir := t.TempDir()
	sslCertFiles(t, dir)
	caFileCerts(t, dir)
	cert, err := tls.LoadX509KeyPair(filepath.Join(dir, "d.pem"), filepath.Join(dir, "d.pem"))
	if err != nil {
		t.Fatal(err)
	}
	web := loopback.FreeAddr(t)
	ln, err := tls.Listen("tcp", web, &tls.Config{Certificates: []tls.Certificate{cert}})
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{ErrorLog: log.New(io.Discard, "", 0), Handler: http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { io.WriteString(w, "tls server\n") })}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	p := &sslPair{certs: dir}
	start := func(ha bool) (string, [2]string) {
		run, bind := t.TempDir(), [2]string{loopback.FreeAddr(t), loopback.FreeAddr(t)}
		path := filepath.Join(run, "s.cfg")
		os.WriteFile(path, []byte(fmt.Sprintf(`global
    stats socket %[1]s/s.sock level admin
defaults
    mode http
    timeout connect 1s
    timeout client 5s
    timeout server 5s
    retries 0
frontend f
    bind %[2]s
    default_backend be
frontend f2
    bind %[5]s
    default_backend be2
backend be
    server s %[3]s ssl ca-file %[4]s/cas.pem verify required
backend be2
    server s %[3]s ssl crt %[4]s/a.pem ca-file %[4]s/ca2.pem verify required
`, run, bind[0], web, dir, bind[1])), 0o644)
		if ha {
			cmd := exec.Command("haproxy", "-db", "-q", "-f", path)
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
		} else {
			inProcess(t, path, true)
		}
		loopback.WaitListen(t, bind[0])
		loopback.WaitListen(t, bind[1])
		return filepath.Join(run, "s.sock"), bind
	}
	var haBind, goBind [2]string
	p.haSock, haBind = start(true)
	p.goSock, goBind = start(false)
	const refused = "503 <html><body><h1>503 Service Unavailable</h1>\nNo server is available to handle this request.\n</body></html>"
	get := func(when string, want [2]string) {
		t.Helper()
		for i := range 2 {
			for _, b := range []string{haBind[i], goBind[i]} {
				if got := loopback.Get(t, b); got != want[i] {
					t.Errorf("%s: %s answered %q, want %q", when, b, got, want[i])
				}
			}
		}
	}
	get("start", [2]string{refused, refused})
	p.same(t, "show ssl ca-file", "show ssl ca-file $D/cas.pem", "show ssl ca-file $D/ca2.pem",
		"set ssl ca-file $D/cas.pem <<ca.pem", "commit ssl ca-file $D/cas.pem",
		"set ssl ca-file $D/ca2.pem <<ca.pem", "commit ssl ca-file $D/ca2.pem",
		"show ssl ca-file", "show ssl ca-file $D/ca2.pem", "del ssl ca-file $D/cas.pem", "del ssl ca-file $D/ca2.pem")
	// be keeps verifying with the content it started with, be2 follows
	get("after the commits", [2]string{refused, "200 tls server"})
}
