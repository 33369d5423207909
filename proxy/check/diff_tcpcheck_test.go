package check

import (
	"bytes"
	"cmp"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/goha-lb/goha/internal/loopback"
	"github.com/goha-lb/goha/internal/testenv"
	"github.com/goha-lb/goha/parser/haproxy"
)

// cfgWords splits a config line as HAProxy does for these tests: words
// separated by spaces outside double quotes, quotes removed, \r \n \\
// unescaped.
func cfgWords(line string) []string {
	var out []string
	var cur strings.Builder
	inQuote, have := false, false
	for i := 0; i < len(line); i++ {
		c := line[i]
		switch {
		case c == '"':
			inQuote, have = !inQuote, true
		case c == ' ' && !inQuote:
			if have {
				out = append(out, cur.String())
			}
			cur.Reset()
			have = false
		case c == '\\' && i+1 < len(line) && strings.IndexByte("rn\\", line[i+1]) >= 0:
			cur.WriteByte(map[byte]byte{'r': '\r', 'n': '\n', '\\': '\\'}[line[i+1]])
			i++
			have = true
		default:
			cur.WriteByte(c)
			have = true
		}
	}
	if have {
		out = append(out, cur.String())
	}
	return out
}

// probeFromLines builds goha's probe for a backend's check lines, as
// proxy/haproxycfg does from the parsed configuration.
func probeFromLines(t *testing.T, lines []string) Prober {
	t.Helper()
	var rules []TCPRule
	var opt *haproxy.ProtocolCheck
	idx := 0
	for _, l := range lines {
		w := cfgWords(l)
		switch {
		case w[0] == "tcp-check":
			r, err := parseTCPCheckRule(w[1:])
			if err != nil {
				t.Fatalf("%s: %v", l, err)
			}
			r.Index = idx
			idx++
			rules = append(rules, r)
		case w[0] == "option" && w[1] != "log-health-checks":
			opt = haproxy.ParseProtocolCheck(w[1:])
		}
	}
	if opt.Invalid != "" {
		t.Fatal(opt.Invalid)
	}
	switch opt.Name {
	case "tcp-check":
		return NewTCPCheck(rules)
	case "redis-check":
		return RedisCheck()
	case "ssl-hello-chk":
		return SSLHelloCheck(nil)
	case "smtpchk":
		return SMTPCheck(opt.SMTPHello)
	case "ldap-check":
		return LDAPCheck()
	case "pgsql-check":
		return PgSQLCheck(opt.User)
	case "mysql-check":
		return MySQLCheck(opt.User, opt.MySQLPre != 40)
	}
	t.Fatalf("no probe for %v", opt)
	return nil
}

// TestDifferentialTCPChecks runs the real haproxy and goha's probes with
// the same tcp-check rulesets and protocol checks against the same fake
// servers, and compares the log-health-checks and DOWN lines (durations
// normalised) and the bytes each fake server received.
func TestDifferentialTCPChecks(t *testing.T) {
	testenv.LookPath(t, "haproxy")
	line := func(greet string, reply string, close bool) *fakeServer {
		return startFake(t, &fakeServer{greet: []byte(greet), need: -1, reply: []byte(reply), close: close})
	}
	pong := line("", "+PONG\r\n", true)
	errAnswer := line("", "-ERR nope\r\n", true)
	silent := line("", "", true)
	pongLF := line("", "+PONG\n", true)
	splitPong := startFake(t, &fakeServer{need: -1, reply: []byte("+PONG\r\n"), split: true})
	splitChain := startFake(t, &fakeServer{need: -1, reply: []byte("HELLO WORLD\r\n"), split: true})
	code503 := line("", "-503 Service down\r\nmore", true)
	master := startFake(t, &fakeServer{script: []string{"+PONG\r\n", "$26\r\n# Replication\r\nrole:master\r\n", "+OK\r\n"}})
	replica := startFake(t, &fakeServer{script: []string{"+PONG\r\n", "$25\r\n# Replication\r\nrole:slave\r\n", "+OK\r\n"}})
	hang := startFake(t, &fakeServer{hang: true})
	banner := startFake(t, &fakeServer{greet: []byte("SSH-2.0-goha\r\n"), need: 6, reply: []byte("+PONG\r\n"), close: true})
	closed := loopback.DeadAddr(t)
	_, closedPort, _ := strings.Cut(closed, ":")

	redisOK := startFake(t, &fakeServer{need: 14, reply: []byte("+PONG\r\n")})
	redisBad := startFake(t, &fakeServer{need: 14, reply: []byte("-ERR unknown command 'PING'\r\n"), close: true})
	myOK := startFake(t, &fakeServer{greet: mysqlHandshake()})
	myErr := startFake(t, &fakeServer{greet: mysqlErr(0), close: true})
	myUser := startFake(t, &fakeServer{greet: mysqlHandshake(), need: 50, reply: mysqlOK})
	myPre41 := startFake(t, &fakeServer{greet: mysqlHandshake(), need: 23, reply: mysqlOK})
	myUserBad := startFake(t, &fakeServer{greet: mysqlHandshake(), need: 50, reply: mysqlErr(2)})
	pgOK := startFake(t, &fakeServer{need: 22, reply: pgAuthOK})
	pgMD5 := startFake(t, &fakeServer{need: 22, reply: pgAuthMD5})
	pgErr := startFake(t, &fakeServer{need: 22, reply: pgError(), close: true})
	smtpOK := startFake(t, &fakeServer{greet: []byte("220 mail.test ESMTP\r\n"), script: []string{"250 mail.test Hello\r\n", "221 2.0.0 Bye\r\n"}})
	smtpMulti := startFake(t, &fakeServer{greet: []byte("220 mail.test ESMTP\r\n"), script: []string{"250-mail.test\r\n250 SIZE 1000\r\n", "221 2.0.0 Bye\r\n"}})
	smtpQuitBad := startFake(t, &fakeServer{greet: []byte("220 mail.test ESMTP\r\n"), script: []string{"250 mail.test\r\n", "500 what\r\n"}})
	smtpBad := startFake(t, &fakeServer{greet: []byte("554 5.3.2 No service\r\n"), close: true})
	smtpDeny := startFake(t, &fakeServer{greet: []byte("220 mail.test ESMTP\r\n"), need: -1, reply: []byte("550 5.7.1 Go away\r\n"), close: true})
	ldapOK := startFake(t, &fakeServer{need: 14, reply: ldapBindOK})
	ldapBad := startFake(t, &fakeServer{need: 14, reply: ldapBindBad})
	ldapJunk := startFake(t, &fakeServer{need: 14, reply: []byte("HTTP/1.0 400 Bad Request\r\n\r\n"), close: true})
	sslOK := startFake(t, &fakeServer{tls: selfSignedTLS(t)})
	sslBad := startFake(t, &fakeServer{need: 10, reply: []byte("HTTP/1.0 400 Bad Request\r\n\r\n"), close: true})

	redisDoc := []string{"option tcp-check", "tcp-check connect", `tcp-check send "PING\r\n"`, "tcp-check expect string +PONG",
		`tcp-check send "info replication\r\n"`, "tcp-check expect string role:master", `tcp-check send "QUIT\r\n"`, "tcp-check expect string +OK"}
	tc := []string{"option tcp-check", `tcp-check send "PING\r\n"`, "tcp-check expect string +PONG"}
	scenarios := []tcpScenario{
		{name: "tcpok", lines: tc, srv: pong},
		{name: "tcpnomatch", lines: tc, srv: errAnswer},
		{name: "tcpempty", lines: tc, srv: silent},
		{name: "tcpplain", lines: []string{"option tcp-check"}, addr: closed},
		{name: "tcpconnport", lines: []string{"option tcp-check", "tcp-check connect port " + closedPort, "tcp-check send x"}, srv: pong},
		{name: "tcpconnaddr", lines: []string{"option tcp-check", "tcp-check connect addr " + pong.addr(), `tcp-check send "PING\r\n"`,
			"tcp-check expect string +PONG"}, addr: closed},
		{name: "tcpdollar", lines: []string{"option tcp-check", `tcp-check send "PING\r\n"`, `tcp-check expect rstring ^.PONG$`}, srv: pongLF},
		// the redis master example of HAProxy's documentation
		{name: "redismaster", lines: redisDoc, srv: master},
		{name: "redisreplica", lines: redisDoc, srv: replica},
		{name: "tcplfok", lines: []string{"option tcp-check", "tcp-check send-binary-lf 50494e470d0a", "tcp-check expect binary-lf 2b504f4e47"}, srv: pong},
		{name: "tcplfbad", lines: []string{"option tcp-check", `tcp-check send-lf "PING\r\n"`, "tcp-check expect string-lf +PONG"}, srv: errAnswer},
		{name: "tcplftout", lines: []string{"option tcp-check", "tcp-check expect string-lf hello", "timeout check 200"}, srv: hang,
			to: CheckTimeouts(300*time.Millisecond, time.Second, 200*time.Millisecond)},
		{name: "tcpsplit", lines: tc, srv: splitPong},
		{name: "tcpchain", lines: []string{"option tcp-check", `tcp-check send "PING\r\n"`, "tcp-check expect ! string ERR",
			"tcp-check expect string WORLD"}, srv: splitChain},
		{name: "tcpminrecv", lines: []string{"option tcp-check", `tcp-check send "PING\r\n"`, "tcp-check expect min-recv 3 string WORLD"}, srv: splitChain},
		{name: "tcpfmterr", lines: []string{"option tcp-check", `tcp-check send "PING\r\n"`,
			`tcp-check expect string +PONG error-status L7STS on-error "got %[res.payload(0,0),cut_crlf] [%[res.payload(40,2)]]" status-code res.payload(1,3)`}, srv: code503},
		{name: "tcpfmtok", lines: []string{"option tcp-check", `tcp-check send "PING\r\n"`,
			`tcp-check expect string +PONG on-success "%[res.payload(0,0),cut_crlf,ltrim('+'),lower] fine" status-code res.payload(1,2)`}, srv: pong},
		{name: "tcpbanner", lines: []string{"option tcp-check", "tcp-check comment banner", `tcp-check expect rstring ^SSH-2\.0`,
			"tcp-check send-binary 50494e470d0a", "tcp-check expect binary 2b504f4e47"}, srv: banner},
		{name: "tcpnegate", lines: []string{"option tcp-check", `tcp-check send "PING\r\n"`, "tcp-check expect ! string ERR comment nope"}, srv: errAnswer},
		{name: "tcponsuccess", lines: []string{"option tcp-check", `tcp-check send "PING\r\n"`, "tcp-check expect string +PONG on-success all-good"}, srv: pong},
		{name: "tcponerror", lines: []string{"option tcp-check", `tcp-check send "PING\r\n"`, "tcp-check expect string +PONG error-status L7STS on-error bad-answer"}, srv: errAnswer},
		{name: "tcptimeout", lines: []string{"option tcp-check", "tcp-check expect string hello", "timeout check 200"}, srv: hang,
			to: CheckTimeouts(300*time.Millisecond, time.Second, 200*time.Millisecond)},
		{name: "redisok", lines: []string{"option redis-check"}, srv: redisOK},
		{name: "redisbad", lines: []string{"option redis-check"}, srv: redisBad},
		{name: "mysqlok", lines: []string{"option mysql-check"}, srv: myOK},
		{name: "mysqlerr", lines: []string{"option mysql-check"}, srv: myErr},
		{name: "mysqluser", lines: []string{"option mysql-check user haproxy"}, srv: myUser},
		{name: "mysqlpre41", lines: []string{"option mysql-check user haproxy pre-41"}, srv: myPre41},
		{name: "mysqluserbad", lines: []string{"option mysql-check user haproxy post-41"}, srv: myUserBad},
		{name: "pgok", lines: []string{"option pgsql-check user haproxy"}, srv: pgOK},
		{name: "pgmd5", lines: []string{"option pgsql-check user haproxy"}, srv: pgMD5},
		{name: "pgerr", lines: []string{"option pgsql-check user haproxy"}, srv: pgErr},
		{name: "smtpok", lines: []string{"option smtpchk"}, srv: smtpOK},
		{name: "smtpmulti", lines: []string{"option smtpchk EHLO goha.test"}, srv: smtpMulti},
		{name: "smtpquitbad", lines: []string{"option smtpchk"}, srv: smtpQuitBad},
		{name: "smtpbad", lines: []string{"option smtpchk"}, srv: smtpBad},
		{name: "smtpehlo", lines: []string{"option smtpchk EHLO goha.test"}, srv: smtpDeny},
		{name: "ldapok", lines: []string{"option ldap-check"}, srv: ldapOK},
		{name: "ldapbad", lines: []string{"option ldap-check"}, srv: ldapBad},
		{name: "ldapjunk", lines: []string{"option ldap-check"}, srv: ldapJunk},
		{name: "sslok", lines: []string{"option ssl-hello-chk"}, srv: sslOK},
		{name: "sslbad", lines: []string{"option ssl-hello-chk"}, srv: sslBad},
	}
	compareTCPChecks(t, scenarios)
}

// tcpScenario is one backend of compareTCPChecks: its check lines and the
// fake server (or dead address) it checks.
type tcpScenario struct {
	name  string
	lines []string
	srv   *fakeServer
	addr  string // when srv is nil
	to    Timeouts
}

// compareTCPChecks runs the scenarios' backends under the real haproxy,
// then under goha's runner, and compares the check log lines (durations
// normalised) and the bytes each fake server received first.
func compareTCPChecks(t *testing.T, scenarios []tcpScenario) {
	t.Helper()
	compareTCPChecksGlobal(t, "", 0, scenarios)
}

// compareTCPChecksGlobal is compareTCPChecks with lines added to
// HAProxy's global section and goha's probes' variable limit.
func compareTCPChecksGlobal(t *testing.T, global string, varLimit int64, scenarios []tcpScenario) {
	t.Helper()
	var cfg strings.Builder
	fmt.Fprintf(&cfg, "global\n    log stdout format raw local0\n%sdefaults\n    mode tcp\n    log global\n    timeout connect 1s\n    timeout client 5s\n    timeout server 5s\n", global)
	var targets []*Target
	for _, sc := range scenarios {
		addr := sc.addr
		if sc.srv != nil {
			addr = sc.srv.addr()
		}
		fmt.Fprintf(&cfg, "backend %s\n    option log-health-checks\n", sc.name)
		for _, l := range sc.lines {
			fmt.Fprintf(&cfg, "    %s\n", l)
		}
		fmt.Fprintf(&cfg, "    server s1 %s check inter 300\n", addr)
		pr := probeFromLines(t, sc.lines)
		if p, ok := pr.(TCPCheckProbe); ok {
			p.VarLimit = varLimit
			pr = p
		}
		targets = append(targets, &Target{Backend: sc.name, Server: "s1", Addr: addr,
			Rise: 2, Fall: 3, Intervals: sameIntervals(300 * time.Millisecond), Prober: pr, LogHealthChecks: true,
			Timeouts: cmp.Or(sc.to, CheckTimeouts(300*time.Millisecond, 0, 0))})
	}
	front := loopback.FreeAddr(t)
	fmt.Fprintf(&cfg, "frontend fe\n    bind %s\n    default_backend %s\n", front, scenarios[0].name)

	const window = 1500 * time.Millisecond
	want := runHAProxyLines(t, cfg.String(), window)
	wantBytes := map[string][]byte{}
	for _, sc := range scenarios {
		if sc.srv != nil {
			if g := sc.srv.received(); len(g) > 0 {
				wantBytes[sc.name] = g[0]
			}
		}
	}

	got := runGohaLines(t, targets, window)

	w, g := normCheckLines(want), normCheckLines(got)
	if strings.Join(w, "\n") != strings.Join(g, "\n") {
		t.Errorf("check lines differ\nhaproxy:\n%s\n\ngoha:\n%s", strings.Join(w, "\n"), strings.Join(g, "\n"))
	}
	for _, sc := range scenarios {
		if sc.srv == nil {
			continue
		}
		gs := sc.srv.received()
		var gb []byte
		if len(gs) > 0 {
			gb = gs[0]
		}
		wb := wantBytes[sc.name]
		if strings.HasPrefix(sc.name, "ssl") && len(wb) > 15 && len(gb) > 15 {
			// the hello carries the current time at offset 11
			wb, gb = bytes.Clone(wb), bytes.Clone(gb)
			copy(wb[11:15], "TIME")
			copy(gb[11:15], "TIME")
		}
		if !bytes.Equal(wb, gb) {
			t.Errorf("%s: server received\nhaproxy %q\ngoha    %q", sc.name, wb, gb)
		}
	}
}
