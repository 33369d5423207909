package haproxycfg

import (
	"context"
	"io"
	"net"
	"net/http"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/goha-lb/goha/internal/loopback"
	"github.com/goha-lb/goha/internal/testenv"
	"github.com/goha-lb/goha/proxy/internal/difftest"
	"github.com/goha-lb/goha/proxy/runtimeapi"
)

var ssOpts = regexp.MustCompile(`(fwmark|tos):0x[0-9a-f]+`)

// clientSockopts returns the fwmark and tos ss(8) reports on the proxy's
// side of the connection from the client port cport to the frontend addr.
func clientSockopts(t *testing.T, addr string, cport int) string {
	t.Helper()
	_, port, _ := net.SplitHostPort(addr)
	out, err := exec.Command("ss", "-tnH", "-e", "--tos", "state", "established",
		"( sport = :"+port+" and dport = :"+strconv.Itoa(cport)+" )").CombinedOutput()
	if err != nil {
		t.Fatalf("ss: %v\n%s", err, out)
	}
	return strings.Join(ssOpts.FindAllString(string(out), -1), " ")
}

// TestSetMarkTOSDifferential: http-request and http-response set-mark and
// set-tos set SO_MARK and IP_TOS on the client's socket, as ss(8) reads
// them on the proxy's side, the same values as HAProxy 2.6 sets: in a
// frontend, and in a backend (its tcp-request content rules too).
func TestSetMarkTOSDifferential(t *testing.T) {
	testenv.LookPath(t, "ss")
	w := webs3(t)
	rules := `    http-request set-mark 0x2a if { path /m }
    http-request set-tos 0x10 if { path /t }
    http-request set-mark 010 if { path /both }
    http-request set-tos 32 if { path /both }
    http-response set-mark 7 if { var(txn.p) -m str /rm }
    http-response set-tos 0x08 if { var(txn.p) -m str /rt }
`
	for _, in := range []string{"frontend", "backend"} {
		t.Run(in, func(t *testing.T) {
			fe, be := rules, ""
			if in == "backend" {
				fe, be = "", rules+"    tcp-request content set-tos 0x04 if { path /ct }\n"
			}
			cfg := httpHead + `frontend fe
    bind BIND
    http-request set-var(txn.p) path
` + fe + `    default_backend web
backend web
` + be + `    server w1 ` + w[0] + `
`
			setMarkTOS(t, cfg, []string{"/m", "/t", "/both", "/rm", "/rt", "/ct", "/none"})
		})
	}
}

// TestSetMarkTOSPromexDifferential: http-response set-mark and set-tos on
// the prometheus exporter's replies (use-service in the frontend, and in
// the backend, whose reply goes through both sections' rules) set the
// client socket's options as HAProxy 2.6.12 does.
func TestSetMarkTOSPromexDifferential(t *testing.T) {
	testenv.LookPath(t, "ss")
	w := webs3(t)
	rules := `    http-response set-mark 7 if { var(txn.p) -m str /rm }
    http-response set-tos 0x08 if { var(txn.p) -m str /rt }
`
	for _, in := range []string{"frontend", "backend"} {
		t.Run(in, func(t *testing.T) {
			fe, be := "    http-request use-service prometheus-exporter\n"+rules, ""
			if in == "backend" {
				fe, be = "    http-response set-tos 0x10 if { var(txn.p) -m str /both }\n", "    http-request use-service prometheus-exporter\n"+
					"    http-response set-mark 9 if { var(txn.p) -m str /both }\n"+rules
			}
			cfg := httpHead + `frontend fe
    bind BIND
    http-request set-var(txn.p) path
` + fe + `    default_backend web
backend web
` + be + `    server w1 ` + w[0] + `
`
			ha, goha := loopback.FreeAddr(t), loopback.FreeAddr(t)
			difftest.StartHAProxy(t, strings.ReplaceAll(cfg, "BIND", ha), ha)
			plan, _ := gohaRun(t, strings.ReplaceAll(cfg, "BIND", goha), false, nil)
			plan.Promex.SetSource(emptySource{}) // the runtime's (internal/haproxycmd) is not here
			seen := setMarkTOSOn(t, ha, goha, cfg, []string{"/rm?scope=global", "/rt?scope=global", "/both?scope=global", "/none?scope=global"})
			want := map[string]string{"/rm?scope=global": "fwmark:0x7", "/rt?scope=global": "tos:0x8", "/none?scope=global": ""}
			if in == "backend" {
				want["/both?scope=global"] = "fwmark:0x9 tos:0x10"
			}
			for path, v := range want {
				if seen[path] != v {
					t.Errorf("%s: haproxy socket %q, want %q", path, seen[path], v)
				}
			}
		})
	}
}

// emptySource is a promex source with no proxies and zero counters.
type emptySource struct{}

func (emptySource) Info() runtimeapi.Info     { return runtimeapi.Info{} }
func (emptySource) Stats() []runtimeapi.Proxy { return nil }

// setMarkTOS runs cfg in both daemons and compares, for each path, the
// client socket's fwmark and tos once the answer came; it returns what
// HAProxy's socket had, by path.
func setMarkTOS(t *testing.T, cfg string, paths []string) map[string]string {
	ha, goha := startBoth(t, cfg)
	return setMarkTOSOn(t, ha, goha, cfg, paths)
}

// setMarkTOSOn is setMarkTOS on daemons already running cfg.
func setMarkTOSOn(t *testing.T, ha, goha, cfg string, paths []string) map[string]string {
	got := map[string]string{}
	for _, path := range paths {
		var seen [2]string
		for i, addr := range []string{ha, goha} {
			c, err := net.DialTimeout("tcp", addr, 2*time.Second)
			if err != nil {
				t.Fatal(err)
			}
			c.Write([]byte("GET " + path + " HTTP/1.1\r\nHost: h\r\n\r\n"))
			c.SetReadDeadline(time.Now().Add(2 * time.Second))
			buf := make([]byte, 4096)
			if n, err := c.Read(buf); err != nil || !strings.HasPrefix(string(buf[:n]), "HTTP/1.1 200") {
				t.Fatalf("%s %s: %q %v", addr, path, buf[:n], err)
			}
			seen[i] = clientSockopts(t, addr, c.LocalAddr().(*net.TCPAddr).Port)
			c.Close()
		}
		got[path] = seen[0]
		if seen[0] != seen[1] {
			t.Errorf("%s: haproxy socket %q, goha %q", path, seen[0], seen[1])
		}
		if path == "/ct" && strings.Contains(cfg, "/ct") && seen[0] != "tos:0x4" {
			t.Errorf("%s: haproxy socket %q, want tos:0x4", path, seen[0])
		}
		if path == "/both" && seen[0] != "fwmark:0x8 tos:0x20" {
			t.Errorf("%s: haproxy socket %q, want fwmark:0x8 tos:0x20", path, seen[0])
		}
	}
	return got
}

// TestTCPSetMarkTOSDifferential: set-mark and set-tos in tcp-request
// connection, session and content rules (tcp and http mode) set the
// client socket's SO_MARK and IP_TOS as HAProxy 2.6 sets them.
func TestTCPSetMarkTOSDifferential(t *testing.T) {
	testenv.LookPath(t, "ss")
	w := webs3(t)
	for _, tc := range []struct{ name, mode, rules, want string }{
		{"connection", "tcp", "tcp-request connection set-mark 0x2a if { src 127.0.0.1 }\n    tcp-request connection set-tos 0x08 unless { src 127.0.0.1 }", "fwmark:0x2a"},
		{"session", "http", "tcp-request session set-tos 0x10\n    tcp-request session set-mark 3 if { src 127.0.0.2 }", "tos:0x10"},
		{"content-tcp", "tcp", "tcp-request content set-mark 010\n    tcp-request content set-tos 32", "fwmark:0x8 tos:0x20"},
		{"content-http", "http", "tcp-request content set-mark 7 if { path /x }\n    tcp-request content set-tos 0x20 if { path / }", "tos:0x20"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := "defaults\n    mode " + tc.mode + "\n    timeout connect 2s\n    timeout client 5s\n    timeout server 5s\n" +
				"frontend fe\n    bind BIND\n    " + tc.rules + "\n    default_backend web\nbackend web\n    server w1 " + w[0] + "\n"
			ha, goha := startBoth(t, cfg)
			var seen [2]string
			for i, addr := range []string{ha, goha} {
				c, err := net.DialTimeout("tcp", addr, 2*time.Second)
				if err != nil {
					t.Fatal(err)
				}
				c.Write([]byte("GET / HTTP/1.1\r\nHost: h\r\n\r\n"))
				c.SetReadDeadline(time.Now().Add(2 * time.Second))
				buf := make([]byte, 4096)
				if n, err := c.Read(buf); err != nil || !strings.HasPrefix(string(buf[:n]), "HTTP/1.1 200") {
					t.Fatalf("%s: %q %v", addr, buf[:n], err)
				}
				seen[i] = clientSockopts(t, addr, c.LocalAddr().(*net.TCPAddr).Port)
				c.Close()
			}
			if seen[0] != seen[1] || seen[0] != tc.want {
				t.Errorf("haproxy socket %q, goha %q, want %q", seen[0], seen[1], tc.want)
			}
		})
	}
}

// TestSetMarkTOSH2Differential: set-mark and set-tos on an HTTP/2
// client's stream set the options on its connection's socket, in a
// frontend and in a backend, as ss(8) reads them, beside HAProxy 2.6.12.
func TestSetMarkTOSH2Differential(t *testing.T) {
	testenv.LookPath(t, "ss")
	w := webs3(t)
	cfg := httpHead + `frontend fe
    bind BIND proto h2
    http-request set-var(txn.p) path
    http-request set-mark 0x2a if { path /m }
    http-response set-tos 0x08 if { var(txn.p) -m str /rt }
    default_backend web
backend web
    http-request set-tos 0x10 if { path /t }
    http-response set-mark 7 if { var(txn.p) -m str /rm }
    tcp-request content set-tos 0x04 if { path /ct }
    server w1 ` + w[0] + `
`
	ha, goha := startBoth(t, cfg)
	for _, path := range []string{"/m", "/t", "/rm", "/rt", "/ct", "/none"} {
		var seen [2]string
		for i, addr := range []string{ha, goha} {
			var port int
			var p http.Protocols
			p.SetUnencryptedHTTP2(true)
			tr := &http.Transport{Protocols: &p, DialContext: func(ctx context.Context, n, _ string) (net.Conn, error) {
				var d net.Dialer
				c, err := d.DialContext(ctx, n, addr)
				if err == nil {
					port = c.LocalAddr().(*net.TCPAddr).Port
				}
				return c, err
			}}
			resp, err := (&http.Client{Transport: tr, Timeout: 5 * time.Second}).Get("http://" + addr + path)
			if err != nil {
				t.Fatalf("%s %s: %v", addr, path, err)
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode != 200 || resp.ProtoMajor != 2 {
				t.Fatalf("%s %s: %s %s", addr, path, resp.Proto, resp.Status)
			}
			seen[i] = clientSockopts(t, addr, port)
			tr.CloseIdleConnections()
		}
		if seen[0] != seen[1] {
			t.Errorf("%s: haproxy socket %q, goha %q", path, seen[0], seen[1])
		}
		if path == "/t" && seen[0] != "tos:0x10" {
			t.Errorf("%s: haproxy socket %q, want tos:0x10", path, seen[0])
		}
	}
}
