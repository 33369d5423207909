package check

import (
	"bytes"
	"encoding/binary"
	"regexp"
	"strconv"
	"time"
)

// The protocol checks are HAProxy 2.6's preset tcp-check rulesets
// (src/tcpcheck.c, proxy_parse_*_opt): the same bytes sent, the same
// answers accepted, the same statuses and texts. Rule indexes are
// HAProxy's, so the steps they report match.

// cutCRLF is HAProxy's cut_crlf converter: the text up to the first CR or LF.
func cutCRLF(b []byte) []byte {
	if i := bytes.IndexAny(b, "\r\n"); i >= 0 {
		return b[:i]
	}
	return b
}

// payloadFrom is res.payload(off,0) as a string sample (nothing past the
// end).
func payloadFrom(b []byte, off int) []byte {
	if off > len(b) {
		return nil
	}
	return b[off:]
}

func mustRE(p string) *regexp.Regexp { return regexp.MustCompile(p) }

// RedisCheck is `option redis-check`: PING, expect +PONG.
func RedisCheck() TCPCheckProbe {
	send := TCPRule{Kind: RuleSend, Index: 0, Data: []byte("*1\r\n$4\r\nPING\r\n")}
	exp := newExpect()
	exp.Index, exp.Match, exp.Pattern = 1, MatchString, []byte("+PONG\r\n")
	exp.ErrStatus, exp.OnSuccess = L7STS, "Redis server is ok"
	exp.onErrorFn = func(b []byte) string { return cstr(cutCRLF(b)) }
	return TCPCheckProbe{Rules: FinishTCPRules([]TCPRule{send, exp})}
}

// sslv3ClientHello is ssl-hello-chk's SSLv3 CLIENT HELLO: 0x7e bytes, the
// current time at offset 11 and "HAPROXYSSLCHK\n" twice as the random.
func sslv3ClientHello(now time.Time) []byte {
	b := []byte{0x16, 0x03, 0x00, 0x00, 0x79, 0x01, 0x00, 0x00, 0x75, 0x03, 0x00}
	b = binary.BigEndian.AppendUint32(b, uint32(now.Unix()))
	b = append(b, "HAPROXYSSLCHK\nHAPROXYSSLCHK\n"...)
	b = append(b, 0x00, 0x00, 0x4e)
	for c := 0x01; c <= 0x1b; c++ {
		b = append(b, 0x00, byte(c))
	}
	for c := 0x2f; c <= 0x3a; c++ {
		b = append(b, 0x00, byte(c))
	}
	return append(b, 0x01, 0x00)
}

// SSLHelloCheck is `option ssl-hello-chk`: an SSLv3 hello; a handshake
// (0x16) or alert (0x15) record back is L6OK.
func SSLHelloCheck(now func() time.Time) TCPCheckProbe {
	if now == nil {
		now = time.Now
	}
	send := TCPRule{Kind: RuleSend, Index: 0, build: func() []byte { return sslv3ClientHello(now()) }}
	exp := newExpect()
	exp.Index, exp.Match, exp.re, exp.Pattern = 1, MatchRBinary, mustRE("^1[56]"), []byte("^1[56]")
	exp.MinRecv, exp.OKStatus, exp.ErrStatus, exp.ToutStatus = 5, L6OK, L6RSP, L6TOUT
	return TCPCheckProbe{Rules: FinishTCPRules([]TCPRule{send, exp})}
}

// smtpCode is res.payload(0,3) read as an integer (0 when not a number).
func smtpCode(b []byte) int {
	n, _ := strconv.Atoi(string(payloadFrom(b, 0)[:min(3, len(b))]))
	return n
}

// smtpText is res.payload(4,0),ltrim(' '),cut_crlf.
func smtpText(b []byte) string {
	return cstr(cutCRLF(bytes.TrimLeft(payloadFrom(b, 4), " ")))
}

// SMTPCheck is `option smtpchk [EHLO|HELO <domain>]`: expect a 2xx
// greeting, send the command, expect a 2xx answer. hello is the command
// given ("EHLO <domain>"; "": HELO localhost).
func SMTPCheck(hello string) TCPCheckProbe {
	cmd := "HELO localhost"
	if hello != "" {
		cmd = hello
	}
	conn := TCPRule{Kind: RuleConnect, Index: 0}
	greet := newExpect()
	greet.Index, greet.Match, greet.re, greet.Pattern = 1, MatchRString, mustRE("^[0-9]{3}[ \r]"), []byte("^[0-9]{3}[ \r]")
	greet.MinRecv, greet.ErrStatus = 4, L7RSP
	greet.onErrorFn = func(b []byte) string { return cstr(cutCRLF(b)) }
	ok2xx := newExpect()
	ok2xx.Index, ok2xx.Match, ok2xx.re, ok2xx.Pattern = 2, MatchRString, mustRE("^2[0-9]{2}[ \r]"), []byte("^2[0-9]{2}[ \r]")
	ok2xx.MinRecv, ok2xx.ErrStatus, ok2xx.onErrorFn, ok2xx.codeFn = 4, L7STS, smtpText, smtpCode
	send := TCPRule{Kind: RuleSend, Index: 3, Data: []byte(cmd + "\r\n")}
	reply := func(idx int) TCPRule {
		r := newExpect()
		r.Index, r.Match, r.re, r.Pattern = idx, MatchRString, mustRE("^2[0-9]{2}[- \r]"), []byte("^2[0-9]{2}[- \r]")
		r.MinRecv, r.ErrStatus, r.onErrorFn, r.onSuccessFn, r.codeFn = 4, L7STS, smtpText, smtpText, smtpCode
		return r
	}
	// 2.6.12 ends the session politely (measured: it sends QUIT and
	// judges the answer, whose text is the check's info).
	quit := TCPRule{Kind: RuleSend, Index: 5, Data: []byte("QUIT\r\n")}
	return TCPCheckProbe{Rules: FinishTCPRules([]TCPRule{conn, greet, ok2xx, send, reply(4), quit, reply(6)})}
}

// pgsqlStartup is pgsql-check's StartupMessage: length, protocol 3.0,
// "user" and the user name.
func pgsqlStartup(user string) []byte {
	b := binary.BigEndian.AppendUint32(nil, uint32(15+len(user)))
	b = append(b, 0x00, 0x03, 0x00, 0x00)
	b = append(b, "user\x00"...)
	b = append(b, user...)
	return append(b, 0x00, 0x00)
}

// PgSQLCheck is `option pgsql-check user <u>`: a StartupMessage; an
// ErrorResponse is L7RSP with its first field, an authentication request
// (ok, cleartext, md5, ...) is L7OK.
func PgSQLCheck(user string) TCPCheckProbe {
	conn := TCPRule{Kind: RuleConnect, Index: 0}
	send := TCPRule{Kind: RuleSend, Index: 1, Data: pgsqlStartup(user)}
	notErr := newExpect()
	notErr.Index, notErr.Negate, notErr.Match, notErr.re, notErr.Pattern = 2, true, MatchRString, mustRE("^E"), []byte("^E")
	notErr.MinRecv, notErr.ErrStatus = 5, L7RSP
	notErr.onErrorFn = func(b []byte) string { return cstr(payloadFrom(b, 6)) }
	auth := newExpect()
	const authRE = "^52000000(08|0A|0C)000000(00|02|03|04|05|06)"
	auth.Index, auth.Match, auth.re, auth.Pattern = 3, MatchRBinary, mustRE(authRE), []byte(authRE)
	auth.MinRecv, auth.ErrStatus, auth.OnSuccess, auth.OnError = 9, L7STS, "PostgreSQL server is ok", "PostgreSQL unknown error"
	return TCPCheckProbe{Rules: FinishTCPRules([]TCPRule{conn, send, notErr, auth})}
}

// mysqlAuth is mysql-check's client authentication packet followed by a
// COM_QUIT packet (post41: the 4.1 protocol, HAProxy's default).
func mysqlAuth(user string, post41 bool) []byte {
	var body []byte
	if post41 {
		body = append(body, 0x00, 0x82, 0x00, 0x00, 0x00, 0x80, 0x00, 0x01, 0x21)
		body = append(body, make([]byte, 23)...)
	} else {
		body = append(body, 0x00, 0x80, 0x00, 0x00, 0x01)
	}
	body = append(body, user...)
	body = append(body, 0x00, 0x00)
	n := len(body)
	b := []byte{byte(n), byte(n >> 8), byte(n >> 16), 0x01}
	b = append(b, body...)
	return append(b, 0x01, 0x00, 0x00, 0x00, 0x01)
}

// mysqlPacket is tcpcheck_mysql_expect_packet on the packet at off.
func mysqlPacket(buf []byte, off int, last, isLast bool) (verdict, Result) {
	if len(buf) < off+4 {
		if !last {
			return evalWait, Result{}
		}
		return evalStop, Result{Status: L7RSP, ShowCode: true}
	}
	plen := int(buf[off]) | int(buf[off+1])<<8 | int(buf[off+2])<<16
	if len(buf) < off+plen+4 {
		if !last {
			return evalWait, Result{}
		}
		return evalStop, Result{Status: L7RSP, ShowCode: true}
	}
	// a zero-length packet has no first byte: HAProxy reads past the
	// data there; it is not an error packet
	if len(buf) > off+4 && buf[off+4] == 0xff {
		code := 0
		if len(buf) >= off+7 {
			code = int(buf[off+5]) | int(buf[off+6])<<8
		}
		return evalStop, Result{Status: L7STS, Code: code, Info: cstr(payloadFrom(buf, off+7)), ShowCode: true}
	}
	return evalContinue, Result{}
}

// MySQLCheck is `option mysql-check [user <u> [post-41|pre-41]]`: without
// a user, the server's initial handshake must not be an error packet;
// with one, an authentication and a quit are sent (in the 4.1 protocol
// when post41) and the answer to the authentication must not be an error
// packet either.
func MySQLCheck(user string, post41 bool) TCPCheckProbe {
	conn := TCPRule{Kind: RuleConnect, Index: 0}
	rules := []TCPRule{conn}
	idx := 1
	if user != "" {
		rules = append(rules, TCPRule{Kind: RuleSend, Index: idx, Data: mysqlAuth(user, post41)})
		idx++
	}
	// the server version from the handshake is the info of a passed check
	version := func(buf []byte) string { return cstr(payloadFrom(buf, 5)) }
	hs := newExpect()
	hs.Index, hs.Match, hs.onSuccessFn = idx, MatchCustom, version
	hs.custom = func(buf []byte, last, isLast bool) (verdict, Result) { return mysqlPacket(buf, 0, last, isLast) }
	rules = append(rules, hs)
	if user != "" {
		ok := newExpect()
		ok.Index, ok.Match, ok.onSuccessFn = idx+1, MatchCustom, version
		ok.custom = func(buf []byte, last, isLast bool) (verdict, Result) {
			hslen := 4
			if len(buf) >= 3 {
				hslen += int(buf[0]) | int(buf[1])<<8 | int(buf[2])<<16
			}
			return mysqlPacket(buf, hslen, last, isLast)
		}
		rules = append(rules, ok)
	}
	return TCPCheckProbe{Rules: FinishTCPRules(rules)}
}

// ldapBindRequest is ldap-check's anonymous simple bind (message 1).
var ldapBindRequest = []byte{0x30, 0x0c, 0x02, 0x01, 0x01, 0x60, 0x07, 0x02, 0x01, 0x03, 0x04, 0x00, 0x80, 0x00}

// ldapBindResponse is tcpcheck_ldap_expect_bindrsp.
func ldapBindResponse(buf []byte, last, isLast bool) (verdict, Result) {
	notLDAP := Result{Status: L7RSP, Info: "Not LDAPv3 protocol", ShowCode: true}
	at := func(i int) byte {
		if i < len(buf) {
			return buf[i]
		}
		return 0
	}
	msglen := 0
	if at(1)&0x80 != 0 {
		msglen = int(at(1) & 0x7f)
	}
	if msglen > 2 || !bytes.Equal(sliceAt(buf, 2+msglen, 4), []byte{0x02, 0x01, 0x01, 0x61}) {
		return evalStop, notLDAP
	}
	if b := at(msglen + 6); b&0x80 != 0 {
		msglen += int(b & 0x7f)
	}
	if msglen > 4 || !bytes.Equal(sliceAt(buf, 7+msglen, 2), []byte{0x0a, 0x01}) {
		return evalStop, notLDAP
	}
	if code := int(at(msglen + 9)); code != 0 {
		return evalStop, Result{Status: L7STS, Code: code, Info: "See RFC: http://tools.ietf.org/html/rfc4511#section-4.1.9", ShowCode: true}
	}
	return evalContinue, Result{}
}

func sliceAt(b []byte, off, n int) []byte {
	if off+n > len(b) {
		return nil
	}
	return b[off : off+n]
}

// LDAPCheck is `option ldap-check`: an anonymous bind; the answer must be
// an LDAPv3 bindResponse with resultCode 0.
func LDAPCheck() TCPCheckProbe {
	send := TCPRule{Kind: RuleSend, Index: 0, Data: ldapBindRequest}
	seq := newExpect()
	seq.Index, seq.Match, seq.re, seq.Pattern = 1, MatchRBinary, mustRE("^30"), []byte("^30")
	seq.MinRecv, seq.OnError = 14, "Not LDAPv3 protocol"
	bind := newExpect()
	bind.Index, bind.Match, bind.custom, bind.OnSuccess = 2, MatchCustom, ldapBindResponse, "Success"
	return TCPCheckProbe{Rules: FinishTCPRules([]TCPRule{send, seq, bind})}
}
