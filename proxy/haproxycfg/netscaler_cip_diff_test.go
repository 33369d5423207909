package haproxycfg

import (
	"encoding/binary"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/goha-lb/goha/internal/loopback"
	"github.com/goha-lb/goha/internal/testenv"
	"github.com/goha-lb/goha/proxy/internal/difftest"
)

// cipIPv4 is an IPv4 header (protocol proto) and a TCP header from
// 192.0.2.7:40001 to 198.51.100.9:443.
func cipIPv4(proto byte) []byte {
	b := make([]byte, 40)
	b[0], b[9] = 0x45, proto
	copy(b[12:], []byte{192, 0, 2, 7})
	copy(b[16:], []byte{198, 51, 100, 9})
	binary.BigEndian.PutUint16(b[20:], 40001)
	binary.BigEndian.PutUint16(b[22:], 443)
	b[32] = 0x50
	return b
}

// cipIPv6 is an IPv6 header and a TCP header from [2001:db8::7]:40002 to
// [2001:db8::9]:8443.
func cipIPv6() []byte {
	b := make([]byte, 60)
	b[0], b[6] = 0x60, 6
	copy(b[8:], net.ParseIP("2001:db8::7"))
	copy(b[24:], net.ParseIP("2001:db8::9"))
	binary.BigEndian.PutUint16(b[40:], 40002)
	binary.BigEndian.PutUint16(b[42:], 8443)
	return b
}

// cipStandard and cipLegacy frame ip in the two header forms HAProxy reads,
// announcing length n.
func cipStandard(magic uint32, n int, ip []byte) []byte {
	b := make([]byte, 12)
	binary.BigEndian.PutUint32(b, magic)
	binary.BigEndian.PutUint32(b[4:], uint32(12+len(ip)))
	binary.BigEndian.PutUint16(b[10:], uint16(n))
	return append(b, ip...)
}

func cipLegacy(magic uint32, n int, ip []byte) []byte {
	b := make([]byte, 8)
	binary.BigEndian.PutUint32(b, magic)
	binary.BigEndian.PutUint32(b[4:], uint32(n))
	return append(b, ip...)
}

// TestNetScalerCIPDifferential: accept-netscaler-cip beside HAProxy 2.6,
// with hand-built headers in both forms, IPv4 and IPv6, and broken ones
// (magic, protocol, UDP, truncated, a short announced length, nothing
// sent): the same answer (the addresses the rules see) or the same
// refusal.
func TestNetScalerCIPDifferential(t *testing.T) {
	testenv.LookPath(t, "haproxy")
	const magic = 1234
	req := []byte("GET / HTTP/1.0\r\n\r\n")
	cases := []struct {
		name string
		head []byte
	}{
		{"standard ipv4", cipStandard(magic, 40, cipIPv4(6))},
		{"standard ipv6", cipStandard(magic, 60, cipIPv6())},
		{"legacy ipv4", cipLegacy(magic, 40, cipIPv4(6))},
		{"legacy ipv6", cipLegacy(magic, 60, cipIPv6())},
		{"standard, longer announced", cipStandard(magic, 42, append(cipIPv4(6), 'x', 'y'))},
		{"legacy, short announced", cipLegacy(magic, 20, cipIPv4(6))},
		{"bad magic", cipStandard(magic+1, 40, cipIPv4(6))},
		{"udp", cipStandard(magic, 40, cipIPv4(17))},
		{"unknown form", append(cipStandard(magic, 40, cipIPv4(6))[:8:8], append([]byte{0x10, 0, 0, 40}, cipIPv4(6)...)...)},
		{"ip version 5", cipLegacy(magic, 40, append([]byte{0x55}, cipIPv4(6)[1:]...))},
		{"truncated", cipStandard(magic, 40, cipIPv4(6))[:10]},
		{"nothing", nil},
	}
	cfg := quickDefaults("http") +
		"frontend fe\n    bind BIND accept-netscaler-cip 1234\n" +
		"    http-request return status 200 content-type text/plain lf-string \"src=%[src]:%[src_port] dst=%[dst]:%[dst_port]\"\n"
	ha, goha := loopback.FreeAddr(t), loopback.FreeAddr(t)
	requireRuns(t, strings.ReplaceAll(cfg, "BIND", goha))
	difftest.StartHAProxy(t, strings.ReplaceAll(cfg, "BIND", ha), ha)
	runPlan(t, strings.ReplaceAll(cfg, "BIND", goha))
	for _, tc := range cases {
		var got [2]string
		for i, addr := range []string{ha, goha} {
			in := append(append([]byte{}, tc.head...), req...)
			if tc.name == "truncated" || tc.name == "nothing" {
				in = tc.head // the rest would arrive with the first peek
			}
			got[i] = cipExchange(t, addr, in, tc.name == "nothing")
		}
		if got[0] != got[1] {
			t.Errorf("%s: haproxy %q, goha %q", tc.name, got[0], got[1])
		}
		t.Logf("%s: %q", tc.name, got[0])
	}
}

// cipExchange sends in at once (then closes the write side when shut) and
// returns the answer's status line and body, or "closed".
func cipExchange(t *testing.T, addr string, in []byte, shut bool) string {
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if len(in) > 0 {
		c.Write(in)
	}
	if shut {
		c.(*net.TCPConn).CloseWrite()
	}
	c.SetReadDeadline(time.Now().Add(2 * time.Second))
	var out []byte
	buf := make([]byte, 4096)
	for {
		n, err := c.Read(buf)
		out = append(out, buf[:n]...)
		if err != nil {
			break
		}
	}
	if len(out) == 0 {
		return "closed"
	}
	s := string(out)
	status, _, _ := strings.Cut(s, "\r\n")
	_, body, _ := strings.Cut(s, "\r\n\r\n")
	return status + " | " + body
}
