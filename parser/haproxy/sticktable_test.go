package haproxy

import (
	"strings"
	"testing"
	"time"
)

// The messages are HAProxy 2.6.12's for the same stick-table lines
// (haproxy -c, measured).
func TestParseStickTable(t *testing.T) {
	cases := []struct{ args, msg string }{
		{"type ip size 1k store foo", "stick-table: unknown store option 'foo'."},
		{"type ip size 1k store gpc0,gpc0", "W stick-table: store option 'gpc0' already enabled, ignored."},
		{"type ip size", "stick-table: missing argument after 'size'."},
		{"type ip", "stick-table: missing size."},
		{"size 10", "stick-table: missing type."},
		{"type ip size 1x", "stick-table: unexpected character 'x' in argument of 'size'."},
		{"type ip size 10 expire 1q", "stick-table: unexpected character 'q' in argument of 'expire'."},
		{"type ip size 10 write-to x", "stick-table: unknown argument 'write-to'."},
		{"type ip size 10 store http_req_rate", "stick-table: missing argument to store option 'http_req_rate'."},
		{"type ip size 10 store gpc0(3)", "stick-table: unexpected argument to store option 'gpc0'."},
		{"type ip size 10 store gpc(0)", "stick-table: array size is out of allowed range (1-100) for store option 'gpc'."},
		{"type ip size 10 store gpc(101)", "stick-table: array size is out of allowed range (1-100) for store option 'gpc'."},
		{"type ip size 10 store gpc,gpc0", "stick-table: missing argument to store option 'gpc'."},
		{"type string len 0 size 10", "stick-table: unknown type '0'."},
		{"type foo size 10", "stick-table: unknown type 'foo'."},
		{"type ip len 3 size 10", "stick-table: unknown argument 'len'."},
		{"type ip size 10 store http_req_rate(10s", "stick-table: missing closing parenthesis after store option 'http_req_rate'."},
		{"type ip size 10 srvkey name store server_key", ""},
		{"type binary len 2000 size 10", ""},
		{"type string size 10 expire 30d", "R stick-table: timer overflow in argument <30d> to <expire>, maximum value is 2147483647 ms (~24.8 days)."},
		{"type ip size 10 store gpc_rate(2)", "stick-table: missing argument to store option 'gpc_rate'."},
		{"type ip size 10 store gpc_rate(2,1s)", ""},
		{"type ip size 10 store http_req_rate(0)", ""},
		{"type ip size 10 store gpt(2,3)", "stick-table: unexpected argument to store option 'gpt'."},
		{"type ip size 10 nopurge peers", "stick-table: missing argument after 'peers'."},
		{"type ip size 0", "stick-table: missing size."},
		{"type ip size 10 store gpc0()", "stick-table: unexpected argument to store option 'gpc0'."},
		{"type ip size 10 store http_req_rate()", "stick-table: error when processing store option 'http_req_rate'."},
		{"type ip size 10 store http_req_rate(1x)", "stick-table: error when processing store option 'http_req_rate'."},
		{"type string len 8x size 10", ""},
		{"type ip size 10 store server_name", ""},
		{"type ip size 10 srvkey foo", "stick-table : unknown server key type 'foo'."},
		{"type ip size 10 store gpc(2),gpc0", "stick-table: simultaneous usage of 'gpc' and 'gpc[0/1]' in a same table is not permitted as 'gpc' overrides 'gpc[0/1]'."},
		{"type ip size 10 store gpc(2) store gpc0", "stick-table: simultaneous usage of 'gpc' and 'gpc[0/1]' in a same table is not permitted as 'gpc' overrides 'gpc[0/1]'."},
		{"type ip size 10 store ,gpc0", "stick-table: unknown store option ''."},
		{"type ip size 10 store", ""},
		{"type ip size 5000000000", "stick-table: unexpected character '0' in argument of 'size'."},
	}
	for _, c := range cases {
		_, msgs := ParseStickTable("stick-table", strings.Fields(c.args), false)
		got := ""
		if len(msgs) > 0 {
			m := msgs[len(msgs)-1]
			switch {
			case m.Warning:
				got = "W "
			case m.Raw:
				got = "R "
			}
			got += m.Text
		}
		if got != c.msg {
			t.Errorf("%q: got %q, want %q", c.args, got, c.msg)
		}
	}
	st, msgs := ParseStickTable("stick-table", strings.Fields("type string len 8 size 100k expire 30s nopurge peers p store http_req_rate(10s),conn_cur,gpc(2),gpc_rate(2,1m)"), false)
	if len(msgs) != 0 || st.Type != "string" || st.KeyLen != 8 || st.Size != 102400 || st.Expire != 30*time.Second || !st.NoPurge || st.Peers != "p" ||
		len(st.Stores) != 4 || st.Stores[0].Period != 10*time.Second || st.Stores[3].Count != 2 || st.Stores[3].Period != time.Minute {
		t.Fatalf("%+v %v", st, msgs)
	}
	if _, msgs := ParseStickTable("table", strings.Fields("type ip size 1 peers p"), true); len(msgs) != 1 || msgs[0].Text != "table: unknown argument 'peers'." {
		t.Fatalf("peers table: %v", msgs)
	}
}

// A table named by a track-sc, a stick fetch or a table_* converter must
// exist (HAProxy 2.6's messages; several at once it words as one list).
func TestStickTableReferences(t *testing.T) {
	cfg := "defaults\n  mode http\nfrontend f\n  bind 127.0.0.1:1\n  stick-table type ip size 1\n" +
		"  acl a src_get_gpc0(nosuch) gt 1\n  http-request deny if a\n" +
		"  http-request deny if { src,table_gpc0(nosuch3) gt 1 } { src_get_gpc0(f) gt 1 } { src,table_gpc(1,f) gt 1 }\n" +
		"  http-request track-sc1 src table nosuch4\n"
	r := CheckBytes("t.cfg", []byte(cfg), nil)
	var got []string
	for _, d := range r.Diags.List {
		if d.Severity == Alert {
			got = append(got, d.Text)
		}
	}
	want := []string{
		"config : Proxy 'f': unable to find table 'nosuch4' referenced by track-sc1.",
		"config : multiple argument resolution errors:" +
			"\n        parsing [t.cfg:6]: unable to find table 'nosuch' referenced in arg 1 of ACL keyword 'src_get_gpc0' in proxy 'f'." +
			"\n        parsing [t.cfg:8]: unable to find table 'nosuch3' referenced in arg 1 of conversion keyword 'table_gpc0' for ACL keyword 'src' in proxy 'f'.",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") || r.Exit == 0 {
		t.Fatalf("exit %d, alerts:\n%s", r.Exit, strings.Join(got, "\n"))
	}
}
