package haproxycfg

import (
	"github.com/goha-lb/goha/parser/haproxy"
	"github.com/goha-lb/goha/proxy"
	"github.com/goha-lb/goha/proxy/tlsconf"
)

// tlsCapture reads the global settings that make TLS binds keep parts
// of each handshake: tune.ssl.capture-buffer-size (or its old name
// tune.ssl.capture-cipherlist-size; the last line wins, read as C's atoi
// reads it, a negative size keeping nothing) and tune.ssl.keylog on (one
// key log for every bind: connections find their secrets by their
// ClientHello's random).
func tlsCapture(raw []haproxy.Statement) proxy.TLSCapture {
	var c proxy.TLSCapture
	for _, st := range raw {
		if len(st.Args) == 2 && (st.Args[0] == "tune.ssl.capture-buffer-size" || st.Args[0] == "tune.ssl.capture-cipherlist-size") {
			c.HelloCapture = max(0, atoi(st.Args[1]))
		}
		if len(st.Args) == 2 && st.Args[0] == "tune.ssl.keylog" {
			c.KeyLog = nil
			if st.Args[1] == "on" {
				c.KeyLog = &tlsconf.KeyLog{TLS13: true}
			}
		}
	}
	return c
}

// atoi is C's atoi: optional blanks and sign, then the leading digits
// (0 without any).
func atoi(s string) int {
	i, neg, n := 0, false, 0
	for i < len(s) && (s[i] == ' ' || s[i] == '\t') {
		i++
	}
	if i < len(s) && (s[i] == '-' || s[i] == '+') {
		neg = s[i] == '-'
		i++
	}
	for ; i < len(s) && s[i] >= '0' && s[i] <= '9' && n < 1<<31; i++ {
		n = n*10 + int(s[i]-'0')
	}
	if neg {
		return -n
	}
	return n
}
