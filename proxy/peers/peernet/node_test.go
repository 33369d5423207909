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

// A reload: the new node listens beside the old one (SO_REUSEPORT) and
// waits for it; the old one's Handover connects to the local peer address
// and teaches it every entry, then returns once the lesson is confirmed.
// The old node, started less than 5s ago with a remote peer that never
// answers, is not synced itself, so it ends the lesson with "partial" as
// HAProxy's would: the new node shows LOCALASSIGN|LOCALPARTIAL (0x1400)
// and keeps waiting before it asks the remote peers.
func TestHandoverToNewProcess(t *testing.T) {
	addr := loopback.FreeAddr(t)
	dead := map[string]string{"other": loopback.DeadAddr(t)}
	told, tnew := peers.NewMemTable(feDef(), nil), peers.NewMemTable(feDef(), nil)
	old, err := Start(Config{Local: "me", Listen: addr, ReusePort: true, Peers: dead, Tables: []peers.Table{told}})
	if err != nil {
		t.Fatal(err)
	}
	defer old.Close()
	told.Set(ip4("10.9.9.9"), 20000, []peers.Value{{Type: peers.DTHTTPReqCnt, Num: []uint64{7}}})
	nw, err := Start(Config{Local: "me", Listen: addr, ReusePort: true, OldProcess: true, Peers: dead, Tables: []peers.Table{tnew}})
	if err != nil {
		t.Fatal(err)
	}
	defer nw.Close()
	if nw.Addr() == nil {
		t.Fatal("the new node does not listen beside the old one")
	}
	if !old.Handover(3 * time.Second) {
		t.Fatal("no confirmed hand-over")
	}
	e, ok := tnew.Get(ip4("10.9.9.9"))
	if !ok {
		t.Fatal("the entry did not reach the new process")
	}
	if v, _ := e.ValueOf(peers.DTHTTPReqCnt); len(v.Num) != 1 || v.Num[0] != 7 {
		t.Errorf("http_req_cnt %v, want 7", v.Num)
	}
	// The new node takes the lesson's end after it confirmed the entries:
	// its state is read once it settled (bounded).
	for deadline := time.Now().Add(2 * time.Second); time.Now().Before(deadline) && (nw.Synced() || nw.resync.Flags() != 0x1400); {
		time.Sleep(10 * time.Millisecond)
	}
	if nw.Synced() || nw.resync.Flags() != 0x1400 {
		t.Errorf("new node synced=%v flags 0x%x, want 0x1400", nw.Synced(), nw.resync.Flags())
	}
	// Nobody listens any more for a third process: Handover gives up at once.
	old.Close()
	nw.Close()
	lone, err := Start(Config{Local: "me", Listen: addr, ReusePort: true, Tables: []peers.Table{peers.NewMemTable(feDef(), nil)}})
	if err != nil {
		t.Fatal(err)
	}
	defer lone.Close()
	start := time.Now()
	if lone.Handover(3*time.Second) || time.Since(start) > time.Second {
		t.Errorf("a hand-over with no new process took %v", time.Since(start))
	}
}
