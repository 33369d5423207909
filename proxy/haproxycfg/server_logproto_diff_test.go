package haproxycfg

import (
	"io"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/goha-lb/goha/internal/loopback"
)

// TestServerLogProtoMatchesHAProxy: `log-proto` on a proxy's server line
// (the line's, a default-server's) beside HAProxy 2.6, which reads it only
// for a ring section's servers: a tcp session's bytes reach the server
// and come back as they were sent, without octet-count framing.
func TestServerLogProtoMatchesHAProxy(t *testing.T) {
	echo := loopback.ServeEach(t, loopback.Listen(t), func(c net.Conn) {
		c.SetDeadline(time.Now().Add(3 * time.Second))
		io.Copy(c, c)
	})
	head := "defaults\n    mode tcp\n    timeout connect 2s\n    timeout client 5s\n    timeout server 5s\n" +
		"frontend fe\n    bind BIND\n    default_backend be\nbackend be\n"
	for _, be := range []string{
		"    server s1 " + echo + " log-proto octet-count\n",
		"    default-server log-proto octet-count\n    server s1 " + echo + " log-proto legacy\n",
		"    default-server log-proto octet-count\n    server s1 " + echo + "\n",
	} {
		ha, goha := startBoth(t, head+be)
		var got [2]string
		for i, addr := range []string{ha, goha} {
			c, err := net.Dial("tcp", addr)
			if err != nil {
				t.Fatal(err)
			}
			c.SetDeadline(time.Now().Add(2 * time.Second))
			io.WriteString(c, "<14>one message\n")
			c.(*net.TCPConn).CloseWrite()
			b, _ := io.ReadAll(c)
			c.Close()
			got[i] = string(b)
		}
		if got[0] != "<14>one message\n" || got[1] != got[0] {
			t.Errorf("%q: haproxy %q, goha %q", strings.TrimSpace(be), got[0], got[1])
		}
	}
}
