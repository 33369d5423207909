package haproxy

import (
	"strconv"
	"strings"
)

// The sample pipeline, as HAProxy 2.6 builds it (section 7 of its
// configuration manual): a fetch reads a typed value from the traffic,
// converters transform it in order, and an ACL's matcher compares the result
// with its patterns. The parser reads the words once into these types; the
// request-time engine (proxy/acl) compiles them and never reads words again.

// SampleType is the type of a sample, as HAProxy types them (SMP_T_*).
type SampleType uint8

const (
	SampleAny  SampleType = iota // a type the engine does not fix (not yet typed)
	SampleBool                   // boolean
	SampleSInt                   // signed 64-bit integer
	SampleStr                    // string
	SampleBin                    // binary block
	SampleIPv4                   // IPv4 address
	SampleIPv6                   // IPv6 address
	SampleMeth                   // HTTP method (a known one or a string)
	SampleAddr                   // an input type only: ipv4 or ipv6 (ipmask's input)
)

var sampleTypeNames = [...]string{"any", "bool", "sint", "str", "bin", "ipv4", "ipv6", "meth", "addr"}

// String is HAProxy's name of the type ("sint", "str", ...).
func (t SampleType) String() string {
	if int(t) < len(sampleTypeNames) {
		return sampleTypeNames[t]
	}
	return "type(" + strconv.Itoa(int(t)) + ")"
}

// Sample is a sample expression: a fetch and the converters applied to its
// output, left to right ("req.hdr(host,1),lower").
type Sample struct {
	Text       string // the expression as written, for messages
	Fetch      Fetch
	Converters []Converter
}

// Fetch is the first element of a sample expression: a name and its
// arguments. A malformed call ("hdr(x" or "hdr(x)y") keeps the whole text as
// its name, which no fetch table knows.
type Fetch struct {
	Name string
	Args []Arg // nil without parentheses; "hdr()" has one empty argument
}

// Converter is one ",name(args)" step of a sample expression.
type Converter struct {
	Text string // as written ("map(/etc/x.map,dflt)")
	Name string
	Args []Arg // nil without parentheses
}

// ArgKind is the type an argument was read as.
type ArgKind uint8

const (
	ArgStr  ArgKind = iota // any text
	ArgSInt                // a decimal integer (blanks around it ignored)
)

// Arg is one argument of a fetch or converter call. Str is the text as
// written (not trimmed); Int is its value when Kind is ArgSInt.
type Arg struct {
	Kind ArgKind
	Str  string
	Int  int64
}

// ParseSample reads a sample expression. It never fails: what cannot be a
// fetch call keeps its text as the fetch name (see Fetch), and the fetch
// and converter tables of whoever evaluates it refuse what they do not know.
func ParseSample(text string) Sample {
	parts := splitTopLevel(text)
	s := Sample{Text: text, Fetch: Fetch{}}
	s.Fetch.Name, s.Fetch.Args = parseCall(parts[0])
	for _, c := range parts[1:] {
		name, args := parseCall(c)
		s.Converters = append(s.Converters, Converter{Text: c, Name: name, Args: args})
	}
	return s
}

// parseCall splits "name(a,b)" into its name and arguments.
func parseCall(call string) (string, []Arg) {
	i := strings.IndexByte(call, '(')
	if i < 0 {
		return call, nil
	}
	if i == 0 || !strings.HasSuffix(call, ")") {
		return call, nil
	}
	var args []Arg
	for _, a := range strings.Split(call[i+1:len(call)-1], ",") {
		args = append(args, typedArg(a))
	}
	return call[:i], args
}

func typedArg(text string) Arg {
	if n, err := strconv.ParseInt(strings.TrimSpace(text), 10, 64); err == nil {
		return Arg{Kind: ArgSInt, Str: text, Int: n}
	}
	return Arg{Kind: ArgStr, Str: text}
}

// splitTopLevel splits a sample expression on the commas outside
// parentheses: the fetch, then each converter.
func splitTopLevel(expr string) []string {
	var parts []string
	depth, start := 0, 0
	for i := 0; i < len(expr); i++ {
		switch expr[i] {
		case '(':
			depth++
		case ')':
			depth--
		case ',':
			if depth == 0 {
				parts = append(parts, expr[start:i])
				start = i + 1
			}
		}
	}
	return append(parts, expr[start:])
}
