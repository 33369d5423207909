package check

import (
	"bytes"
	"context"
	"encoding/hex"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/goha-lb/goha/internal/loopback"
	"github.com/goha-lb/goha/parser/haproxy"
)

func mustHex(t *testing.T, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(strings.ReplaceAll(s, " ", ""))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// sends is every send rule's data of a probe, in order.
func sends(p TCPCheckProbe) [][]byte {
	var out [][]byte
	for _, r := range p.Rules {
		if r.Kind == RuleSend {
			if r.build != nil {
				out = append(out, r.build())
			} else {
				out = append(out, r.Data)
			}
		}
	}
	return out
}

// TestProtocolRequestBytes pins the bytes each protocol check sends (the
// differential test compares them with what haproxy sends).
func TestProtocolRequestBytes(t *testing.T) {
	my41 := MySQLCheck("haproxy", true)
	my40 := MySQLCheck("haproxy", false)
	myNone := MySQLCheck("", true)
	at := time.Unix(0x01020304, 0)
	cases := []struct {
		name string
		p    TCPCheckProbe
		want [][]byte
	}{
		{"redis", RedisCheck(), [][]byte{[]byte("*1\r\n$4\r\nPING\r\n")}},
		{"ldap", LDAPCheck(), [][]byte{mustHex(t, "300C020101600702010304008000")}},
		{"smtp default", SMTPCheck(""), [][]byte{[]byte("HELO localhost\r\n"), []byte("QUIT\r\n")}},
		{"smtp ehlo", SMTPCheck(haproxy.ParseProtocolCheck([]string{"smtpchk", "EHLO", "goha.test"}).SMTPHello), [][]byte{[]byte("EHLO goha.test\r\n"), []byte("QUIT\r\n")}},
		{"smtp other verb", SMTPCheck(haproxy.ParseProtocolCheck([]string{"smtpchk", "NOOP", "x"}).SMTPHello), [][]byte{[]byte("HELO localhost\r\n"), []byte("QUIT\r\n")}},
		{"pgsql", PgSQLCheck("haproxy"), [][]byte{mustHex(t, "00000016 00030000 7573657200 686170726f787900 00")}},
		{"mysql no user", myNone, nil},
		{"mysql post-41", my41, [][]byte{mustHex(t, "29000001 00820000 00800001 21"+strings.Repeat("00", 23)+"686170726f787900 00 010000 00 01")}},
		{"mysql pre-41", my40, [][]byte{mustHex(t, "0e000001 0080 000001 686170726f787900 00 010000 00 01")}},
		{"ssl hello", SSLHelloCheck(func() time.Time { return at }), [][]byte{mustHex(t, "16 0300 0079 01 000075 0300 01020304"+
			hex.EncodeToString([]byte("HAPROXYSSLCHK\nHAPROXYSSLCHK\n"))+"00 004E"+
			"000100020003000400050006000700080009000A000B000C000D000E000F0010001100120013001400150016001700180019001A001B"+
			"002F0030003100320033003400350036003700380039003A 01 00")}},
	}
	for _, c := range cases {
		if got := sends(c.p); len(got) != len(c.want) {
			t.Errorf("%s: %d sends, want %d", c.name, len(got), len(c.want))
		} else {
			for i := range got {
				if !bytes.Equal(got[i], c.want[i]) {
					t.Errorf("%s send %d:\n got %x\nwant %x", c.name, i, got[i], c.want[i])
				}
			}
		}
		if c.p.Rules[0].Kind != RuleConnect {
			t.Errorf("%s: first rule is not a connect", c.name)
		}
	}
}

func rule(t *testing.T, words ...string) TCPRule {
	t.Helper()
	r, err := parseTCPCheckRule(words)
	if err != nil {
		t.Fatalf("%v: %v", words, err)
	}
	return r
}

// TestEvalExpect is tcpcheck_eval_expect's decisions on a buffer: wait for
// more data, go on, or stop with HAProxy's status and info.
func TestEvalExpect(t *testing.T) {
	cases := []struct {
		name  string
		words []string
		buf   string
		last  bool
		want  verdict
		st    Status
		info  string
	}{
		{"string short waits", []string{"expect", "string", "+PONG"}, "+PO", false, evalWait, 0, ""},
		{"string found", []string{"expect", "string", "+PONG"}, "x+PONGx", false, evalContinue, 0, ""},
		{"string absent waits without min-recv", []string{"expect", "string", "+PONG"}, "-ERR nope", false, evalWait, 0, ""},
		{"string absent at end", []string{"expect", "string", "+PONG"}, "-ERR nope", true, evalStop, L7RSP, "TCPCHK did not match content '+PONG' at step 1"},
		{"min-recv makes a mismatch conclusive", []string{"expect", "min-recv", "3", "string", "+PONG"}, "-ERR nope", false, evalStop, L7RSP, "TCPCHK did not match content '+PONG' at step 1"},
		{"min-recv waits", []string{"expect", "min-recv", "10", "rstring", "^OK"}, "OK", false, evalWait, 0, ""},
		{"negated match", []string{"expect", "!", "string", "ERR", "comment", "no errors"}, "-ERR", false, evalStop, L7RSP, "TCPCHK matched unwanted content 'ERR' at step 1 comment: no errors"},
		{"negated joined", []string{"expect", "!string", "ERR"}, "+OK", true, evalContinue, 0, ""},
		{"rstring", []string{"expect", "rstring", `^SSH-2\.0-`}, "SSH-2.0-x\r\n", false, evalContinue, 0, ""},
		{"rstring mismatch", []string{"expect", "rstring", `^SSH`}, "HTTP", true, evalStop, L7RSP, "TCPCHK did not match content (regex) at step 1"},
		{"binary", []string{"expect", "binary", "0d0a"}, "a\r\n", false, evalContinue, 0, ""},
		{"binary mismatch", []string{"expect", "binary", "ff"}, "a", true, evalStop, L7RSP, "TCPCHK did not match content (binary) at step 1"},
		{"rbinary on upper-case hex", []string{"expect", "rbinary", "^0A0B"}, "\x0a\x0b", false, evalContinue, 0, ""},
		{"rbinary mismatch", []string{"expect", "rbinary", "^FF"}, "\x0a", true, evalStop, L7RSP, "TCPCHK did not match content (binary regex) at step 1"},
		{"PCRE $ before a final newline", []string{"expect", "rstring", "^OK$"}, "OK\n", true, evalContinue, 0, ""},
		{"$ is still the end", []string{"expect", "rstring", "^OK$"}, "OK\nX", true, evalStop, L7RSP, "TCPCHK did not match content (regex) at step 1"},
		{"escaped $ and class", []string{"expect", "rstring", `^\$[$]`}, "$$", true, evalContinue, 0, ""},
		{"on-error expression", []string{"expect", "string", "+PONG", "error-status", "L7STS", "on-error", "got %[res.payload(0,0),cut_crlf] back", "status-code", "res.payload(1,3)"},
			"-503 ERR\r\nmore", true, evalStop, L7STS, "got -503 ERR back"},
		{"on-error missing payload", []string{"expect", "string", "+PONG", "on-error", "[%[res.payload(40,2)]] [%[res.payload(0,2),ltrim('-'),lower]]"},
			"-ERR", true, evalStop, L7RSP, "[] [e]"},
		{"error-status and on-error", []string{"expect", "string", "OK", "error-status", "L7STS", "on-error", "down"}, "KO", true, evalStop, L7STS, "down"},
	}
	for _, c := range cases {
		r := rule(t, c.words...)
		v, res := r.evalExpect([]byte(c.buf), c.last, true, true)
		if v != c.want || v == evalStop && (res.Status != c.st || res.Info != c.info) {
			t.Errorf("%s: verdict %d %+v, want %d %v %q", c.name, v, res, c.want, c.st, c.info)
		}
	}
}

func TestParseTCPCheckRuleRefuses(t *testing.T) {
	for _, w := range [][]string{
		{"expect", "rstring", "(?=x)"},    // PCRE look-ahead: RE2 has none
		{"expect", "rstring", `(a)\1`},    // back-reference
		{"expect", "string-lf", "%[src]"}, // log-format
		{"expect", "string", "x", "status-code", "req.len"},
		{"expect", "string", "x", "on-error", "%[src]"},
		{"expect", "string", "x", "on-error", "%ci"},
		{"expect", "string", "x", "on-success", "%[res.payload(0,0),json]"},
		{"expect", "binary", "abc"},          // odd hex
		{"send-lf", "%[src]"},                // log-format variables
		{"send-binary", "zz"},                // not hex
		{"connect", "port", "src_port"},      // port expression
		{"connect", "proto", "h2"},           // not a tcp-check mux
		{"set-var(txn.x)", "int(1)"},         // a scope other than check
		{"set-var(check.x,ifset)", "int(1)"}, // conditions
		{"set-var(check.x)", "src"},          // a fetch checks do not evaluate
		{"set-var(check.x)", "var(check.y),add(1)"},
		{"set-var-fmt(check.x)", "%ci"},
		{"expect", "min-recv", "2"}, // no pattern
	} {
		if _, err := parseTCPCheckRule(w); err == nil {
			t.Errorf("%v accepted", w)
		}
	}
}

// TestFinishTCPRules: an implicit connect (step 0) before a ruleset
// without one, comments given to the rules that follow, expect chains.
func TestFinishTCPRules(t *testing.T) {
	var in []TCPRule
	for i, w := range [][]string{{"comment", "greet"}, {"expect", "string", "a"}, {"expect", "!", "string", "b"}, {"expect", "string", "c"}, {"send", "x"}} {
		r := rule(t, w...)
		r.Index = i
		in = append(in, r)
	}
	out := FinishTCPRules(in)
	if len(out) != 5 || !out[0].Implicit || out[0].step() != 0 {
		t.Fatalf("rules: %+v", out)
	}
	if out[1].Comment != "greet" || out[2].Comment != "greet" || out[3].Comment != "greet" || out[4].Comment != "" {
		t.Errorf("comments: %q %q %q %q", out[1].Comment, out[2].Comment, out[3].Comment, out[4].Comment)
	}
	if out[1].head != 1 || out[2].head != 2 || out[3].head != 2 {
		t.Errorf("heads: %d %d %d", out[1].head, out[2].head, out[3].head)
	}
	if got := out[1].stepText(); got != " at step 2 of tcp-check (expect string 'a') comment: 'greet'" {
		t.Errorf("step text %q", got)
	}
	if got := out[0].stepText(); got != " at initial connection step of tcp-check" {
		t.Errorf("implicit connect step text %q", got)
	}
}

// TestTCPCheckProbeLocal runs rulesets against fake servers: the texts of
// connection errors, timeouts and empty answers.
func TestTCPCheckProbeLocal(t *testing.T) {
	pong := startFake(t, &fakeServer{need: -1, reply: []byte("+PONG\r\n"), close: true})
	silent := startFake(t, &fakeServer{need: -1, close: true})
	hang := startFake(t, &fakeServer{hang: true})
	build := func(lines ...[]string) TCPCheckProbe {
		var rs []TCPRule
		for i, w := range lines {
			r := rule(t, w...)
			r.Index = i
			rs = append(rs, r)
		}
		return NewTCPCheck(rs)
	}
	ping := []string{"send", "PING\r\n"}
	cases := []struct {
		name string
		p    TCPCheckProbe
		addr string
		want Result
	}{
		{"pass", build(ping, []string{"expect", "string", "+PONG"}), pong.addr(), Result{Status: L7OK, Info: "(tcp-check)", ShowInfo: true, ShowCode: true}},
		{"refused", build(ping), loopback.DeadAddr(t), Result{Status: L4CON, Info: "Connection refused at initial connection step of tcp-check"}},
		{"connect only", build([]string{"connect"}), pong.addr(), Result{Status: L4OK, Info: "(tcp-check)", ShowInfo: true}},
		{"implicit connect only", build(), pong.addr(), Result{Status: L4OK, ShowInfo: true}},
		{"send last", build(ping), pong.addr(), Result{Status: L7OK, Info: "(tcp-check)", ShowInfo: true, ShowCode: true}},
		{"empty", build(ping, []string{"expect", "string", "x", "comment", "c"}), silent.addr(), Result{Status: L7RSP, Info: "TCPCHK got an empty response at step 2 comment: 'c'", ShowCode: true}},
		{"timeout", build([]string{"expect", "string", "x"}), hang.addr(), Result{Status: L7TOUT, Info: " at step 1 of tcp-check (expect string 'x')"}},
		{"timeout status", build([]string{"expect", "string", "x", "tout-status", "L6TOUT"}), hang.addr(), Result{Status: L6TOUT, Info: " at step 1 of tcp-check (expect string 'x')"}},
	}
	for _, c := range cases {
		got := c.p.Probe(context.Background(), c.addr, Timeouts{Connect: time.Second, Total: 200 * time.Millisecond})
		got.Duration = 0
		if got != c.want {
			t.Errorf("%s: %+v, want %+v", c.name, got, c.want)
		}
	}
}

func TestTCPConnectAddr(t *testing.T) {
	cases := []struct {
		words []string
		want  Connect
	}{
		{[]string{"connect", "addr", "127.0.0.2:99"}, Connect{Addr: "127.0.0.2", Port: 99, Clear: true}},
		{[]string{"connect", "addr", "127.0.0.2:99", "port", "100"}, Connect{Addr: "127.0.0.2", Port: 100, Clear: true}},
		{[]string{"connect", "addr", "[::1]:99"}, Connect{Addr: "::1", Port: 99, Clear: true}},
		{[]string{"connect", "port", "6379", "linger", "comment", "redis"}, Connect{Port: 6379, Clear: true, Linger: true}},
		{[]string{"connect", "port", "6379", "default"}, Connect{Port: 6379}}, // the server's check settings
		{[]string{"connect", "ssl", "sni", "a.test", "alpn", "h2,,http/1.1", "send-proxy", "via-socks4"},
			Connect{Clear: true, SSL: true, SNI: "a.test", ALPN: []string{"h2", "http/1.1"}, SendProxy: true, Socks4: true}},
	}
	for _, c := range cases {
		if got := rule(t, c.words...).Connect; !reflect.DeepEqual(got, c.want) {
			t.Errorf("%v: %+v, want %+v", c.words, got, c.want)
		}
	}
}

// FuzzProtocolAnswers feeds arbitrary answers to the protocol checks'
// judges: they must decide without panicking, whatever the server sends.
func FuzzProtocolAnswers(f *testing.F) {
	f.Add([]byte("+PONG\r\n"), true)
	f.Add(ldapBindOK, false)
	f.Add([]byte{0x30, 0x84}, true)
	f.Add(append(mysqlHandshake(), mysqlErr(2)...), true)
	f.Add([]byte{0xff, 0xff, 0xff, 0x00, 0xff}, true)
	f.Add(pgError(), false)
	my := MySQLCheck("u", true)
	probes := []TCPCheckProbe{RedisCheck(), LDAPCheck(), PgSQLCheck("u"), SMTPCheck(""), SSLHelloCheck(nil), my}
	f.Fuzz(func(t *testing.T, b []byte, last bool) {
		for _, p := range probes {
			for i := range p.Rules {
				if r := &p.Rules[i]; r.Kind == RuleExpect {
					v, _ := r.evalExpect(b, last, false, i == len(p.Rules)-1)
					if last && v == evalWait && r.Match != MatchCustom {
						t.Fatalf("rule %d waits after the last read", i)
					}
				}
			}
		}
	})
}

// FuzzPayloadFormat: any on-error/on-success text either compiles or is
// refused, and a compiled one evaluates on any answer without panicking.
func FuzzPayloadFormat(f *testing.F) {
	f.Add("%[res.payload(0,0),cut_crlf]", []byte("-ERR x\r\n"))
	f.Add("a %[res.payload(4,0),ltrim(' '),cut_crlf] b", []byte("250 ok"))
	f.Add("%[res.payload(1,3),rtrim(,)]", []byte("x"))
	f.Add("%[res.payload(1,99999999999999999999)]", []byte("x"))
	f.Add("%[res.payload(1,9223372036854775807)]", []byte("x"))
	f.Fuzz(func(t *testing.T, format string, buf []byte) {
		if fn, err := parsePayloadFormat(format); err == nil {
			fn(buf)
		}
		if fn, err := parseStatusCode(format); err == nil {
			fn(buf)
		}
	})
}
