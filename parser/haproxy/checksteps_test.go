package haproxy

import (
	"reflect"
	"strings"
	"testing"
)

func TestParseLogTarget(t *testing.T) {
	tests := []struct {
		line string
		want LogTarget
		msg  string
	}{
		{"log global", LogTarget{Global: true, Level: 7}, ""},
		{"log 127.0.0.1 local2", LogTarget{Address: "127.0.0.1", Kind: LogUDP, Addr: "127.0.0.1:514", Facility: 18, Level: 7}, ""},
		{"log udp@[::1]:5514 len 200 format rfc5424 local0 info notice", LogTarget{Address: "udp@[::1]:5514", Kind: LogUDP, Addr: "[::1]:5514",
			Len: 200, Format: "rfc5424", Facility: 16, Level: 6, MinLevel: 5}, ""},
		{"log /dev/log daemon err", LogTarget{Address: "/dev/log", Kind: LogUnix, Addr: "/dev/log", Facility: 3, Level: 3}, ""},
		{"log stderr format raw local7", LogTarget{Address: "stderr", Kind: LogFD, Addr: "2", Format: "raw", Facility: 23, Level: 7}, ""},
		{"log ring@buf sample 1:2 kern", LogTarget{Address: "ring@buf", Kind: LogRing, Addr: "buf", Sample: "1:2", Level: 7}, ""},
		{"log 127.0.0.1 len 10 user", LogTarget{Address: "127.0.0.1", Kind: LogUDP, Addr: "127.0.0.1:514", Len: 10, Facility: 1, Level: 7,
			Invalid: "log: invalid len '10' (must be between 80 and 65535)"}, ""},
		{"log 127.0.0.1 user info info info", LogTarget{Address: "127.0.0.1", Kind: LogUDP, Addr: "127.0.0.1:514", Facility: 1, Level: 6, MinLevel: 6,
			Invalid: "log: too many arguments"}, ""},
		{"log 127.0.0.1", LogTarget{}, "log : expects <address> and <facility>  as arguments"},
		{"log 127.0.0.1 local9", LogTarget{}, "log : unknown log facility 'local9'"},
		{"log 127.0.0.1 local0 loud", LogTarget{}, "log : unknown optional log level 'loud'"},
		{"log 127.0.0.1:99999 local0", LogTarget{}, "log : invalid port '99999'"},
		{"log 127.0.0.1 format bogus local0", LogTarget{}, "log : unknown log format 'bogus'"}, // haproxy -c, measured
	}
	for _, tc := range tests {
		got, msg := ParseLogTarget(Pos{}, strings.Fields(tc.line))
		if msg != tc.msg {
			t.Errorf("%s: message %q, want %q", tc.line, msg, tc.msg)
			continue
		}
		if msg == "" && !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%s:\n got %+v\nwant %+v", tc.line, got, tc.want)
		}
	}
}

func TestParseCheckSteps(t *testing.T) {
	tests := []struct {
		line string
		want CheckStep
	}{
		{"tcp-check connect port 6379 addr 10.0.0.1:80 comment c", CheckStep{Kind: StepConnect, Verb: "connect", Comment: "c",
			Connect: CheckConnect{Port: 6379, Addr: "10.0.0.1", Comment: "c"}}},
		{"tcp-check connect addr 10.0.0.1:80", CheckStep{Kind: StepConnect, Verb: "connect", Connect: CheckConnect{Port: 80, Addr: "10.0.0.1"}}},
		{"tcp-check send-binary 0102 comment x", CheckStep{Kind: StepSend, Verb: "send-binary", Comment: "x", Send: CheckSend{Data: "0102", Binary: true}}},
		{"tcp-check send-lf %[x]", CheckStep{Kind: StepSend, Verb: "send-lf", Send: CheckSend{Data: "%[x]", LogFormat: true}}},
		{"tcp-check expect ! rstring ^-ERR min-recv 4 error-status l7rsp on-error %[res.payload(0,0)]", CheckStep{Kind: StepExpect, Verb: "expect",
			Expect: CheckExpect{Negate: true, Match: CheckMatchRString, Pattern: "^-ERR", MinRecv: 4, ErrorStatus: "l7rsp", OnError: "%[res.payload(0,0)]"}}},
		{"tcp-check expect string a binary 00", CheckStep{Kind: StepExpect, Verb: "expect",
			Expect:  CheckExpect{Match: CheckMatchString, Pattern: "a", MinRecv: -1},
			Invalid: "tcp-check expect: only one pattern expected"}},
		{"tcp-check set-var(check.x) int(1)", CheckStep{Kind: StepSetVar, Verb: "set-var(check.x)",
			Var: CheckVar{Verb: "set-var", Name: "check.x", Expr: "int(1)"}}},
		{"tcp-check unset-var(check.x)", CheckStep{Kind: StepSetVar, Verb: "unset-var(check.x)", Var: CheckVar{Verb: "unset-var", Name: "check.x"}}},
		{"http-check comment hi", CheckStep{Kind: StepComment, Verb: "comment", Comment: "hi"}},
		{"tcp-check comment hello", CheckStep{Kind: StepComment, Verb: "comment", Comment: "hello"}},
		{"http-check send meth GET uri /h ver HTTP/1.1 hdr Host a body b", CheckStep{Kind: StepSend, Verb: "send",
			Send: CheckSend{Method: "GET", URI: "/h", Version: "HTTP/1.1", Headers: []CheckHeader{{"Host", "a"}}, Body: "b"}}},
		{"http-check send meth GET uri-lf /x", CheckStep{Kind: StepSend, Verb: "send", Send: CheckSend{Method: "GET", URI: "/x", URILogFormat: true}}},
		{"http-check expect ! status 200,300-399", CheckStep{Kind: StepExpect, Verb: "expect",
			Expect: CheckExpect{Negate: true, Match: CheckMatchStatus, Pattern: "200,300-399", Codes: [][2]int{{200, 200}, {300, 399}}, MinRecv: -1}}},
		{"http-check expect status 300-200", CheckStep{Kind: StepExpect, Verb: "expect",
			Expect: CheckExpect{Match: CheckMatchStatus, Pattern: "300-200", MinRecv: -1}, Invalid: "http-check expect status: invalid status code range '300-200'"}},
		{"http-check connect port 8080 linger", CheckStep{Kind: StepConnect, Verb: "connect", Connect: CheckConnect{Port: 8080, Linger: true}}},
		{"http-check connect default ssl sni a.test alpn h2 send-proxy via-socks4 proto h2", CheckStep{Kind: StepConnect, Verb: "connect",
			Connect: CheckConnect{Default: true, SSL: true, SNI: "a.test", ALPN: "h2", SendProxy: true, Socks4: true, Proto: "h2"}}},
		{"http-check connect proto fcgi", CheckStep{Kind: StepConnect, Verb: "connect", Connect: CheckConnect{Proto: "fcgi"},
			Invalid: "http-check connect: proto fcgi not supported"}},
		{"http-check connect addr ::1", CheckStep{Kind: StepConnect, Verb: "connect", Connect: CheckConnect{Addr: "::1"},
			Invalid: "http-check connect: addr '::1' not supported (an IP address, with a port or not, is)"}},
		{"http-check connect addr localhost:80", CheckStep{Kind: StepConnect, Verb: "connect", Connect: CheckConnect{Addr: "localhost:80"},
			Invalid: "http-check connect: addr 'localhost:80' not supported (an IP address, with a port or not, is)"}},
		{"http-check connect port var(check.p)", CheckStep{Kind: StepConnect, Verb: "connect", Connect: CheckConnect{PortExpr: "var(check.p)"}}},
		{"http-check disable-on-404", CheckStep{Kind: StepDisableOn404, Verb: "disable-on-404"}},
		{"http-check send-state", CheckStep{Kind: StepSendState, Verb: "send-state", Invalid: "http-check send-state"}},
	}
	for _, tc := range tests {
		w := strings.Fields(tc.line)
		var got CheckStep
		if w[0] == "tcp-check" {
			got = ParseTCPCheckStep(Pos{}, w)
		} else {
			got = ParseHTTPCheckStep(Pos{}, w)
		}
		tc.want.Text = strings.Join(w[1:], " ")
		if !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%s:\n got %+v\nwant %+v", tc.line, got, tc.want)
		}
	}
}

func TestParseProtocolCheck(t *testing.T) {
	tests := []struct {
		words string
		want  ProtocolCheck
	}{
		{"mysql-check", ProtocolCheck{Name: "mysql-check", MySQLPre: 41}},
		{"mysql-check user u pre-41", ProtocolCheck{Name: "mysql-check", User: "u", MySQLPre: 40}},
		{"mysql-check user u v5", ProtocolCheck{Name: "mysql-check", User: "u", MySQLPre: 41, Invalid: "mysql-check: 'v5' not supported"}},
		{"mysql-check nobody", ProtocolCheck{Name: "mysql-check", MySQLPre: 41, Invalid: "mysql-check: expects 'user <username>'"}},
		{"pgsql-check user pg", ProtocolCheck{Name: "pgsql-check", User: "pg", MySQLPre: 41}},
		{"smtpchk EHLO a.example", ProtocolCheck{Name: "smtpchk", SMTPHello: "EHLO a.example", MySQLPre: 41}},
		{"smtpchk NOOP x", ProtocolCheck{Name: "smtpchk", MySQLPre: 41}},
	}
	for _, tc := range tests {
		tc.want.Text = tc.words
		if got := ParseProtocolCheck(strings.Fields(tc.words)); !reflect.DeepEqual(*got, tc.want) {
			t.Errorf("%s:\n got %+v\nwant %+v", tc.words, *got, tc.want)
		}
	}
}

// TestHTTPCheckStepsNotShared: two backends after one defaults section
// each keep their own http-check steps (they once shared the defaults'
// array, and the second backend's step replaced the first's).
func TestHTTPCheckStepsNotShared(t *testing.T) {
	cfg := "defaults\n mode http\n timeout client 1s\n timeout server 1s\n timeout connect 1s\n option httpchk\n" +
		" http-check send meth GET\n http-check expect status 200\n http-check expect string a\n" +
		"backend a\n http-check expect string A\n server s 127.0.0.1:1 check\n" +
		"backend b\n http-check expect string B\n server s 127.0.0.1:1 check\n"
	res := CheckBytes("t.cfg", []byte(cfg), nil)
	for _, be := range res.Config.Backends {
		r := be.HTTPCheck.Rules
		if len(r) == 0 || r[len(r)-1].Expect.Pattern != strings.ToUpper(be.Name) {
			t.Errorf("backend %s: steps %+v", be.Name, r)
		}
	}
}
