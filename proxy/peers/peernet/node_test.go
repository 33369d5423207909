package peernet

import (
	"bufio"
	"io"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/goha-lb/goha/internal/loopback"
	"github.com/goha-lb/goha/proxy/peers"
)

// Two goha nodes replicate each other, and a peer sending a malformed
// message loses its own session only: it gets HAProxy's protocol error and
// the connection closes, while the other session keeps replicating.
func TestNodesReplicateAndDropMalformedPeer(t *testing.T) {
	addrA, addrB := loopback.FreeAddr(t), loopback.FreeAddr(t)
	ta, tb := peers.NewMemTable(feDef(), nil), peers.NewMemTable(feDef(), nil)
	a, err := Start(Config{Local: "a", Listen: addrA, Peers: map[string]string{"b": addrB, "rogue": loopback.DeadAddr(t)}, Tables: []peers.Table{ta}})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	b, err := Start(Config{Local: "b", Listen: addrB, Peers: map[string]string{"a": addrA}, Tables: []peers.Table{tb}})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	waitFor(t, "a and b connected", 10*time.Second, func() bool { return a.Connected("b") && b.Connected("a") })
	ta.Set(ip4("10.1.1.1"), 0, []peers.Value{{Type: peers.DTHTTPReqCnt, Num: []uint64{5}}})
	waitFor(t, "a's entry on b", 3*time.Second, func() bool { _, ok := tb.Get(ip4("10.1.1.1")); return ok })

	c, err := net.Dial("tcp", addrA)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(5 * time.Second))
	io.WriteString(c, "HAProxyS 2.1\na\nrogue 1 1\n")
	r := bufio.NewReader(c)
	if l, err := r.ReadString('\n'); err != nil || l != "200\n" {
		t.Fatalf("handshake answer %q %v", l, err)
	}
	c.Write([]byte{peers.ClassReserved, 0}) // the reserved class: a protocol error
	rest, _ := io.ReadAll(r)                // until a closes the connection
	if !strings.HasSuffix(string(rest), string([]byte{peers.ClassError, peers.ErrTypeProtocol})) {
		t.Errorf("rogue peer got % x, want the protocol error last", rest)
	}
	if !a.Connected("b") {
		t.Fatal("the session with b was dropped too")
	}
	st := a.Status()
	if len(st) != 2 || st[0].Name != "b" || !st[0].Connected || peers.StatusName(st[0].Status) != "ESTA" || st[1].Name != "rogue" || st[1].Connected {
		t.Errorf("a's peers: %+v", st)
	}
	tb.Set(ip4("10.2.2.2"), 0, nil)
	waitFor(t, "b's entry on a after the rogue peer", 3*time.Second, func() bool { _, ok := ta.Get(ip4("10.2.2.2")); return ok })
}
