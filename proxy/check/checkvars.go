package check

import (
	"cmp"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/goha-lb/goha/parser/haproxy"
)

// Check-scope variables: `tcp-check set-var(check.x) <expr>`,
// set-var-fmt and unset-var, and the log-format strings of send-lf,
// send-binary-lf and expect string-lf/binary-lf that read them. A check
// run starts with no variables (HAProxy prunes them before each run). The
// sample expressions goha evaluates there are str(), int(), bin(),
// var(check.<name>), res.payload(<offset>,<length>) and the connection's
// fetches of connfetch.go, with the converters of tcpformat.go; anything
// else is refused so the rule is reported.

// checkVal is a check variable's value: an integer or bytes.
type checkVal struct {
	b     []byte
	n     int64
	isInt bool
}

// text is the value in a log-format string.
func (v checkVal) text() []byte {
	if v.isInt {
		return strconv.AppendInt(nil, v.n, 10)
	}
	return v.b
}

// checkEnv is what a check run's expressions read: the data read since the
// last connect or send, and the variables set so far.
type checkEnv struct {
	buf  []byte
	vars map[string]checkVal
	conn *checkConn // the check's connection (nil: none yet; connfetch.go)
	// limit caps the variables' bytes (0: none; varlimit.go), size is
	// what they hold.
	limit, size int64
}

// checkExpr is a compiled sample expression.
type checkExpr func(env *checkEnv) (checkVal, bool)

// parseCheckExpr compiles "<fetch>[,<conv>...]".
func parseCheckExpr(s string) (checkExpr, error) {
	if strings.HasPrefix(s, "res.payload(") {
		e, err := parsePayloadExpr(s)
		if err != nil {
			return nil, err
		}
		return func(env *checkEnv) (checkVal, bool) {
			b, ok := e.eval(env.buf)
			return checkVal{b: b}, ok
		}, nil
	}
	var fetch checkExpr
	open := strings.IndexByte(s, '(')
	end := strings.IndexByte(s, ')')
	if comma := strings.IndexByte(s, ','); open < 0 || comma >= 0 && comma < open {
		// a fetch without arguments: the connection's (connfetch.go)
		name, rest, _ := strings.Cut(s, ",")
		f, ok, err := connFetch(name)
		if err != nil {
			return nil, err
		}
		if !ok {
			return nil, fmt.Errorf("sample fetch '%s' not supported in a health check", name)
		}
		if rest != "" {
			rest = "," + rest
		}
		return withConvs(s, f, rest)
	}
	if end < open {
		return nil, fmt.Errorf("sample expression '%s' not supported (str(), int(), bin(), var(check.<name>) and res.payload() are)", s)
	}
	name, arg, rest := s[:open], s[open+1:end], s[end+1:]
	if f, ok, err := connFetch(name); ok || err != nil {
		if err != nil || arg != "" {
			return nil, cmp.Or(err, fmt.Errorf("sample fetch '%s' takes no argument", name))
		}
		return withConvs(s, f, rest)
	}
	switch name {
	case "str":
		v := checkVal{b: []byte(arg)}
		fetch = func(*checkEnv) (checkVal, bool) { return v, true }
	case "int":
		n, err := strconv.ParseInt(arg, 10, 64)
		if err != nil {
			return nil, fmt.Errorf("sample expression '%s': invalid integer", s)
		}
		fetch = func(*checkEnv) (checkVal, bool) { return checkVal{n: n, isInt: true}, true }
	case "bin":
		b, err := parseHex(arg)
		if err != nil {
			return nil, fmt.Errorf("sample expression '%s': %v", s, err)
		}
		fetch = func(*checkEnv) (checkVal, bool) { return checkVal{b: b}, true }
	case "var":
		key, ok := strings.CutPrefix(arg, "check.")
		if !ok || key == "" || strings.ContainsAny(key, ", ") {
			return nil, fmt.Errorf("sample expression '%s' not supported (var(check.<name>) is)", s)
		}
		fetch = func(env *checkEnv) (checkVal, bool) { v, ok := env.vars[key]; return v, ok }
	default:
		return nil, fmt.Errorf("sample fetch '%s' not supported in a health check", name)
	}
	return withConvs(s, fetch, rest)
}

// withConvs is fetch followed by the converters of rest (",conv,...").
func withConvs(s string, fetch checkExpr, rest string) (checkExpr, error) {
	var convs []func([]byte) []byte
	// hex takes binary input: an integer (or boolean) cast to binary is
	// its 8 bytes, big-endian, where the string converters read its
	// decimal text (as HAProxy's casts do)
	binFirst := strings.HasPrefix(rest, ",hex") && (len(rest) == 4 || rest[4] == ',')
	for rest != "" {
		if rest[0] != ',' {
			return nil, fmt.Errorf("sample expression '%s' not supported", s)
		}
		name, tail, _ := strings.Cut(rest[1:], ",")
		conv, err := payloadConv(name)
		if err != nil {
			return nil, err
		}
		convs = append(convs, conv)
		rest = ""
		if tail != "" {
			rest = "," + tail
		}
	}
	if len(convs) == 0 {
		return fetch, nil
	}
	return func(env *checkEnv) (checkVal, bool) {
		v, ok := fetch(env)
		if !ok {
			return v, false
		}
		b := append([]byte(nil), v.text()...)
		if v.isInt && binFirst {
			b = binary.BigEndian.AppendUint64(nil, uint64(v.n))
		}
		for _, c := range convs {
			b = c(b)
		}
		return checkVal{b: b}, true
	}, nil
}

// checkFormat is a compiled log-format string.
type checkFormat func(env *checkEnv) []byte

// parseCheckFormat compiles a log-format string of literal text, "%%"
// (a '%') and %[<expr>] parts; a sample that cannot be fetched prints nothing, as
// measured on HAProxy 2.6.12 (an unset variable in send-lf).
func parseCheckFormat(s string) (checkFormat, error) {
	var parts []func(env *checkEnv, out []byte) []byte
	for s != "" {
		i := strings.IndexByte(s, '%')
		if i < 0 {
			lit := s
			parts = append(parts, func(_ *checkEnv, out []byte) []byte { return append(out, lit...) })
			break
		}
		if i > 0 {
			lit := s[:i]
			parts = append(parts, func(_ *checkEnv, out []byte) []byte { return append(out, lit...) })
		}
		s = s[i:]
		if strings.HasPrefix(s, "%%") { // a literal '%'
			parts = append(parts, func(_ *checkEnv, out []byte) []byte { return append(out, '%') })
			s = s[2:]
			continue
		}
		if !strings.HasPrefix(s, "%[") {
			return nil, errors.New("log-format variables other than %[<sample>] not supported in a health check")
		}
		end := strings.IndexByte(s, ']')
		if end < 0 {
			return nil, errors.New("log-format: missing ']'")
		}
		e, err := parseCheckExpr(s[2:end])
		if err != nil {
			return nil, err
		}
		parts = append(parts, func(env *checkEnv, out []byte) []byte {
			if v, ok := e(env); ok {
				// copied as a C string (HAProxy's strlcpy2): up to a NUL
				out = append(out, cstr(v.text())...)
			}
			return out
		})
		s = s[end+1:]
	}
	return func(env *checkEnv) []byte {
		var out []byte
		for _, p := range parts {
			out = p(env, out)
		}
		return out
	}, nil
}

// varAction is a compiled set-var, set-var-fmt or unset-var.
type varAction struct {
	key  string // the name after "check."
	expr checkExpr
	fmt  checkFormat
}

// newVarAction compiles a check variable action; only the check scope and
// no conditions are run.
func newVarAction(v haproxy.CheckVar) (varAction, error) {
	key, ok := strings.CutPrefix(v.Name, "check.")
	if !ok {
		return varAction{}, fmt.Errorf("%s(%s): only the check scope is supported in a health check", v.Verb, v.Name)
	}
	if len(v.Conds) > 0 {
		return varAction{}, fmt.Errorf("%s(%s): conditions not supported in a health check", v.Verb, v.Name)
	}
	a := varAction{key: key}
	var err error
	switch v.Verb {
	case "set-var":
		a.expr, err = parseCheckExpr(v.Expr)
	case "set-var-fmt":
		a.fmt, err = parseCheckFormat(v.Expr)
	}
	if err != nil {
		return a, fmt.Errorf("%s(%s): %v", v.Verb, v.Name, err)
	}
	return a, nil
}

// run applies the action to env's variables. A set-var whose sample
// cannot be fetched leaves the variable as it was.
func (a varAction) run(env *checkEnv) {
	switch {
	case a.expr != nil:
		if v, ok := a.expr(env); ok {
			env.set(a.key, v)
		}
	case a.fmt != nil:
		env.set(a.key, checkVal{b: a.fmt(env)})
	default:
		env.unset(a.key)
	}
}

// formatHex is a send-binary-lf or binary-lf string once built: hex
// digits decoded.
func formatHex(b []byte) ([]byte, bool) {
	out, err := hex.DecodeString(string(b))
	return out, err == nil && len(b)%2 == 0
}

// sendData builds a send-lf or send-binary-lf rule's data; ok is false
// when a binary string is not made of hex digit pairs.
func (r *TCPRule) sendData(env *checkEnv) ([]byte, bool) {
	b := r.dataFmt(env)
	if r.binFmt {
		return formatHex(b)
	}
	return b, true
}

// withPattern is an expect string-lf/binary-lf rule with its pattern
// built from the variables and data at hand. An empty pattern, or a
// binary-lf string that is not hex digit pairs, fails the check with
// HAProxy's message and L7RSP (whatever error-status says).
func (r *TCPRule) withPattern(env *checkEnv) (*TCPRule, *Result) {
	c := *r
	c.Pattern = r.patFmt(env)
	desc := ""
	if len(c.Pattern) == 0 {
		desc = "log-format string evaluated to an empty string"
	} else if r.binFmt {
		b, ok := formatHex(c.Pattern)
		if !ok {
			desc = "Failed to parse hexastring resulting of eval of a log-format string"
		}
		c.Pattern = b
	}
	if desc != "" {
		if r.Comment != "" {
			desc += " comment: " + r.Comment
		}
		return nil, &Result{Status: L7RSP, Info: desc, ShowCode: true}
	}
	return &c, nil
}

// usesVars says whether an expect rule's on-success, on-error or
// status-code reads check variables.
func (r *TCPRule) usesVars() bool {
	return r.onErrorVar != nil || r.onSuccessVar != nil || r.codeVar != nil
}

// withEnv is the rule with its on-success, on-error and status-code bound
// to this run's variables.
func (r *TCPRule) withEnv(env *checkEnv) *TCPRule {
	c := *r
	if f := r.onErrorVar; f != nil {
		c.onErrorFn = func(buf []byte) string { env.buf = buf; return cstr(f(env)) }
	}
	if f := r.onSuccessVar; f != nil {
		c.onSuccessFn = func(buf []byte) string { env.buf = buf; return cstr(f(env)) }
	}
	if e := r.codeVar; e != nil {
		c.codeFn = func(buf []byte) int {
			env.buf = buf
			v, ok := e(env)
			switch {
			case !ok:
				return 0
			case v.isInt:
				return int(v.n)
			}
			n := 0
			for _, d := range v.b {
				if d < '0' || d > '9' {
					break
				}
				n = n*10 + int(d-'0')
			}
			return n
		}
	}
	return &c
}
