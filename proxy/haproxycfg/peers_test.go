package haproxycfg

import (
	"reflect"
	"strings"
	"testing"
)

const peersBase = `global
	localpeer lb1
peers P
%s
frontend fe
	mode http
	bind 127.0.0.1:8080
	timeout client 5s
	stick-table type ip size 1k expire 30s peers P store http_req_rate(10s)%s
	http-request track-sc0 src
`

// TestPeersNode: the local peer's address, the remote peers and the
// tables replicated: the section's own ("/t" on the wire, "P/t" for
// track-sc) and the frontend's ("fe").
func TestPeersNode(t *testing.T) {
	p := buildText(t, strings.Replace(peersBase, "%s", "\tpeer lb1 127.0.0.1:10001\n\tpeer lb2 *:10002\n\tpeer lb3 ipv4@127.0.0.3:10003\n\ttable t type string len 8 size 10 store gpc0", 1)+"\n")
	if n := notices(p); len(n) > 0 {
		t.Fatalf("notices: %q", n)
	}
	if len(p.Peers) != 1 {
		t.Fatalf("peers nodes: %+v", p.Peers)
	}
	c := p.Peers[0].Config
	if c.Local != "lb1" || c.Listen != "127.0.0.1:10001" ||
		!reflect.DeepEqual(c.Peers, map[string]string{"lb2": ":10002", "lb3": "127.0.0.3:10003"}) {
		t.Errorf("node %+v", c)
	}
	var names []string
	for _, tb := range c.Tables {
		names = append(names, tb.Def().Name)
	}
	if !reflect.DeepEqual(names, []string{"/t", "fe"}) {
		t.Errorf("tables %q", names)
	}
	if d := c.Tables[0].Def(); d.KeyLen != 9 {
		t.Errorf("string len 8 announced with key length %d, want 9 (HAProxy's)", d.KeyLen)
	}
}

// TestPeersUnsupported: what the TCP peers runtime does not honour is
// refused with the line, the rest of the section runs.
func TestPeersUnsupported(t *testing.T) {
	for _, c := range []struct{ name, section, store, want string }{
		{"peer ssl", "\tpeer lb1 127.0.0.1:10001\n\tpeer lb2 127.0.0.1:10002 ssl", "", "'peers peer option ssl'"},
		{"bind option", "\tbind 127.0.0.1:10001 ssl crt x.pem\n\tserver lb1\n\tserver lb2 127.0.0.1:10002", "", "'peers bind option ssl'"},
		{"unix peer", "\tpeer lb1 127.0.0.1:10001\n\tpeer lb2 unix@/tmp/p.sock", "", "'peers peer address unix@/tmp/p.sock'"},
		{"default-server ssl", "\tdefault-server ssl verify none\n\tpeer lb1 127.0.0.1:10001\n\tpeer lb2 127.0.0.1:10002", "", "'peers default-server option ssl'"},
		{"default-bind option", "\tdefault-bind ssl crt x.pem\n\tbind 127.0.0.1:10001\n\tserver lb1\n\tserver lb2 127.0.0.1:10002", "", "'peers default-bind option ssl'"},
	} {
		t.Run(c.name, func(t *testing.T) {
			p := buildText(t, strings.Replace(strings.Replace(peersBase, "%s", c.section, 1), "%s", c.store, 1))
			got := strings.Join(notices(p), "\n")
			if !strings.Contains(got, c.want) {
				t.Errorf("notices %q lack %s", got, c.want)
			}
		})
	}
}

// TestPeersBindForm: in the "bind" form the local peer listens on the bind
// address and its "server" line has none; a disabled section does not run.
func TestPeersBindForm(t *testing.T) {
	p := buildText(t, strings.Replace(strings.Replace(peersBase, "%s", "\tbind 127.0.0.1:10001\n\tserver lb1\n\tserver lb2 127.0.0.2:10002", 1), "%s", "", 1))
	if n := notices(p); len(n) > 0 {
		t.Fatalf("notices: %q", n)
	}
	if len(p.Peers) != 1 || p.Peers[0].Config.Listen != "127.0.0.1:10001" ||
		!reflect.DeepEqual(p.Peers[0].Config.Peers, map[string]string{"lb2": "127.0.0.2:10002"}) {
		t.Fatalf("nodes %+v", p.Peers)
	}
	// bare default lines change nothing
	p = buildText(t, strings.Replace(strings.Replace(peersBase, "%s", "\tdefault-bind\n\tdefault-server\n\tbind 127.0.0.1:10001\n\tserver lb1\n\tserver lb2 127.0.0.2:10002", 1), "%s", "", 1))
	if n := notices(p); len(n) > 0 || len(p.Peers) != 1 || p.Peers[0].Config.Listen != "127.0.0.1:10001" {
		t.Fatalf("with bare default-bind/default-server: notices %q, nodes %+v", n, p.Peers)
	}
	p = buildText(t, strings.Replace(strings.Replace(peersBase, "%s", "\tdisabled\n\tpeer lb1 127.0.0.1:10001\n\tpeer lb2 127.0.0.2:10002", 1), "%s", "", 1))
	if len(p.Peers) != 0 {
		t.Fatalf("disabled section runs: %+v", p.Peers)
	}
}
