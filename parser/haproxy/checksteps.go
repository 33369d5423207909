package haproxy

import (
	"cmp"
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"
)

// Health-check steps: the parser reads each `tcp-check` and `http-check`
// line once into a CheckStep; proxy/check compiles the steps (patterns,
// hex data, regexes, status names, sample expressions) without reading
// words again.

// CheckStepKind is the action of a tcp-check or http-check line.
type CheckStepKind uint8

const (
	StepOther        CheckStepKind = iota // an action goha does not run (Invalid says which)
	StepConnect                           // connect
	StepSend                              // send, send-lf, send-binary, send-binary-lf
	StepExpect                            // expect
	StepComment                           // comment: its text goes to the steps that follow (tcp-check)
	StepSetVar                            // set-var, set-var-fmt, unset-var (Var)
	StepDisableOn404                      // http-check disable-on-404
	StepSendState                         // http-check send-state
)

// CheckStep is one tcp-check or http-check line.
type CheckStep struct {
	Pos  Pos
	Kind CheckStepKind
	Verb string // the action as written ("send-binary-lf")
	// Text is the words after the keyword, joined by spaces: messages
	// quote the line with it.
	Text    string
	Comment string
	Connect CheckConnect
	Send    CheckSend
	Expect  CheckExpect
	Var     CheckVar
	// Invalid is goha's message for a line the parser accepts but
	// proxy/check cannot run ("" otherwise); the adapter reports it.
	Invalid string
}

// CheckSend is what a send step sends: tcp-check's data, or the parts of
// the request an http-check send sets (empty: unchanged).
type CheckSend struct {
	Data      string // tcp-check: the data (hex digits when Binary)
	Binary    bool   // send-binary, send-binary-lf
	LogFormat bool   // send-lf, send-binary-lf: Data is a log-format string

	Method, URI, Version string // http-check send meth, uri (or uri-lf), ver
	Headers              []CheckHeader
	Body                 string // body (or body-lf)
	// URILogFormat and BodyLogFormat: uri-lf, body-lf (log-format
	// strings). Header values are always log-format strings.
	URILogFormat, BodyLogFormat bool
}

// CheckHeader is one `hdr <name> <value>` of an http-check send.
type CheckHeader struct{ Name, Value string }

// CheckMatch is what an expect step tests.
type CheckMatch uint8

const (
	CheckMatchString  CheckMatch = iota // string <text>
	CheckMatchRString                   // rstring <regex>
	CheckMatchBinary                    // binary <hex> (tcp-check)
	CheckMatchRBinary                   // rbinary <regex> (tcp-check)
	CheckMatchStatus                    // status <codes> (http-check)
	CheckMatchRStatus                   // rstatus <regex> (http-check)
)

// CheckExpect is an expect step.
type CheckExpect struct {
	Negate    bool
	Match     CheckMatch
	Pattern   string
	LogFormat bool     // string-lf, binary-lf: Pattern is a log-format string
	Codes     [][2]int // status: the code ranges
	MinRecv   int      // -1: not given
	// OKStatus, ErrorStatus and ToutStatus are the status names as
	// written (any case; "" when not given).
	OKStatus, ErrorStatus, ToutStatus string
	// OnSuccess and OnError are log-format strings (literal text or
	// %[...] expressions); StatusCode is a sample expression.
	OnSuccess, OnError, StatusCode string
}

// ParseTCPCheckStep reads a `tcp-check` line (w[0] is "tcp-check").
func ParseTCPCheckStep(p Pos, w []string) CheckStep {
	st := CheckStep{Pos: p, Text: strings.Join(w[1:], " "), Verb: wordAt(w, 1)}
	err := st.tcpStep(w[1:])
	if err != nil {
		st.Invalid = err.Error()
	}
	return st
}

func (st *CheckStep) tcpStep(words []string) error {
	if len(words) == 0 {
		return errors.New("tcp-check: missing action")
	}
	switch words[0] {
	case "comment":
		st.Kind = StepComment
		if len(words) < 2 {
			return errors.New("tcp-check comment: expects a string")
		}
		st.Comment = words[1]
		return nil
	case "connect":
		st.Kind = StepConnect
		c, alert, err := ParseCheckConnect("tcp-check", words[1:])
		st.Comment = c.Comment
		if alert != "" || err != nil {
			return cmp.Or(err, errors.New(alert))
		}
		// `addr ip:port`: the port counts when no `port` is given
		if host, port, err := net.SplitHostPort(c.Addr); err == nil {
			c.Addr = host
			if n, err := strconv.Atoi(port); err == nil && c.Port == 0 && n > 0 && n < 65536 {
				c.Port = n
			}
		}
		st.Connect = c
		return nil
	case "send", "send-lf", "send-binary", "send-binary-lf":
		st.Kind = StepSend
		if len(words) < 2 {
			return fmt.Errorf("tcp-check %s: expects data", words[0])
		}
		for i := 2; i < len(words); i++ {
			if words[i] != "comment" || i+1 >= len(words) {
				return fmt.Errorf("tcp-check %s: expects 'comment' but got '%s'", words[0], words[i])
			}
			st.Comment = words[i+1]
			i++
		}
		st.Send = CheckSend{Data: words[1], Binary: strings.HasPrefix(words[0], "send-binary"), LogFormat: strings.HasSuffix(words[0], "-lf")}
		return nil
	case "expect":
		st.Kind = StepExpect
		return st.tcpExpect(words[1:])
	}
	if st.checkVarStep("tcp-check", words) != "" || st.Kind == StepSetVar {
		return nil // the parser alerted on a bad line; proxy/check compiles a good one
	}
	return fmt.Errorf("tcp-check %s: not supported", words[0])
}

func (st *CheckStep) tcpExpect(w []string) error {
	e := &st.Expect
	e.MinRecv = -1
	typed := false
	for i := 0; i < len(w); i++ {
		kw := w[i]
		if strings.HasPrefix(kw, "!") {
			for strings.HasPrefix(kw, "!") {
				e.Negate = !e.Negate
				kw = kw[1:]
			}
			if kw == "" {
				continue
			}
		}
		arg := ""
		if i+1 < len(w) {
			arg = w[i+1]
		}
		if arg == "" {
			switch kw {
			case "min-recv", "comment", "on-success", "on-error", "status-code", "ok-status", "error-status", "tout-status":
				return fmt.Errorf("tcp-check expect: '%s' expects an argument", kw)
			}
		}
		switch kw {
		case "min-recv":
			i++
			n, err := strconv.Atoi(arg)
			if err != nil || n < -1 {
				return fmt.Errorf("tcp-check expect: min-recv '%s' not supported", arg)
			}
			e.MinRecv = n
		case "comment":
			i++
			st.Comment = arg
		case "on-success":
			i++
			e.OnSuccess = arg
		case "on-error":
			i++
			e.OnError = arg
		case "status-code":
			i++
			e.StatusCode = arg
		case "ok-status":
			i++
			e.OKStatus = arg
		case "error-status":
			i++
			e.ErrorStatus = arg
		case "tout-status":
			i++
			e.ToutStatus = arg
		case "string-lf", "binary-lf":
			// the pattern is a log-format string, built at each evaluation
			kw, e.LogFormat = strings.TrimSuffix(kw, "-lf"), true
			fallthrough
		case "string", "rstring", "binary", "rbinary":
			if typed {
				return errors.New("tcp-check expect: only one pattern expected")
			}
			if arg == "" {
				return fmt.Errorf("tcp-check expect: '%s' expects an argument", kw)
			}
			i++
			typed = true
			e.Pattern = arg
			e.Match = map[string]CheckMatch{"string": CheckMatchString, "rstring": CheckMatchRString,
				"binary": CheckMatchBinary, "rbinary": CheckMatchRBinary}[kw]
		default:
			// custom, or anything HAProxy would refuse
			return fmt.Errorf("tcp-check expect: '%s' not supported", kw)
		}
	}
	if !typed {
		return errors.New("tcp-check expect: pattern not found")
	}
	return nil
}

// ParseHTTPCheckStep reads an `http-check` line (w[0] is "http-check").
func ParseHTTPCheckStep(p Pos, w []string) CheckStep {
	st := CheckStep{Pos: p, Text: strings.Join(w[1:], " "), Verb: wordAt(w, 1)}
	var err error
	switch st.Verb {
	case "send":
		st.Kind = StepSend
		err = st.Send.httpSend(w[2:])
	case "expect":
		st.Kind = StepExpect
		err = st.httpExpect(w[2:])
	case "connect":
		st.Kind = StepConnect
		var alert string
		st.Connect, alert, err = ParseCheckConnect("http-check", w[2:])
		if alert != "" && err == nil {
			err = errors.New(alert)
		}
	case "disable-on-404":
		st.Kind = StepDisableOn404
	case "send-state":
		st.Kind = StepSendState
		err = fmt.Errorf("http-check %s", st.Verb)
	case "comment":
		st.Kind = StepComment
		if len(w) < 3 {
			err = errors.New("http-check comment: expects a string")
			break
		}
		st.Comment = w[2]
	default:
		if len(w) > 1 && st.checkVarStep("http-check", w[1:]) == "" && st.Kind == StepSetVar {
			break
		}
		err = fmt.Errorf("http-check %s", st.Verb)
	}
	if err != nil {
		st.Invalid = err.Error()
	}
	return st
}

// httpSend reads the words after `http-check send` ("meth GET uri /h ver
// HTTP/1.1 hdr Host example.com body x").
func (s *CheckSend) httpSend(words []string) error {
	for i := 0; i < len(words); i++ {
		kw := words[i]
		need := 1
		if kw == "hdr" {
			need = 2
		}
		if i+need >= len(words) {
			return fmt.Errorf("http-check send: '%s' expects %d argument(s)", kw, need)
		}
		switch kw {
		case "meth":
			s.Method = words[i+1]
		case "uri", "uri-lf":
			s.URI, s.URILogFormat = words[i+1], kw == "uri-lf"
		case "ver":
			s.Version = words[i+1]
		case "hdr":
			s.Headers = append(s.Headers, CheckHeader{Name: words[i+1], Value: words[i+2]})
		case "body", "body-lf":
			s.Body, s.BodyLogFormat = words[i+1], kw == "body-lf"
		case "comment":
		default:
			return fmt.Errorf("http-check send: '%s' not supported", kw)
		}
		i += need
	}
	return nil
}

// httpExpect reads the words after `http-check expect`: the options
// (comment, min-recv, ok-status, error-status, tout-status, on-success,
// on-error, status-code) before or after the match, as HAProxy reads them.
func (st *CheckStep) httpExpect(words []string) error {
	e := &st.Expect
	e.MinRecv = -1
	var match []string
	for i := 0; i < len(words); i++ {
		switch kw := words[i]; kw {
		case "!":
			e.Negate = true
			continue
		case "comment", "min-recv", "ok-status", "error-status", "tout-status", "on-success", "on-error", "status-code":
			if i+1 >= len(words) {
				return fmt.Errorf("http-check expect: '%s' expects an argument", kw)
			}
			i++
			v := words[i]
			switch kw {
			case "comment":
				st.Comment = v
			case "min-recv":
				n, err := strconv.Atoi(v)
				if err != nil || n < -1 {
					return fmt.Errorf("http-check expect: min-recv '%s' not supported", v)
				}
				e.MinRecv = n
			case "ok-status":
				e.OKStatus = v
			case "error-status":
				e.ErrorStatus = v
			case "tout-status":
				e.ToutStatus = v
			case "on-success":
				e.OnSuccess = v
			case "on-error":
				e.OnError = v
			case "status-code":
				e.StatusCode = v
			}
			continue
		}
		if match != nil || i+1 >= len(words) {
			return fmt.Errorf("http-check expect: '%s' not supported", words[i])
		}
		match = words[i : i+2]
		i++
	}
	if match == nil {
		return errors.New("http-check expect: expects a match type and a pattern")
	}
	words = match
	e.Pattern = words[1]
	switch words[0] {
	case "status":
		e.Match = CheckMatchStatus
		for _, part := range strings.Split(e.Pattern, ",") {
			lo, hi, isRange := strings.Cut(part, "-")
			a, err1 := strconv.Atoi(lo)
			b := a
			var err2 error
			if isRange {
				b, err2 = strconv.Atoi(hi)
			}
			if err1 != nil || err2 != nil || b < a {
				return fmt.Errorf("http-check expect status: invalid status code range '%s'", part)
			}
			e.Codes = append(e.Codes, [2]int{a, b})
		}
	case "rstatus":
		e.Match = CheckMatchRStatus
	case "rstring":
		e.Match = CheckMatchRString
	case "string":
		e.Match = CheckMatchString
	default:
		return fmt.Errorf("http-check expect: '%s' not supported", words[0])
	}
	return nil
}

// ProtocolCheck is the check option of a proxy other than httpchk: `option
// tcp-check` (its steps are TCPCheck.Rules) or a protocol check with its
// arguments.
type ProtocolCheck struct {
	Name string // "tcp-check", "redis-check", "mysql-check", "pgsql-check", "smtpchk", "ldap-check", "ssl-hello-chk"
	Text string // the words after "option", joined by spaces, for messages
	// User is mysql-check's and pgsql-check's `user <name>` ("" for a
	// mysql-check without one).
	User     string
	MySQLPre int // mysql-check's protocol: 41 (post-41, the default) or 40 (pre-41)
	// SMTPHello is smtpchk's greeting, "EHLO <domain>" or "HELO <domain>"
	// ("": HELO localhost).
	SMTPHello string
	// Invalid is goha's message for arguments the parser lets through but
	// goha cannot run ("" otherwise).
	Invalid string
}

// ParseProtocolCheck reads the words after "option" of a check option
// (HAProxy's own complaints were given by the option's parser).
func ParseProtocolCheck(w []string) *ProtocolCheck {
	c := &ProtocolCheck{Name: w[0], Text: strings.Join(w, " "), MySQLPre: 41}
	args := w[1:]
	switch c.Name {
	case "smtpchk":
		if len(args) >= 2 && (args[0] == "EHLO" || args[0] == "HELO") {
			c.SMTPHello = args[0] + " " + args[1]
		}
	case "pgsql-check":
		c.User = args[len(args)-1]
	case "mysql-check":
		if len(args) == 0 {
			break
		}
		if args[0] != "user" || len(args) < 2 {
			c.Invalid = "mysql-check: expects 'user <username>'"
			break
		}
		c.User = args[1]
		if len(args) > 2 {
			switch args[2] {
			case "post-41":
			case "pre-41":
				c.MySQLPre = 40
			default:
				c.Invalid = fmt.Sprintf("mysql-check: '%s' not supported", args[2])
			}
		}
	}
	return c
}
