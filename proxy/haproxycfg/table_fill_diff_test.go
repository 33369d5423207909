package haproxycfg

import (
	"strings"
	"testing"
	"time"

	"github.com/goha-lb/goha/proxy/internal/difftest"
)

// TestTableFillFetchesDifferential: table_cnt and table_avl of the proxy's
// own table and of a named one, and src_updt_conn_cnt (which creates the
// client's entry and counts one more connection on each call, or gives no
// sample on a table without conn_cnt while still creating the entry),
// against HAProxy 2.6 over the same requests.
func TestTableFillFetchesDifferential(t *testing.T) {
	cfg := httpHead +
		"frontend fe\n    bind BIND\n    stick-table type ip size 5 store conn_cnt,gpc0\n" +
		"    http-request set-var(txn.a) src_updt_conn_cnt\n" +
		"    http-request set-var(txn.f) src_updt_conn_cnt(t2)\n" +
		"    http-request deny deny_status 429 if { src_updt_conn_cnt gt 6 }\n" +
		"    http-request return status 200 hdr x-a \"%[var(txn.a)]\" hdr x-b \"%[table_cnt]\" hdr x-c \"%[table_avl]\"" +
		" hdr x-d \"%[table_cnt(t2)]\" hdr x-e \"%[table_avl(t2)]\" hdr x-f \"<%[var(txn.f)]>\" hdr x-g \"%[src_conn_cnt]\"\n" +
		"backend t2\n    stick-table type ip size 100 store gpc0\n"
	ha, goha := startBoth(t, cfg)
	req := "GET / HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n"
	heads := func(addr string) string {
		raw, err := difftest.Exchange(addr, []byte(req), 2*time.Second)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, l := range strings.Split(string(raw), "\r\n") {
			if strings.HasPrefix(l, "HTTP/") || strings.HasPrefix(l, "x-") {
				out = append(out, l)
			}
		}
		return strings.Join(out, " | ")
	}
	for i := 0; i < 5; i++ {
		want, got := heads(ha), heads(goha)
		if i == 0 && !strings.Contains(want, "x-a: 1 | x-b: 1 | x-c: 4 | x-d: 1 | x-e: 99 | x-f: <>") {
			t.Errorf("HAProxy's first answer is not what the test expects: %s", want)
		}
		if want != got {
			t.Errorf("request %d:\nhaproxy %s\ngoha    %s", i+1, want, got)
		}
	}
}
