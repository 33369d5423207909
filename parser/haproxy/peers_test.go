package haproxy

import (
	"reflect"
	"testing"
)

func TestPeersSectionTyped(t *testing.T) {
	cfg := `global
	localpeer lb1
peers legacy
	disabled
	enabled
	peer lb1 127.0.0.1:10000
	peer lb2 192.0.2.2:10000
	table t1 type ip size 1k expire 30s store http_req_cnt
peers modern
	bind 127.0.0.1:10001
	default-server inter 2s
	server lb1
	server lb2 192.0.2.2:10001
	disabled
peers other
	peer lb9 127.0.0.1:10002
`
	res := CheckBytes("p.cfg", []byte(cfg), func(string) (string, bool) { return "", false })
	if res.Exit == 1 {
		t.Fatalf("exit 1: %+v", res.Diags.List)
	}
	if len(res.Config.Peers) != 2 {
		t.Fatalf("%d peers sections typed, want 2 (\"other\" lacks the local peer)", len(res.Config.Peers))
	}
	legacy, modern := res.Config.Peers[0], res.Config.Peers[1]
	if legacy.Name != "legacy" || legacy.Disabled || legacy.Local != "lb1" || legacy.Bind != "" {
		t.Errorf("legacy: %+v", legacy)
	}
	wantPeers := []Peer{
		{Pos: Pos{"p.cfg", 6}, Name: "lb1", Addr: "127.0.0.1:10000", Local: true},
		{Pos: Pos{"p.cfg", 7}, Name: "lb2", Addr: "192.0.2.2:10000"},
	}
	if !reflect.DeepEqual(legacy.Peers, wantPeers) {
		t.Errorf("legacy peers %+v", legacy.Peers)
	}
	if legacy.ListenAddr() != "127.0.0.1:10000" {
		t.Errorf("legacy listens on %q", legacy.ListenAddr())
	}
	wantTable := PeersTable{Pos: Pos{"p.cfg", 8}, Name: "t1", ID: "legacy/t1", WireName: "/t1",
		Args: []string{"type", "ip", "size", "1k", "expire", "30s", "store", "http_req_cnt"}}
	if len(legacy.Tables) != 1 || !reflect.DeepEqual(legacy.Tables[0], wantTable) {
		t.Errorf("legacy tables %+v", legacy.Tables)
	}
	if !modern.Disabled || modern.Bind != "127.0.0.1:10001" || modern.ListenAddr() != "127.0.0.1:10001" {
		t.Errorf("modern: %+v", modern)
	}
	if l := modern.LocalPeer(); l == nil || l.Name != "lb1" || l.Addr != "" {
		t.Errorf("modern local peer %+v", l)
	}
}
