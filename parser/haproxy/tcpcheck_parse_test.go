package haproxy

import (
	"strings"
	"testing"
)

// tcp-check expect accepts "!" alone or glued to the pattern kind, and
// names the offending word as HAProxy 2.6.12 does (haproxy -c, compared by
// hand): "'!foo'" and "'! bar'" both complain about the kind.
func TestTCPCheckExpectNegation(t *testing.T) {
	head := "defaults\n    mode tcp\n    timeout connect 1s\n    timeout client 1s\n    timeout server 1s\nbackend b\n    option tcp-check\n"
	ok := CheckBytes("t.cfg", []byte(head+"    tcp-check expect ! string ERR\n    tcp-check expect !string ERR\n    tcp-check expect min-recv 3 !rstring ^E\n    server s 127.0.0.1:1 check\n"), nil)
	if ok.Exit == 1 {
		for _, d := range ok.Diags.List {
			t.Log(d.Text)
		}
		t.Fatal("negated expects refused")
	}
	if n := len(ok.Config.Proxies[0].TCPCheck.Rules); n != 3 {
		t.Errorf("%d tcp-check rules kept", n)
	}
	bad := CheckBytes("t.cfg", []byte(head+"    tcp-check expect !foo x\n    tcp-check expect ! bar x\n    server s 127.0.0.1:1 check\n"), nil)
	var got []string
	for _, d := range bad.Diags.List {
		if strings.Contains(d.Text, "but got") {
			got = append(got, d.Text[strings.Index(d.Text, "but got"):])
		}
	}
	if want := "but got 'foo' as argument..|but got 'bar' as argument.."; strings.Join(got, "|") != want {
		t.Errorf("messages %q, want %q", got, want)
	}
}
