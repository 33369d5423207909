package logfmt

import (
	"fmt"
	"strings"
)

// The formats HAProxy 2.6 substitutes for `option httplog` and `option
// tcplog` (src/log.c defines them as log-format strings).
const (
	HTTPLogFormat = `%ci:%cp [%tr] %ft %b/%s %TR/%Tw/%Tc/%Tr/%Ta %ST %B %CC %CS %tsc %ac/%fc/%bc/%sc/%rc %sq/%bq %hr %hs %{+Q}r`
	// HTTPLogCLFFormat is `option httplog clf`.
	HTTPLogCLFFormat = `%{+Q}o %{-Q}ci - - [%trg] %r %ST %B "" "" %cp %ms %ft %b %s %TR %Tw %Tc %Tr %Ta %tsc %ac %fc %bc %sc %rc %sq %bq %CC %CS %hrl %hsl`
	TCPLogFormat     = `%ci:%cp [%t] %ft %b/%s %Tw/%Tc/%Tt %B %ts %ac/%fc/%bc/%sc/%rc %sq/%bq`
)

// HTTPLog and TCPLog are the compiled `option httplog` / `option tcplog`.
var (
	HTTPLog    = MustCompile(HTTPLogFormat)
	HTTPLogCLF = MustCompile(HTTPLogCLFFormat)
	TCPLog     = MustCompile(TCPLogFormat)
)

// Option flags of a variable, `%{+Q}r`, `%{+X}ci`, `%{+E}HQ`.
const (
	optQuote  = 1 << iota // +Q: strings in double quotes
	optHex                // +X: addresses, ports and timestamps in hex
	optEscape             // +E: backslash before '"', '\' and ']'
)

type nodeKind uint8

const (
	nodeText nodeKind = iota
	nodeSep           // one or more spaces: printed once, only after output
	nodeVar
	nodeSample // %[expr]: the entry's Samples[sample]
)

type node struct {
	kind nodeKind
	text string // nodeText
	v    varID  // nodeVar
	name string // nodeVar: as written, for messages; nodeSample: the expression
	opts uint8
	// sample is a nodeSample's index in the format's samples.
	sample int
}

// Format is a compiled log-format string; safe for concurrent use.
type Format struct {
	src     string
	nodes   []node
	samples []string
}

// String returns the log-format string f was compiled from.
func (f *Format) String() string { return f.src }

// Samples are the expressions of the format's %[...] samples, in order:
// whoever fills an Entry for f evaluates them into Entry.Samples, in the
// same order.
func (f *Format) Samples() []string { return f.samples }

// UnsupportedError names a variable HAProxy knows but this package cannot
// fill from an Entry (addresses of the listener or the server connection,
// SSL details, sample expressions, ...).
type UnsupportedError struct{ Var string }

func (e *UnsupportedError) Error() string {
	return fmt.Sprintf("log-format variable '%s' is not supported by gohaproxy", e.Var)
}

// httpOnlyVars are the variables HAProxy 2.6 refuses in a tcp-mode
// proxy's log-format (measured with haproxy -c).
var httpOnlyVars = map[string]bool{
	"r": true, "HM": true, "HU": true, "HP": true, "HQ": true, "HV": true, "HPO": true,
	"CC": true, "CS": true, "TR": true, "Tr": true, "Tq": true, "Ta": true, "Ti": true,
	"tr": true, "trg": true, "trl": true,
}

// CompileFor is Compile for a proxy of the given mode: in tcp mode the
// HTTP-only variables are refused with HAProxy's message.
func CompileFor(s string, http bool) (*Format, error) {
	f, err := Compile(s)
	if err != nil || http {
		return f, err
	}
	for _, n := range f.nodes {
		if n.kind == nodeVar && httpOnlyVars[n.name] {
			return nil, fmt.Errorf("format variable '%s' is reserved for HTTP mode.", n.name)
		}
	}
	return f, nil
}

// MustCompile is Compile that panics; for formats fixed at build time.
func MustCompile(s string) *Format {
	f, err := Compile(s)
	if err != nil {
		panic(err)
	}
	return f
}

// Compile parses a log-format string the way HAProxy does: `%%` is a
// literal percent sign, `%{+Q,-X}name` sets options, runs of spaces are
// one separator, anything else is literal text. Unknown variables fail
// with HAProxy's message; known but unsupported ones (and `%[sample]`)
// fail with an *UnsupportedError.
func Compile(s string) (*Format, error) {
	f := &Format{src: s}
	var global uint8 // options set by %{...}o for the variables after it
	var text strings.Builder
	flush := func() {
		if text.Len() > 0 {
			f.nodes = append(f.nodes, node{kind: nodeText, text: text.String()})
			text.Reset()
		}
	}
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == ' ':
			flush()
			for i < len(s) && s[i] == ' ' {
				i++
			}
			f.nodes = append(f.nodes, node{kind: nodeSep})
		case c == '%' && i+1 < len(s) && s[i+1] == '%':
			text.WriteByte('%')
			i += 2
		case c == '%':
			flush()
			n, next, err := parseVar(s, i+1, global)
			if err != nil {
				return nil, err
			}
			switch {
			case n.kind == nodeSample:
				n.sample = len(f.samples)
				f.samples = append(f.samples, n.name)
				f.nodes = append(f.nodes, n)
			case n.v == vGlobalOpts:
				global = n.opts
			default:
				f.nodes = append(f.nodes, n)
			}
			i = next
		default:
			text.WriteByte(c)
			i++
		}
	}
	flush()
	return f, nil
}

// parseVar reads `{opts}name` starting after a '%' (at index i of s),
// with HAProxy 2.6's messages for malformed variables.
func parseVar(s string, i int, global uint8) (node, int, error) {
	n := node{kind: nodeVar, opts: global}
	percent := i - 1
	if i == len(s) {
		return n, 0, fmt.Errorf("truncated line after '%%'.")
	}
	if s[i] == '{' {
		end := strings.IndexByte(s[i:], '}')
		if end < 0 {
			return n, 0, fmt.Errorf("missing '}' after '%%{' in '%s'.", s)
		}
		for _, o := range strings.Split(s[i+1:i+end], ",") {
			if len(o) < 2 || (o[0] != '+' && o[0] != '-') {
				continue // HAProxy ignores what it does not understand
			}
			var bit uint8
			switch o[1:] {
			case "Q":
				bit = optQuote
			case "X":
				bit = optHex
			case "E":
				bit = optEscape
			}
			if o[0] == '+' {
				n.opts |= bit
			} else {
				n.opts &^= bit
			}
		}
		i += end + 1
	}
	if i < len(s) && s[i] == '[' {
		end := sampleEnd(s, i)
		if end < 0 || s[end] != ']' {
			found := ""
			if end >= 0 {
				found = s[end : end+1]
			} else {
				end = len(s)
			}
			return n, 0, fmt.Errorf("expected ']' after '%s', but found '%s'.", s[i+1:end], found)
		}
		n.kind, n.name = nodeSample, s[i+1:end]
		return n, end + 1, nil
	}
	start := i
	for i < len(s) && isAlpha(s[i]) {
		i++
	}
	name := s[start:i]
	if name == "" {
		if start > percent+1 { // options but no name
			return n, 0, fmt.Errorf("parse argument modifier without variable name near '%s'.", s[percent:start])
		}
		return n, 0, fmt.Errorf("unexpected variable name near '%c' at position %d line : '%s'. Maybe you want to write a single '%%', use the syntax '%%%%'.", s[start], start, s)
	}
	id, ok := varNames[name]
	if !ok {
		if unsupportedVars[name] {
			return n, 0, &UnsupportedError{Var: "%" + name}
		}
		return n, 0, fmt.Errorf("no such format variable '%s'. If you wanted to emit the '%%' character verbatim, you need to use '%%%%'.", name)
	}
	n.v, n.name = id, name
	return n, i, nil
}

// sampleEnd is the index of the ']' closing the sample expression opened
// at s[open], outside the expression's parentheses (a regsub's "[a-z]"
// stays in); or of a blank outside them, where HAProxy's expression ends
// without its ']'; or -1 at the end of s.
func sampleEnd(s string, open int) int {
	depth := 0
	for i := open + 1; i < len(s); i++ {
		switch s[i] {
		case '(':
			depth++
		case ')':
			depth--
		case ']', ' ':
			if depth <= 0 {
				return i
			}
		}
	}
	return -1
}

func isAlpha(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }

// Append formats e with f and appends the line (without a newline) to dst.
func (f *Format) Append(dst []byte, e *Entry, env *Env) []byte {
	return f.appendLine(dst, e, env, false)
}

// AppendValue formats e with f as HAProxy builds a value rather than a
// log line (unique-id-format): a %[...] sample with no value, or an
// empty one, writes nothing instead of "-".
func (f *Format) AppendValue(dst []byte, e *Entry, env *Env) []byte {
	return f.appendLine(dst, e, env, true)
}

func (f *Format) appendLine(dst []byte, e *Entry, env *Env, value bool) []byte {
	wroteSinceSep := false // HAProxy drops separators before any output
	for i := range f.nodes {
		n := &f.nodes[i]
		switch n.kind {
		case nodeText:
			dst = append(dst, n.text...)
			wroteSinceSep = true
		case nodeSep:
			if wroteSinceSep {
				dst = append(dst, ' ')
				wroteSinceSep = false
			}
		case nodeVar:
			before := len(dst)
			dst = appendVar(dst, n, e, env)
			if len(dst) > before {
				wroteSinceSep = true
			}
		case nodeSample:
			// A sample with no value, or an empty one, prints as an
			// empty string variable does ("-", or "" quoted).
			v := ""
			if n.sample < len(e.Samples) {
				v = e.Samples[n.sample]
			}
			if value && v == "" {
				continue
			}
			dst = appendStr(dst, n, v)
			wroteSinceSep = true
		}
	}
	return dst
}
