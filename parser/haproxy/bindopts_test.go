package haproxy

import "testing"

// TestBindOption: values as HAProxy 2.6's bind keyword parsers read them
// (messages checked against haproxy -c on stats socket and bind lines).
func TestBindOption(t *testing.T) {
	st := &state{d: &Diagnostics{}, lookups: systemLookups{
		User:     func(n string) bool { return n == "haproxy" },
		Group:    func(n string) bool { return n == "haproxy" },
		Readable: func(p string) bool { return p == "/etc/ok.pem" || p == "/var/run/netns/blue" },
	}}
	tests := []struct {
		o, v string
		msg  string
		warn bool
	}{
		{o: "user", v: "haproxy"},
		{o: "user", v: "0", msg: "'user' : unknown user name '0'"},
		{o: "user", msg: "'user' : missing user name"},
		{o: "group", v: "nogroup", msg: "'group' : unknown group name 'nogroup'"},
		{o: "uid", v: "abc"}, // atol: accepted
		{o: "gid", msg: "'gid' : missing value"},
		{o: "mode", v: "660"},
		{o: "mode", v: "999", msg: "'mode' : missing or invalid mode '999' (octal integer expected)"},
		{o: "level", v: "root", msg: "'level' only supports 'user', 'operator', and 'admin' (got 'root')"},
		{o: "expose-fd", v: "listeners"},
		{o: "severity-output", v: "json", msg: "'severity-output' only supports 'none', 'number', and 'string' (got 'json')"},
		{o: "maxconn", v: "-1", msg: "'maxconn' : invalid value -1, must be >= 0"},
		{o: "backlog", v: "abc"},
		{o: "accept-netscaler-cip", v: "-5"},
		{o: "accept-netscaler-cip", v: "x", msg: "'accept-netscaler-cip' : invalid value 0, must be >= 0"},
		{o: "nice", v: "2000", msg: "'nice' : invalid value 2000, allowed range is -1024..1024"},
		{o: "id", v: "5x", msg: "'id' : expects an integer argument, found '5x'"},
		{o: "id", v: "0", msg: "'id' : custom id has to be > 0"},
		{o: "mss", v: "-100"},
		{o: "shards", v: "by-thread"},
		{o: "process", v: "1", msg: "'process 1' on 'bind' lines is deprecated and will be removed in 2.7.", warn: true},
		{o: "process", v: "all", msg: "'process all' on 'bind' lines is deprecated and will be removed in 2.7.", warn: true},
		{o: "process", v: "2", msg: "'process' : '2' is not a valid number/range. It supports numbers from 1 to 1.\n"},
		{o: "process", v: "abc", msg: "'process' : 'abc' is not a valid number/range."},
		{o: "thread", v: "1-64"},
		{o: "thread", v: "1-2,4", msg: "'1-2,4' : '1-2,4' is not a valid number/range."},
		{o: "process", v: "1/2", msg: "'process 1/2' on 'bind' lines is deprecated and will be removed in 2.7. Please use 'thread 2' instead.", warn: true},
		{o: "thread", v: "1/2"},
		{o: "thread", v: "65", msg: "'65' : '65' is not a valid number/range. It supports numbers from 1 to 64.\n"},
		{o: "thread", v: "2/1", msg: "'2/1' thread-group number must be between 1 and 1 (was 2)"},
		{o: "crt", v: "/etc/ok.pem"},
		{o: "crt", v: "/etc/no.pem", msg: "unable to stat SSL certificate from file '/etc/no.pem' : No such file or directory.\n"},
		{o: "crt-list", v: "/etc/no.list", msg: "'crt-list' : cannot open file '/etc/no.list' : No such file or directory"},
		{o: "accept-proxy"},
		{o: "ssl-min-ver", v: "TLSv1.2"},
		{o: "ssl-max-ver", v: "TLSv1.4", msg: "'TLSv1.4' : unknown ssl/tls version"},
		{o: "verify", v: "maybe", msg: "'verify' : unknown verify method 'maybe', only 'none', 'optional', and 'required' are supported\n"},
		{o: "ciphers", msg: "'ciphers' : missing cipher suite"},
		{o: "namespace", v: "blue"},
		{o: "namespace", v: "red", msg: "error encountered while processing 'namespace'."}, // after "Cannot open namespace 'red'."
		{o: "namespace", msg: "'namespace' : missing namespace id"},
	}
	for _, tc := range tests {
		msg, warn := st.bindOption(Pos{}, tc.o, tc.v)
		if msg != tc.msg || warn != tc.warn {
			t.Errorf("%s %q = %q, %v; want %q, %v", tc.o, tc.v, msg, warn, tc.msg, tc.warn)
		}
	}
}
