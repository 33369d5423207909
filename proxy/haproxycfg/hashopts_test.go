package haproxycfg

import (
	"testing"

	"github.com/goha-lb/goha/parser/haproxy"
	"github.com/goha-lb/goha/proxy/balance"
)

// TestHashOptions: a backend's hash-type line, typed by the parser, becomes
// the balancer's options (HAProxy 2.6's rules: consistent alone is sdbm
// with avalanche, map-based alone plain sdbm; function names are
// case-sensitive); a line HAProxy refuses is reported and hashed with the
// defaults table's values.
func TestHashOptions(t *testing.T) {
	for _, tc := range []struct {
		line     string
		want     balance.Options
		reported bool
	}{
		{line: "", want: balance.Options{}},
		{line: "hash-type map-based", want: balance.Options{}},
		{line: "hash-type consistent", want: balance.Options{Consistent: true, Avalanche: true}},
		{line: "hash-type consistent sdbm", want: balance.Options{Consistent: true}},
		{line: "hash-type map-based djb2 avalanche", want: balance.Options{Func: balance.DJB2, Avalanche: true}},
		{line: "hash-type consistent wt6", want: balance.Options{Consistent: true, Func: balance.WT6}},
		{line: "hash-type consistent crc32", want: balance.Options{Consistent: true, Func: balance.CRC32}},
		{line: "hash-type consistent md5", reported: true},
		{line: "hash-type consistent Sdbm", reported: true}, // haproxy 2.6 is case-sensitive here
		{line: "hash-type consistent none", reported: true}, // not in 2.6
		{line: "hash-type consistent sdbm fast", reported: true},
	} {
		res := haproxy.CheckBytes("t.cfg", []byte(quickDefaults("http")+
			"backend b\n    balance source\n    "+tc.line+"\n    server s 127.0.0.1:80\n"), nil)
		if res.Config == nil || len(res.Config.Backends) != 1 {
			t.Fatalf("%q: %+v", tc.line, res.Diags.List)
		}
		p := Build(res.Config)
		got := balanceOf(p, "b").Options
		if got.Consistent != tc.want.Consistent || got.Func != tc.want.Func || got.Avalanche != tc.want.Avalanche {
			t.Errorf("%q: %+v, want %+v", tc.line, got, tc.want)
		}
		reported := len(p.Notices.List) > 0
		if reported != tc.reported {
			t.Errorf("%q: reported %v (%+v), want %v", tc.line, reported, p.Notices.List, tc.reported)
		}
	}
}
