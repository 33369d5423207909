package haproxycmd

import (
	"fmt"
	"io"
	"net"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/goha-lb/goha/internal/haproxytest"
	"github.com/goha-lb/goha/internal/loopback"
	"github.com/goha-lb/goha/internal/testenv"
)

const compStatCfg = `global
    stats socket %s level admin
defaults
    mode http
    timeout connect 2s
    timeout client 5s
    timeout server 5s
frontend fe
    bind %s
    compression algo gzip
    default_backend be
backend be
    compression algo identity gzip
    server s1 %s
`

// TestCompressionShowStatMatchesHAProxy: after the same requests (gzip
// twice, identity, br, none: identity is the backend's fallback), `show
// stat` gives the same comp_rsp, comp_in and comp_byp on the frontend and
// backend rows as HAProxy 2.6's, and a
// non-zero comp_out where HAProxy has one (the compressed bytes are
// Go's, not libslz's: their count differs).
func TestCompressionShowStatMatchesHAProxy(t *testing.T) {
	haproxy := testenv.LookPath(t, "haproxy")
	web := loopback.StartWeb(t, "server1")
	rows := map[string][]string{}
	for _, bin := range []string{gohaproxy, haproxy} {
		sock := filepath.Join(t.TempDir(), "s.sock")
		front := loopback.FreeAddr(t)
		startWithConfig(t, bin, fmt.Sprintf(compStatCfg, sock, front, web.Addr), front)
		for _, ae := range []string{"gzip", "gzip", "identity", "br", ""} {
			req := "GET / HTTP/1.1\r\nhost: h\r\nconnection: close\r\n"
			if ae != "" {
				req += "accept-encoding: " + ae + "\r\n"
			}
			c, err := net.DialTimeout("tcp", front, 2*time.Second)
			if err != nil {
				t.Fatal(err)
			}
			c.SetDeadline(time.Now().Add(3 * time.Second))
			io.WriteString(c, req+"\r\n")
			io.ReadAll(c) // connection: close
			c.Close()
		}
		out := haproxytest.StatsCmd(t, sock, "show stat")
		lines := strings.Split(strings.TrimSpace(out), "\n")
		cols := strings.Split(strings.TrimPrefix(lines[0], "# "), ",")
		for _, l := range lines[1:] {
			f := strings.Split(l, ",")
			if f[1] != "FRONTEND" && f[1] != "BACKEND" {
				continue
			}
			r := f[0] + "/" + f[1]
			for i, c := range cols {
				switch c {
				case "comp_in", "comp_byp", "comp_rsp":
					r += " " + c + "=" + f[i]
				case "comp_out":
					r += fmt.Sprintf(" comp_out>0=%v", f[i] != "0" && f[i] != "")
				}
			}
			rows[bin] = append(rows[bin], r)
		}
	}
	want, got := strings.Join(rows[haproxy], "\n"), strings.Join(rows[gohaproxy], "\n")
	t.Logf("haproxy:\n%s", want)
	if want != got || !strings.Contains(want, "comp_rsp=5") {
		t.Errorf("show stat compression columns:\n haproxy\n%s\n goha\n%s", want, got)
	}
}
