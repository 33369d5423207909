package haproxycfg

import (
	"strings"
	"testing"
)

func TestACLUnsupportedReported(t *testing.T) {
	cfg := "defaults\n mode http\n timeout client 1s\n timeout server 1s\n timeout connect 1s\n" +
		"frontend f\n bind 127.0.0.1:8080\n acl x ssl_fc_session_id -m found\n use_backend b if x\n default_backend b\nbackend b\n server s 127.0.0.1:1\n"
	p := buildText(t, cfg)
	n := notices(p)
	if len(n) != 1 || !strings.Contains(n[0], "[test.cfg:9] : 'use_backend condition: acl x: fetch ssl_fc_session_id' parsed but not supported yet.") {
		t.Errorf("notices %q", n)
	}
	if len(p.Proxy.Frontends[0].UseBackends) != 0 {
		t.Errorf("unsupported rule kept")
	}
}
