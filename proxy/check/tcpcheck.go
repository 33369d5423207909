package check

import (
	"bytes"
	"encoding/hex"
	"errors"
	"fmt"
	"regexp"
	"strings"

	"github.com/goha-lb/goha/parser/haproxy"
)

// RuleKind is the action of one tcp-check rule.
type RuleKind int

const (
	RuleConnect RuleKind = iota
	RuleSend
	RuleExpect
	RuleSetVar // set-var, set-var-fmt, unset-var (checkvars.go)
	// ruleComment is a `tcp-check comment` line before FinishTCPRules
	// hands its text to the rules that follow.
	ruleComment RuleKind = -1
)

// MatchKind is what a tcp-check expect rule tests.
type MatchKind int

const (
	MatchString  MatchKind = iota // string <text>: contained in the data read
	MatchRString                  // rstring <regex> on the data read
	MatchBinary                   // binary <hex>: contained in the data read
	MatchRBinary                  // rbinary <regex> on the upper-case hex dump of the data read
	MatchCustom                   // a protocol check's own parser (mysql, ldap)
)

// statusUnset marks an ok/error/timeout status a rule leaves to HAProxy's
// default.
const statusUnset Status = -1

// verdict is the outcome of evaluating one expect rule on the data read.
type verdict int

const (
	evalContinue verdict = iota // matched: next rule
	evalWait                    // needs more data
	evalStop                    // the check ends with Result
)

// TCPRule is one rule of a tcp-check ruleset (HAProxy's struct
// tcpcheck_rule): a connect, a send or an expect.
type TCPRule struct {
	Kind    RuleKind
	Index   int // HAProxy's rule index (comments counted); the step shown is Index+1
	Comment string

	// connect
	Connect  Connect
	Implicit bool      // the connect HAProxy adds before a ruleset without one (step 0)
	portExpr checkExpr // `port <expr>` (connectPort)

	// send
	Data    []byte
	build   func() []byte // data made at send time (ssl-hello-chk's clock)
	dataFmt checkFormat   // send-lf, send-binary-lf with %[...]: built at send time
	binFmt  bool          // dataFmt (or patFmt) builds hex digits

	// set-var, set-var-fmt, unset-var
	varAct varAction

	// expect
	Match      MatchKind
	Negate     bool
	Pattern    []byte      // string/binary data, or the regex source
	MinRecv    int         // -1: unset
	OKStatus   Status      // statusUnset: L7OK
	ErrStatus  Status      // statusUnset: L7RSP
	ToutStatus Status      // statusUnset: L7TOUT
	OnSuccess  string      // literal `on-success` text
	OnError    string      // literal `on-error` text
	logFormat  bool        // string-lf/binary-lf: HAProxy words its failures differently
	patFmt     checkFormat // string-lf/binary-lf with %[...]: the pattern built at each evaluation
	re         *regexp.Regexp
	head       int // index in the ruleset of the first rule of its expect chain (HAProxy's expect.head)
	// protocol checks: HAProxy's sample expressions on the response,
	// evaluated on the data read
	onErrorFn   func(buf []byte) string
	onSuccessFn func(buf []byte) string
	codeFn      func(buf []byte) int
	// the same with check variables (checkvars.go withEnv)
	onErrorVar, onSuccessVar checkFormat
	codeVar                  checkExpr
	custom                   func(buf []byte, last, isLast bool) (verdict, Result)
}

func newExpect() TCPRule {
	return TCPRule{Kind: RuleExpect, MinRecv: -1, OKStatus: statusUnset, ErrStatus: statusUnset, ToutStatus: statusUnset}
}

// parseHex reads HAProxy's hex strings (send-binary, expect binary).
func parseHex(s string) ([]byte, error) {
	if len(s)%2 != 0 {
		return nil, fmt.Errorf("'%s' invalid binary string (odd number of digits)", s)
	}
	b, err := hex.DecodeString(s)
	if err != nil {
		return nil, fmt.Errorf("'%s' invalid binary string", s)
	}
	return b, nil
}

// compileRE compiles an rstring/rbinary pattern with Go's RE2. HAProxy uses
// PCRE: a pattern RE2 refuses (look-arounds, back-references, \Z, ...) is
// an error, so the caller reports the rule instead of matching
// differently. PCRE's `$` also matches before a final newline where RE2's
// does not: a final `$` becomes `(?:\n?\z)`, one anywhere else is refused.
func compileRE(p string) (*regexp.Regexp, error) {
	src, err := pcreDollar(p)
	if err != nil {
		return nil, fmt.Errorf("regex '%s' not supported by goha's RE2 engine: %v", p, err)
	}
	re, err := regexp.Compile(src)
	if err != nil {
		return nil, fmt.Errorf("regex '%s' not supported by goha's RE2 engine: %v", p, err)
	}
	return re, nil
}

// pcreDollar rewrites a trailing unescaped `$` (outside a bracket class)
// to RE2's equivalent of PCRE's default end anchor.
func pcreDollar(p string) (string, error) {
	inClass := false
	for i := 0; i < len(p); i++ {
		switch c := p[i]; {
		case c == '\\':
			i++
		case inClass:
			if c == ']' {
				inClass = false
			}
		case c == '[':
			inClass = true
			if i+1 < len(p) && p[i+1] == '^' {
				i++
			}
			if i+1 < len(p) && p[i+1] == ']' {
				i++ // a leading ']' is a literal
			}
		case c == '$':
			if i != len(p)-1 || strings.Contains(p, "(?") {
				return "", errors.New("'$' is only supported at the end of a pattern without inline flags")
			}
			return p[:i] + `(?:\n?\z)`, nil
		}
	}
	return p, nil
}

var okStatuses = map[string]Status{"L7OK": L7OK, "L7OKC": L7OKC, "L6OK": L6OK, "L4OK": L4OK}
var errStatuses = map[string]Status{"L7RSP": L7RSP, "L7STS": L7STS, "L7OKC": L7OKC, "L6RSP": L6RSP, "L4CON": L4CON}
var toutStatuses = map[string]Status{"L7TOUT": L7TOUT, "L6TOUT": L6TOUT, "L4TOUT": L4TOUT}

// NewTCPRule compiles a tcp-check step the parser typed. A `comment` step
// gives a rule of its own kind whose text FinishTCPRules hands to the
// rules that follow. What goha does not implement (log-format sends and
// expects, sample expressions, TLS/PROXY connects, set-var) is an error.
func NewTCPRule(st haproxy.CheckStep) (TCPRule, error) {
	if st.Invalid != "" {
		return TCPRule{}, errors.New(st.Invalid)
	}
	switch st.Kind {
	case haproxy.StepComment:
		return TCPRule{Kind: ruleComment, Comment: st.Comment}, nil
	case haproxy.StepConnect:
		r := TCPRule{Kind: RuleConnect, Comment: st.Comment, Connect: NewConnect(st.Connect)}
		if e := st.Connect.PortExpr; e != "" {
			var err error
			if r.portExpr, err = parseCheckExpr(e); err != nil {
				return TCPRule{}, fmt.Errorf("tcp-check connect port %s: %v", e, err)
			}
		}
		return r, nil
	case haproxy.StepSetVar:
		a, err := newVarAction(st.Var)
		if err != nil {
			return TCPRule{}, fmt.Errorf("tcp-check %v", err)
		}
		return TCPRule{Kind: RuleSetVar, varAct: a}, nil
	case haproxy.StepSend:
		r := TCPRule{Kind: RuleSend, Comment: st.Comment, Data: []byte(st.Send.Data)}
		if st.Send.LogFormat && strings.Contains(st.Send.Data, "%") {
			f, err := parseCheckFormat(st.Send.Data)
			if err != nil {
				return r, fmt.Errorf("tcp-check %s: %v", st.Verb, err)
			}
			r.dataFmt, r.binFmt = f, st.Send.Binary
			return r, nil
		}
		if st.Send.Binary {
			b, err := parseHex(st.Send.Data)
			if err != nil {
				return r, fmt.Errorf("tcp-check send-binary: %v", err)
			}
			r.Data = b
		}
		return r, nil
	case haproxy.StepExpect:
		return newTCPExpect(st)
	}
	return TCPRule{}, fmt.Errorf("tcp-check %s: not supported", st.Verb)
}

// newTCPExpect compiles an expect step: its pattern, status names and
// sample expressions.
func newTCPExpect(st haproxy.CheckStep) (TCPRule, error) {
	e := st.Expect
	r := newExpect()
	r.Comment, r.Negate, r.MinRecv, r.logFormat = st.Comment, e.Negate, e.MinRecv, e.LogFormat
	for _, on := range []struct {
		kw, text string
		fn       *func([]byte) string
		lit      *string
	}{{"on-success", e.OnSuccess, &r.onSuccessFn, &r.OnSuccess}, {"on-error", e.OnError, &r.onErrorFn, &r.OnError}} {
		if !strings.Contains(on.text, "%") {
			*on.lit = on.text
			continue
		}
		f, err := parsePayloadFormat(on.text)
		if err != nil {
			vf, verr := parseCheckFormat(on.text)
			if verr != nil {
				return r, fmt.Errorf("tcp-check expect: %s '%s': %v", on.kw, on.text, err)
			}
			if on.kw == "on-success" {
				r.onSuccessVar = vf
			} else {
				r.onErrorVar = vf
			}
			continue
		}
		*on.fn = f
	}
	if e.StatusCode != "" {
		f, err := parseStatusCode(e.StatusCode)
		if err != nil {
			ve, verr := parseCheckExpr(e.StatusCode)
			if verr != nil {
				return r, fmt.Errorf("tcp-check expect: status-code '%s': %v", e.StatusCode, err)
			}
			r.codeVar = ve
		}
		r.codeFn = f
	}
	for _, s := range []struct {
		kw, name string
		table    map[string]Status
		to       *Status
	}{{"ok-status", e.OKStatus, okStatuses, &r.OKStatus}, {"error-status", e.ErrorStatus, errStatuses, &r.ErrStatus},
		{"tout-status", e.ToutStatus, toutStatuses, &r.ToutStatus}} {
		if s.name == "" {
			continue
		}
		v, ok := s.table[strings.ToUpper(s.name)]
		if !ok {
			return r, fmt.Errorf("tcp-check expect: %s '%s' not supported", s.kw, s.name)
		}
		*s.to = v
	}
	if e.LogFormat && strings.Contains(e.Pattern, "%") {
		f, err := parseCheckFormat(e.Pattern)
		if err != nil {
			return r, fmt.Errorf("tcp-check expect: %v", err)
		}
		r.patFmt, r.binFmt = f, e.Match == haproxy.CheckMatchBinary
		r.Match = MatchString
		if r.binFmt {
			r.Match = MatchBinary
		}
		return r, nil
	}
	switch e.Match {
	case haproxy.CheckMatchString:
		r.Match, r.Pattern = MatchString, []byte(e.Pattern)
	case haproxy.CheckMatchBinary:
		b, err := parseHex(e.Pattern)
		if err != nil {
			return r, fmt.Errorf("tcp-check expect binary: %v", err)
		}
		r.Match, r.Pattern = MatchBinary, b
	case haproxy.CheckMatchRString, haproxy.CheckMatchRBinary:
		kw := map[haproxy.CheckMatch]string{haproxy.CheckMatchRString: "rstring", haproxy.CheckMatchRBinary: "rbinary"}[e.Match]
		re, err := compileRE(e.Pattern)
		if err != nil {
			return r, fmt.Errorf("tcp-check expect %s: %v", kw, err)
		}
		r.Match, r.Pattern, r.re = MatchRString, []byte(e.Pattern), re
		if e.Match == haproxy.CheckMatchRBinary {
			r.Match = MatchRBinary
		}
	default:
		return r, fmt.Errorf("tcp-check expect: match %d not supported", e.Match)
	}
	return r, nil
}

// FinishTCPRules is HAProxy's post-parse pass over a ruleset: comment rules
// are dropped, their text going to the following rules of one
// action that have none; an implicit connect is put first when the ruleset
// does not start with one; each expect learns the head of its chain.
func FinishTCPRules(in []TCPRule) []TCPRule {
	var out []TCPRule
	if len(in) == 0 || firstAction(in) != RuleConnect {
		out = append(out, TCPRule{Kind: RuleConnect, Implicit: true})
	}
	comment := ""
	prev := ruleComment
	for _, r := range in {
		if r.Kind != prev && prev != ruleComment {
			comment = ""
		}
		prev = r.Kind
		switch r.Kind {
		case ruleComment:
			comment = r.Comment
			continue
		case RuleConnect:
			if r.Comment == "" {
				r.Comment = comment
			}
			comment = ""
		default:
			if r.Comment == "" {
				r.Comment = comment
			}
		}
		out = append(out, r)
	}
	for i := range out {
		if out[i].Kind != RuleExpect {
			continue
		}
		out[i].head = i
		for j := i - 1; j >= 0 && out[j].Kind == RuleExpect; j-- {
			if out[j].Negate {
				out[i].head = j
			}
		}
	}
	return out
}

func firstAction(rs []TCPRule) RuleKind {
	for _, r := range rs {
		if r.Kind != ruleComment && r.Kind != RuleSetVar {
			return r.Kind
		}
	}
	return ruleComment
}

// step is HAProxy's step number of a rule: 0 for the implicit connect.
func (r *TCPRule) step() int {
	if r.Implicit {
		return 0
	}
	return r.Index + 1
}

// stepText is chk_report_conn_err's " at step N of tcp-check (...)" text
// for a failure during rule r (tcp-check rulesets only).
func (r *TCPRule) stepText() string {
	if r.step() == 0 {
		return " at initial connection step of tcp-check"
	}
	s := fmt.Sprintf(" at step %d of tcp-check", r.step())
	switch r.Kind {
	case RuleConnect:
		if r.Connect.Port != 0 {
			s += fmt.Sprintf(" (connect port %d)", r.Connect.Port)
		} else {
			s += " (connect)"
		}
	case RuleSend:
		s += " (send)"
	case RuleExpect:
		switch {
		case r.logFormat && r.Match == MatchString:
			s += " (expect log-format string)"
		case r.logFormat:
			s += " (expect log-format binary)"
		case r.Match == MatchString:
			s += fmt.Sprintf(" (expect string '%s')", r.Pattern)
		case r.Match == MatchBinary:
			s += fmt.Sprintf(" (expect binary '%s')", r.Pattern)
		case r.Match == MatchRString:
			s += " (expect regex)"
		case r.Match == MatchRBinary:
			s += " (expect binary regex)"
		default:
			s += " (expect custom function)"
		}
	}
	if r.Comment != "" {
		s += fmt.Sprintf(" comment: '%s'", r.Comment)
	}
	return s
}

// cstr is what HAProxy keeps of bytes used as a C string: up to the first NUL.
func cstr(b []byte) string {
	if i := bytes.IndexByte(b, 0); i >= 0 {
		b = b[:i]
	}
	return string(b)
}

// evalExpect is tcpcheck_eval_expect: it judges buf (everything read since
// the last connect or send); last says no more data will come. generic is
// true for `option tcp-check` rulesets, whose failures get HAProxy's
// "TCPCHK did not match content ..." texts; isLast says r is the last rule.
func (r *TCPRule) evalExpect(buf []byte, last, generic, isLast bool) (verdict, Result) {
	if len(buf) >= maxCheckBody {
		last = true
	}
	if !last {
		if (r.Match == MatchString || r.Match == MatchBinary) && len(buf) < len(r.Pattern) {
			return evalWait, Result{}
		}
		if r.MinRecv > 0 && len(buf) < r.MinRecv {
			return evalWait, Result{}
		}
	}
	var match bool
	switch r.Match {
	case MatchString, MatchBinary:
		match = bytes.Contains(buf, r.Pattern)
	case MatchRString:
		match = r.re.Match(buf)
	case MatchRBinary:
		match = r.re.MatchString(strings.ToUpper(hex.EncodeToString(buf)))
	case MatchCustom:
		return r.custom(buf, last, isLast)
	}
	if !match && !last && r.MinRecv == -1 {
		return evalWait, Result{}
	}
	if match != r.Negate {
		return evalContinue, Result{}
	}
	st := r.ErrStatus
	if st == statusUnset {
		st = L7RSP
	}
	res := Result{Status: st, ShowCode: true}
	res.Info = r.errorInfo(buf, match, generic)
	if r.codeFn != nil {
		res.Code = r.codeFn(buf)
	}
	return evalStop, res
}

// errorInfo is tcpcheck_expect_onerror_message.
func (r *TCPRule) errorInfo(buf []byte, match, generic bool) string {
	var s string
	switch {
	case r.OnError != "":
		s = r.OnError
	case r.onErrorFn != nil:
		s = r.onErrorFn(buf)
	case generic:
		s = "TCPCHK did not match content"
		if match {
			s = "TCPCHK matched unwanted content"
		}
		switch {
		case r.logFormat && r.Match == MatchString:
			s += fmt.Sprintf(" (log-format string) at step %d", r.step())
		case r.logFormat:
			s += fmt.Sprintf(" (log-format binary) at step %d", r.step())
		case r.Match == MatchString:
			s += fmt.Sprintf(" '%s' at step %d", r.Pattern, r.step())
		case r.Match == MatchBinary:
			s += fmt.Sprintf(" (binary) at step %d", r.step())
		case r.Match == MatchRString:
			s += fmt.Sprintf(" (regex) at step %d", r.step())
		case r.Match == MatchRBinary:
			s += fmt.Sprintf(" (binary regex) at step %d", r.step())
		default:
			s += fmt.Sprintf(" (custom function) at step %d", r.step())
		}
	}
	if r.Comment != "" {
		s += " comment: " + r.Comment
	}
	return s
}

// successResult is what tcpcheck_main reports when every rule passed and
// the last one evaluated was r.
func (r *TCPRule) successResult(buf []byte, generic bool) Result {
	switch r.Kind {
	case RuleConnect:
		res := Result{Status: L4OK, ShowInfo: true}
		if !r.Implicit {
			res.Info = "(tcp-check)"
		}
		return res
	case RuleExpect:
		st := r.OKStatus
		if st == statusUnset {
			st = L7OK
		}
		res := Result{Status: st, ShowInfo: true, ShowCode: true}
		switch {
		case r.OnSuccess != "":
			res.Info = r.OnSuccess
		case r.onSuccessFn != nil:
			res.Info = r.onSuccessFn(buf)
		case generic:
			res.Info = "(tcp-check)"
		}
		if r.codeFn != nil {
			res.Code = r.codeFn(buf)
		}
		return res
	}
	return Result{Status: L7OK, Info: "(tcp-check)", ShowInfo: true, ShowCode: true}
}

// NewTCPCheck builds an `option tcp-check` probe from its rules, in file
// order; rule.Index must be the rule's position among the proxy's
// tcp-check lines (comments included), as HAProxy numbers steps.
func NewTCPCheck(rules []TCPRule) TCPCheckProbe {
	return TCPCheckProbe{Rules: FinishTCPRules(rules), Generic: true}
}
