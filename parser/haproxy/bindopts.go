package haproxy

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// bindCheck checks option o's value v as HAProxy 2.6's parser for that
// bind option does: the parser's message ("" = accepted), and whether that
// message is only a warning. A message HAProxy ends with a newline keeps
// it.
type bindCheck func(s *state, p Pos, o, v string) (msg string, warn bool)

// bindOptionRow is one row of the bind option table, HAProxy's bind_kws:
// the option, whether it takes a value, and the check of that value (nil:
// any value). The option list comes from configuration.txt
// (bindKeywordNames, keywords_gen.go); an option without a row is a flag
// HAProxy accepts without checking.
type bindOptionRow struct {
	Name  string
	Value bool
	Check bindCheck
}

var bindOptionTable = []bindOptionRow{
	{"accept-netscaler-cip", true, bindCheckNumber},
	{"alpn", true, bindCheckALPN},
	{"backlog", true, bindCheckNumber},
	{"ca-file", true, bindCheckCAFile},
	{"ca-ignore-err", true, bindCheckIgnoreErr},
	{"ca-sign-file", true, nil},
	{"ca-sign-pass", true, nil},
	{"ca-verify-file", true, bindCheckCAFile},
	{"ciphers", true, bindCheckNonEmpty},
	{"ciphersuites", true, bindCheckNonEmpty},
	{"crl-file", true, bindCheckCAFile},
	{"crt", true, bindCheckCrt},
	{"crt-ignore-err", true, bindCheckIgnoreErr},
	{"crt-list", true, bindCheckCrtList},
	{"curves", true, bindCheckNonEmpty},
	{"ecdhe", true, bindCheckNonEmpty},
	{"expose-fd", true, bindCheckExposeFD},
	{"gid", true, bindCheckNumber},
	{"group", true, bindCheckAccount},
	{"id", true, bindCheckID},
	{"interface", true, bindCheckInterface},
	{"level", true, bindCheckLevel},
	{"maxconn", true, bindCheckNumber},
	{"mode", true, bindCheckMode},
	{"mss", true, bindCheckMSS},
	{"name", true, bindCheckName},
	{"namespace", true, bindCheckNamespace},
	{"nice", true, bindCheckNumber},
	{"npn", true, bindCheckNonEmpty},
	{"process", true, bindCheckProcess},
	{"proto", true, nil},
	{"quic-cc-algo", true, nil},
	{"severity-output", true, bindCheckSeverityOutput},
	{"shards", true, bindCheckNumber},
	{"ssl-max-ver", true, bindCheckSSLVersion},
	{"ssl-min-ver", true, bindCheckSSLVersion},
	{"tcp-ut", true, bindCheckTCPUserTimeout},
	{"thread", true, bindCheckThread},
	{"tls-ticket-keys", true, bindCheckTicketKeys},
	{"uid", true, bindCheckNumber},
	{"user", true, bindCheckAccount},
	{"verify", true, bindCheckVerify},
}

// bindOptionRows indexes bindOptionTable by option.
var bindOptionRows = func() map[string]bindOptionRow {
	m := make(map[string]bindOptionRow, len(bindOptionTable))
	for _, r := range bindOptionTable {
		m[r.Name] = r
	}
	return m
}()

// bindWithArg are the bind options that take a value.
var bindWithArg = func() map[string]bool {
	m := map[string]bool{}
	for _, r := range bindOptionTable {
		if r.Value {
			m[r.Name] = true
		}
	}
	return m
}()

// bindOption checks one bind option and its value; "bind" lines and
// "stats socket" (which takes every bind option) share it. v is the word
// after the option ("" when the line ends), meaningful only for options in
// bindWithArg.
func (s *state) bindOption(p Pos, o, v string) (msg string, warn bool) {
	if r := bindOptionRows[o]; r.Check != nil {
		return r.Check(s, p, o, v)
	}
	return "", false
}

// bindCheckAccount is user and group (names only).
func bindCheckAccount(s *state, p Pos, o, v string) (msg string, warn bool) {
	what := map[string]string{"user": "user name", "group": "group name"}[o]
	switch {
	case v == "":
		return fmt.Sprintf("'%s' : missing %s", o, what), false
	case !s.namedAccount(o, v):
		return fmt.Sprintf("'%s' : unknown %s '%s'", o, what, v), false
	}
	return "", false
}

// bindCheckNumber is the numeric options: uid, gid, backlog, shards,
// accept-netscaler-cip, maxconn and nice.
func bindCheckNumber(s *state, p Pos, o, v string) (msg string, warn bool) {
	n, _, _ := leadingInt(v) // atol(), as most of these parsers read numbers
	switch {
	case v == "":
		return fmt.Sprintf("'%s' : missing value", o), false
	case o == "backlog" && n < 0:
		return fmt.Sprintf("'backlog' : invalid value %d, must be > 0", n), false
	case o == "shards" && v != "by-thread" && (n < 1 || n > 64):
		return fmt.Sprintf("'shards' : invalid value %d, allowed range is 1..64 or 'by-thread'", n), false
	case o == "accept-netscaler-cip" && n == 0: // read unsigned: -5 passes
		return fmt.Sprintf("'accept-netscaler-cip' : invalid value %d, must be >= 0", n), false
	case o == "maxconn" && n < 0:
		return fmt.Sprintf("'maxconn' : invalid value %d, must be >= 0", n), false
	case o == "nice" && (n < -1024 || n > 1024):
		return fmt.Sprintf("'nice' : invalid value %d, allowed range is -1024..1024", n), false
	}
	return "", false
}

func bindCheckMode(s *state, p Pos, o, v string) (msg string, warn bool) {
	if _, err := strconv.ParseUint(v, 8, 32); err != nil {
		return fmt.Sprintf("'mode' : missing or invalid mode '%s' (octal integer expected)", v), false
	}
	return "", false
}

func bindCheckLevel(s *state, p Pos, o, v string) (msg string, warn bool) {
	switch v {
	case "":
		return "'level' : missing level", false
	case "user", "operator", "admin":
	default:
		return fmt.Sprintf("'level' only supports 'user', 'operator', and 'admin' (got '%s')", v), false
	}
	return "", false
}

func bindCheckSeverityOutput(s *state, p Pos, o, v string) (msg string, warn bool) {
	switch v {
	case "":
		return "'severity-output' : missing severity format", false
	case "none", "number", "string":
	default:
		return fmt.Sprintf("'severity-output' only supports 'none', 'number', and 'string' (got '%s')", v), false
	}
	return "", false
}

func bindCheckExposeFD(s *state, p Pos, o, v string) (msg string, warn bool) {
	switch v {
	case "":
		return "'expose-fd' : missing fd type", false
	case "listeners":
	default:
		return fmt.Sprintf("'expose-fd' only supports 'listeners' (got '%s')", v), false
	}
	return "", false
}

func bindCheckName(s *state, p Pos, o, v string) (msg string, warn bool) {
	if v == "" {
		return "'name' : missing name", false
	}
	return "", false
}

func bindCheckID(s *state, p Pos, o, v string) (msg string, warn bool) {
	n, end, ok := leadingInt(v)
	switch {
	case v == "":
		return "'id' : expects an integer argument", false
	case !ok || end != len(v):
		return fmt.Sprintf("'id' : expects an integer argument, found '%s'", v), false
	case n <= 0:
		return "'id' : custom id has to be > 0", false
	}
	return "", false
}

func bindCheckMSS(s *state, p Pos, o, v string) (msg string, warn bool) {
	n, _, _ := leadingInt(v) // atol(), as most of these parsers read numbers
	if n == 0 || n < -65535 || n > 65535 {
		return "'mss' : expects an MSS with and absolute value between 1 and 65535", false
	}
	return "", false
}

func bindCheckInterface(s *state, p Pos, o, v string) (msg string, warn bool) {
	if v == "" {
		return "'interface' : missing interface name", false
	}
	return "", false
}

func bindCheckALPN(s *state, p Pos, o, v string) (msg string, warn bool) {
	if v == "" {
		return "'alpn' : missing the comma-delimited ALPN protocol suite", false
	}
	return "", false
}

func bindCheckTCPUserTimeout(s *state, p Pos, o, v string) (msg string, warn bool) {
	return tcpUserTimeoutError(v), false
}

// tcpUserTimeoutError is HAProxy's message for a bad `tcp-ut` value of a
// bind or server line ("" = fine); a server line's ends with a period.
func tcpUserTimeoutError(v string) string {
	if v == "" {
		return "'tcp-ut' : missing TCP User Timeout value"
	}
	if _, _, err := ParseTime(v); errors.Is(err, errTimeOverflow) {
		return fmt.Sprintf("timer overflow in argument '%s' to 'tcp-ut' (maximum value is 2147483647 ms or ~24.8 days)", v)
	} else if err != nil {
		return "'tcp-ut' : expects a positive delay in milliseconds"
	}
	return ""
}

func bindCheckProcess(s *state, p Pos, o, v string) (msg string, warn bool) {
	// "P/T" (process/thread, from multi-process days) is still read.
	procs, thr, slash := strings.Cut(v, "/")
	if m := numberRange(procs, 1); m != "" {
		return "'process' : " + m, false
	}
	if slash {
		return fmt.Sprintf("'process %s' on 'bind' lines is deprecated and will be removed in 2.7. Please use 'thread %s' instead.", v, thr), true
	}
	return fmt.Sprintf("'process %s' on 'bind' lines is deprecated and will be removed in 2.7.", v), true
}

func bindCheckThread(s *state, p Pos, o, v string) (msg string, warn bool) {
	if m := threadSet(v); m != "" {
		return m, false
	}
	return "", false
}

// bindCheckSSLVersion is ssl-min-ver and ssl-max-ver.
func bindCheckSSLVersion(s *state, p Pos, o, v string) (msg string, warn bool) {
	switch v {
	case "":
		return fmt.Sprintf("'%s' : missing the ssl/tls version", o), false
	case "SSLv3", "TLSv1.0", "TLSv1.1", "TLSv1.2", "TLSv1.3":
	default:
		return fmt.Sprintf("'%s' : unknown ssl/tls version", v), false
	}
	return "", false
}

func bindCheckVerify(s *state, p Pos, o, v string) (msg string, warn bool) {
	switch v {
	case "":
		return "'verify' : missing verify method", false
	case "none", "optional", "required":
	default:
		return fmt.Sprintf("'verify' : unknown verify method '%s', only 'none', 'optional', and 'required' are supported\n", v), false
	}
	return "", false
}

// bindCheckNonEmpty is the options whose parser only wants a value:
// ciphers, ciphersuites, curves, npn, ecdhe, namespace.
func bindCheckNonEmpty(s *state, p Pos, o, v string) (msg string, warn bool) {
	if v == "" {
		what := map[string]string{"ciphers": "cipher suite", "ciphersuites": "cipher suite", "curves": "curve suite",
			"npn": "the comma-delimited NPN protocol suite", "ecdhe": "named curve", "namespace": "namespace id"}[o]
		return fmt.Sprintf("'%s' : missing %s", o, what), false
	}
	return "", false
}

// bindCheckNamespace opens the named network namespace as HAProxy does
// while it reads the line (ip netns's /var/run/netns/<name>).
func bindCheckNamespace(s *state, p Pos, o, v string) (msg string, warn bool) {
	if v == "" {
		return bindCheckNonEmpty(s, p, o, v)
	}
	if !s.lookups.readable("/var/run/netns/" + v) {
		s.d.Raw(Alert, p.File, p.Line, fmt.Sprintf("config : Cannot open namespace '%s'.", v))
		return "error encountered while processing 'namespace'.", false
	}
	return "", false
}

// bindCheckCAFile is ca-file and crl-file.
func bindCheckCAFile(s *state, p Pos, o, v string) (msg string, warn bool) {
	v = s.underBase("ca-base", v)
	if !s.lookups.readable(v) {
		// HAProxy's certificate store loader speaks first, without a
		// position, and calls every such file a ca-file.
		s.d.Raw(Alert, p.File, p.Line, fmt.Sprintf("config : Couldn't open the ca-file '%s' (No such file or directory).", v))
		return fmt.Sprintf("'%s' : unable to load %s", o, v), false
	}
	return "", false
}

func bindCheckCrt(s *state, p Pos, o, v string) (msg string, warn bool) {
	v = s.underBase("crt-base", v)
	if !s.lookups.readable(v) {
		return fmt.Sprintf("unable to stat SSL certificate from file '%s' : No such file or directory.\n", v), false
	}
	if data, ok := s.lookups.readFile(v); ok {
		if msg := certFileProblem(v, s.cfg.Global.TLS.keyPath(v), data, s.lookups.readFile); msg != "" {
			return msg, false
		}
		if msg := weakKeyProblem(v, data); msg != "" {
			return msg, false
		}
	}
	return "", false
}

func bindCheckCrtList(s *state, p Pos, o, v string) (msg string, warn bool) {
	if !s.lookups.readable(v) {
		return fmt.Sprintf("'crt-list' : cannot open file '%s' : No such file or directory", v), false
	}
	return "", false
}

// namedAccount: bind's user/group take names only (getpwnam/getgrnam), not
// the numeric ids global uid/gid accept.
func (s *state) namedAccount(kind, name string) bool {
	if allDigits(name) {
		return false
	}
	if kind == "user" {
		return s.lookups.user(name)
	}
	return s.lookups.group(name)
}

// numberRange checks "all", "odd", "even", "N" or "N-M" against 1..max as
// HAProxy's process/thread number parser does; "" when valid.
func numberRange(v string, max int) string {
	if v == "all" || v == "odd" || v == "even" {
		return ""
	}
	dash := -1
	for i := 0; i < len(v); i++ {
		if v[i] == '-' && dash < 0 {
			dash = i
		} else if !isDigit(v[i]) {
			return fmt.Sprintf("'%s' is not a valid number/range.", v)
		}
	}
	lo, _, _ := leadingInt(v)
	hi := lo
	if dash >= 0 {
		hi = max
		if dash+1 < len(v) {
			hi, _, _ = leadingInt(v[dash+1:])
		}
	}
	if hi < lo {
		lo, hi = hi, lo
	}
	if lo < 1 || hi > max {
		return fmt.Sprintf("'%s' is not a valid number/range. It supports numbers from 1 to %d.\n", v, max)
	}
	return ""
}

// threadSet checks a bind "thread" value: [group/]threads, one thread group
// of 64 threads in this build, as HAProxy 2.6 reads it; "" when valid.
func threadSet(v string) string {
	part := v
	if g, t, ok := strings.Cut(v, "/"); ok {
		if m := numberRange(g, 1); m != "" {
			gn, _, _ := leadingInt(g)
			return fmt.Sprintf("'%s' thread-group number must be between 1 and 1 (was %d)", v, gn)
		}
		part = t
	}
	if m := numberRange(part, 64); m != "" {
		return fmt.Sprintf("'%s' : %s", v, m)
	}
	return ""
}

// underBase applies global crt-base / ca-base to a relative file name, as
// HAProxy does for crt and ca-file/crl-file (not for crt-list).
func (s *state) underBase(kw, name string) string {
	if strings.HasPrefix(name, "/") || s.cfg == nil {
		return name
	}
	base := ""
	for _, st := range s.cfg.Global.Raw {
		if st.Args[0] == kw && len(st.Args) > 1 {
			base = st.Args[1]
		}
	}
	if base == "" {
		return name
	}
	return base + "/" + name
}

// statsSocket parses global "stats socket <address> [bind options]".
func (s *state) statsSocket(p Pos, w []string) {
	g := &s.cfg.Global
	arg := func(i int) string {
		if i < len(w) {
			return w[i]
		}
		return ""
	}
	ss := StatsSocket{Pos: p}
	if arg(2) == "" {
		s.alert(p, "'stats socket' in global section expects an address or a path to a UNIX socket")
		return
	}
	a, err := listenAddress(arg(2), s.env)
	if err != nil {
		// HAProxy 2.6 repeats the position here and ends with a newline.
		s.alert(p, "parsing [%s:%d] : 'stats socket' : %s\n", p.File, p.Line, err)
		return
	}
	ss.Addr = a
	// Every bind option is accepted here, with its value, and
	// checked by the same parsers as on bind lines.
	for i := 3; i < len(w); i++ {
		o := w[i]
		if !bindKeywordSet[o] {
			if sug := suggest(o, bindKeywordNames); sug != "" {
				s.alert(p, "'stats socket' : unknown keyword '%s'. Did you mean '%s' maybe ?", o, sug)
			} else {
				s.alert(p, "'stats socket' : unknown keyword '%s'.", o)
			}
			return
		}
		v := ""
		if bindWithArg[o] {
			v = arg(i + 1)
		}
		if msg, warn := s.bindOption(p, o, v); warn {
			s.warn(p, "'stats socket' : %s", msg)
		} else if msg != "" {
			s.alert(p, "'stats socket' : '%s'", msg)
			return
		}
		switch o {
		case "level":
			ss.Level = v
		case "mode":
			ss.Mode = v
		case "expose-fd":
			ss.ExposeFD = v
		default:
			ss.Options = append(ss.Options, o)
			if bindWithArg[o] {
				if ss.Values == nil {
					ss.Values = map[string]string{}
				}
				ss.Values[o] = v
			}
		}
		if bindWithArg[o] {
			i++
		}
	}
	g.StatsSockets = append(g.StatsSockets, ss)
}

// bindCheckTicketKeys loads a tls-ticket-keys file as HAProxy does when it
// reads the line (with or without ssl on it).
func bindCheckTicketKeys(s *state, p Pos, o, v string) (msg string, warn bool) {
	if v == "" {
		return fmt.Sprintf("'%s' : missing TLS ticket keys file path", o), false
	}
	if !s.lookups.readable(v) {
		return fmt.Sprintf("'%s' : unable to load ssl tickets keys file", v), false
	}
	data, ok := s.lookups.readFile(v)
	if !ok {
		return "", false // a check without file access (CheckBytes); the build loads it
	}
	keys, m := ParseTicketKeys(data)
	if m != "" {
		return fmt.Sprintf("'%s' : %s", v, m), false
	}
	if s.cfg.TicketKeys == nil {
		s.cfg.TicketKeys = map[string][][]byte{}
	}
	s.cfg.TicketKeys[v] = keys
	return "", false
}

func bindCheckIgnoreErr(s *state, p Pos, o, v string) (msg string, warn bool) {
	_, _, msg = ParseIgnoreErr(o, v)
	return msg, false
}

// MaxVerifyError is the highest OpenSSL verify error code ca-ignore-err
// and crt-ignore-err take in Debian's HAProxy 2.6.12
// (SSL_MAX_VFY_ERROR_CODE, OpenSSL 3.0's last X509_V_ERR).
const MaxVerifyError = 94

// ParseIgnoreErr reads a ca-ignore-err or crt-ignore-err value as HAProxy
// 2.6 does: "all", or a comma list of OpenSSL verify error codes
// 1..MaxVerifyError, each read as C's atoi reads it ("9x" is 9, "" is 0).
// msg is HAProxy's refusal ("" when accepted).
func ParseIgnoreErr(o, v string) (codes []int, all bool, msg string) {
	if v == "" {
		return nil, false, fmt.Sprintf("'%s' : missing error IDs list", o)
	}
	if v == "all" {
		return nil, true, ""
	}
	for _, p := range strings.Split(v, ",") {
		code := cAtoi(p)
		if code <= 0 || code > MaxVerifyError {
			return nil, false, fmt.Sprintf("'%s' : ID '%d' out of range (1..%d) in error IDs list '%s'", o, code, MaxVerifyError, v)
		}
		codes = append(codes, int(code))
	}
	return codes, false, ""
}

// cAtoi is glibc's atoi: strtol (saturating at the 64-bit limits) cut to
// a 32-bit int.
func cAtoi(v string) int32 {
	v = strings.TrimLeft(v, " \t\n\v\f\r")
	neg := false
	if v != "" && (v[0] == '+' || v[0] == '-') {
		neg, v = v[0] == '-', v[1:]
	}
	var n uint64
	for i := 0; i < len(v) && v[i] >= '0' && v[i] <= '9'; i++ {
		if n = n*10 + uint64(v[i]-'0'); n > 1<<63 {
			n = 1 << 63
		}
	}
	if neg {
		return int32(-int64(n))
	}
	if n > 1<<63-1 {
		n = 1<<63 - 1
	}
	return int32(int64(n))
}
