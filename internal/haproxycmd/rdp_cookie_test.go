package haproxycmd

import (
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/goha-lb/goha/internal/loopback"
	"github.com/goha-lb/goha/internal/testenv"
)

// rdpCfg balances RDP connections on the mstshash cookie and keeps them on
// the server an msts cookie names; the content rules wait for the cookie,
// refuse a connection without one (so the connections that only check the
// proxies listen never reach a server) and one of user "evil", and send
// users adm* to another backend.
const rdpCfg = `defaults
    mode tcp
    timeout connect 1s
    timeout client 5s
    timeout server 5s
frontend fe
    bind BIND
    tcp-request inspect-delay 2s
    tcp-request content reject if { req.rdp_cookie(mstshash) -m str evil }
    tcp-request content reject if { rdp_cookie(mstshash) -m str evil2 } { rdp_cookie_cnt eq 1 }
    tcp-request content accept if RDP_COOKIE
    tcp-request content reject
    use_backend adm if { req_rdp_cookie(mstshash) -m beg adm }
    use_backend adm if { rdp_cookie(mstshash) -m beg ops } { rdp_cookie_cnt(mstshash) eq 1 } { req.rdp_cookie_cnt(mstshash) eq 1 } { req_rdp_cookie_cnt(mstshash) eq 1 }
    default_backend be
backend be
    balance rdp-cookie
    persist rdp-cookie
    server s1 SRV1
    server s2 SRV2
    server s3 SRV3
backend adm
    server a1 SRV4
`

// rdpRequest is an X.224 Connection Request in a TPKT, as an RDP client
// sends it first: cookie is the routing line without its CRLF ("" none).
func rdpRequest(line string) []byte {
	body := append([]byte(line), 0x01, 0x00, 0x08, 0x00, 0x03, 0x00, 0x00, 0x00)
	n := 11 + len(body)
	return append([]byte{0x03, 0x00, byte(n >> 8), byte(n), byte(n - 5), 0xe0, 0, 0, 0, 0, 0}, body...)
}

// mstsCookie is the msts value naming addr as `persist rdp-cookie` reads
// it: the IPv4 address's bytes and the port's, each read as a
// little-endian number.
func mstsCookie(addr string) string {
	ap, _ := net.ResolveTCPAddr("tcp", addr)
	ip := ap.IP.To4()
	a := uint32(ip[0]) | uint32(ip[1])<<8 | uint32(ip[2])<<16 | uint32(ip[3])<<24
	p := uint16(ap.Port)
	return fmt.Sprintf("%d.%d.0000", a, p<<8|p>>8)
}

// rdpExchange sends req (in two writes 100 ms apart when split > 0) and
// returns what came back before the close: the server's name, or "" when
// the proxy refused the connection.
func rdpExchange(t *testing.T, addr string, req []byte, split int) string {
	t.Helper()
	c, err := net.DialTimeout("tcp", addr, 2*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(5 * time.Second))
	if split > 0 {
		c.Write(req[:split])
		time.Sleep(100 * time.Millisecond)
		req = req[split:]
	}
	c.Write(req)
	b, _ := io.ReadAll(c)
	return strings.TrimSpace(string(b))
}

// TestRDPCookieMatchesHAProxy: `balance rdp-cookie` (mstshash hashed with
// the map-based sdbm), `persist rdp-cookie` (msts naming a server by
// address and port, any case; an unknown one falls back to round robin),
// the req.rdp_cookie/req_rdp_cookie/rdp_cookie/req.rdp_cookie_cnt/
// rdp_cookie_cnt/req_rdp_cookie_cnt fetches and the
// RDP_COOKIE ACL in tcp-request content rules, over hand-built connection
// requests, one split across two writes: the same server or refusal from
// HAProxy 2.6 and gohaproxy for each.
func TestRDPCookieMatchesHAProxy(t *testing.T) {
	bin := testenv.LookPath(t, "haproxy")
	var srvs []string
	for _, name := range []string{"s1", "s2", "s3", "a1"} {
		name := name
		srvs = append(srvs, loopback.ServeEach(t, loopback.Listen(t), func(c net.Conn) {
			c.SetReadDeadline(time.Now().Add(2 * time.Second))
			c.Read(make([]byte, 512))
			io.WriteString(c, name+"\n")
		}))
	}
	cfg := strings.NewReplacer("SRV1", srvs[0], "SRV2", srvs[1], "SRV3", srvs[2], "SRV4", srvs[3]).Replace(rdpCfg)
	start := func(b string) string {
		bind := loopback.FreeAddr(t)
		path := filepath.Join(t.TempDir(), "t.cfg")
		os.WriteFile(path, []byte(strings.Replace(cfg, "BIND", bind, 1)), 0o644)
		if b == gohaproxy {
			inProcess(t, path, true)
		} else {
			cmd := exec.Command(b, "-db", "-q", "-f", path)
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
		}
		loopback.WaitListen(t, bind)
		return bind
	}
	ha, goha := start(bin), start(gohaproxy)
	time.Sleep(100 * time.Millisecond) // the listen checks are refused
	cases := []struct {
		line  string
		split int
	}{
		{"Cookie: mstshash=alice", 0},
		{"Cookie: mstshash=bob", 0},
		{"Cookie: mstshash=carol", 0},
		{"Cookie: mstshash=dave", 0},
		{"Cookie: mstshash=erin", 0},
		{"Cookie: mstshash=alice", 20},
		{"cookie:   MSTSHASH=bob", 0},
		{"Cookie: msts=" + mstsCookie(srvs[2]), 0},
		{"Cookie: MSTS=" + mstsCookie(srvs[1]), 30},
		{"Cookie: msts=" + mstsCookie("127.0.0.1:1"), 0},
		{"Cookie: msts=" + mstsCookie("127.0.0.1:1"), 0},
		{"Cookie: msts=garbage", 0},
		{"Cookie: mstshash=evil", 0},
		{"Cookie: mstshash=admin", 0},
		{"Cookie: mstshash=", 0},
		{"Xookie: mstshash=alice", 0},
		{"Cookie: mstshash=frank", 0},
		{"Cookie: mstshash=evil2", 0},
		{"Cookie: mstshash=ops1", 0},
		{"Cookie: mstshash=ops1", 25},
	}
	answered := map[string]int{}
	for i, c := range cases {
		req := rdpRequest(c.line + "\r\n")
		h, g := rdpExchange(t, ha, req, c.split), rdpExchange(t, goha, req, c.split)
		if h != g {
			t.Errorf("case %d %q (split %d): haproxy %q, goha %q", i, c.line, c.split, h, g)
		}
		answered[h]++
	}
	if len(answered) < 4 || answered[""] != 3 || answered["a1"] < 3 {
		t.Errorf("answers %v: want several servers, the three refusals (evil, evil2, no cookie line) and admin, ops1 twice on a1", answered)
	}
}

// TestRDPCookieHTTPModeMatchesHAProxy: in mode http `balance rdp-cookie`
// and `persist rdp-cookie` never find a cookie (HAProxy looks at the
// start of its internal message): requests go round robin, the same
// servers in the same order in both proxies.
func TestRDPCookieHTTPModeMatchesHAProxy(t *testing.T) {
	cfg := strings.Replace(stickOnCfg, "    balance roundrobin\n    stick-table type ip size 1k expire 30s\n    stick on src\n",
		"    balance rdp-cookie\n    persist rdp-cookie\n", 1)
	haBind, goBind, _, _, _ := stickPair(t, cfg)
	seen := map[string]bool{}
	for i := 0; i < 6; i++ {
		ha, goha := bodyFrom(t, "127.0.0.1", haBind), bodyFrom(t, "127.0.0.1", goBind)
		if ha != goha {
			t.Errorf("request %d: haproxy %q, goha %q", i+1, ha, goha)
		}
		seen[ha] = true
	}
	if len(seen) != 3 {
		t.Errorf("answers %v: want the three servers in turn", seen)
	}
}
