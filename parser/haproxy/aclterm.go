package haproxy

import (
	"fmt"
	"strings"
)

// ACL is "acl <name> <criterion> [flags] [patterns]" (Name is empty for an
// anonymous "{ ... }" ACL of a condition), read into a sample expression and
// a matcher.
type ACL struct {
	Pos  Pos
	Name string
	// Keyword is the fetch or ACL keyword as written ("path_beg",
	// "req.hdr"): HAProxy's messages name it, and its suffix selects a
	// match method (path_beg is path matched with beg).
	Keyword string
	Sample  Sample // Sample.Fetch.Name is the keyword without that suffix
	Match   Match
	// Invalid is HAProxy's complaint about the flags when they do not
	// parse ("" when they do). The parser reports it where HAProxy does;
	// where HAProxy's check is not reproduced (conditions of rules kept as
	// unsupported), the engine refuses the term with it.
	Invalid string
}

// MatchMethod is an ACL matching method ("-m <method>").
type MatchMethod uint8

const (
	MatchDefault MatchMethod = iota // none given: the fetch's own, by its output type
	MatchFound
	MatchBool
	MatchInt
	MatchIP
	MatchBin
	MatchLen
	MatchStr
	MatchSub
	MatchReg
	MatchBeg
	MatchEnd
	MatchDir
	MatchDom
)

var matchMethodNames = [...]string{"", "found", "bool", "int", "ip", "bin", "len", "str", "sub", "reg", "beg", "end", "dir", "dom"}

// String is the method's name after -m ("" for MatchDefault).
func (m MatchMethod) String() string {
	if int(m) < len(matchMethodNames) {
		return matchMethodNames[m]
	}
	return fmt.Sprintf("method(%d)", int(m))
}

// ParseMatchMethod reads a -m argument.
func ParseMatchMethod(name string) (MatchMethod, bool) {
	for i, n := range matchMethodNames {
		if i > 0 && n == name {
			return MatchMethod(i), true
		}
	}
	return MatchDefault, false
}

// Match is how an ACL compares samples with its patterns.
type Match struct {
	// Method is the -m method, else the one the keyword's suffix names,
	// else MatchDefault.
	Method     MatchMethod
	IgnoreCase bool // -i
	NoDNS      bool // -n
	Unique     bool // -u
	EndOfFlags bool // "--" was given
	Files      []PatternFile
	Patterns   []string // the patterns written on the line, in order
}

// PatternFile is "-f <path>"; Map is set when -M came before it (the file
// is a two-column map file).
type PatternFile struct {
	Path string
	Map  bool
}

// keywordMethods are the ACL keyword suffixes that select a match method
// (path_beg, hdr_sub, src_ip, ...), tried in this order.
var keywordMethods = []struct {
	suffix string
	method MatchMethod
}{{"_beg", MatchBeg}, {"_end", MatchEnd}, {"_sub", MatchSub}, {"_reg", MatchReg}, {"_dir", MatchDir},
	{"_dom", MatchDom}, {"_str", MatchStr}, {"_len", MatchLen}, {"_ip", MatchIP}}

// suffixedFetches are fetches whose own name ends like a method suffix:
// HAProxy finds them as fetches, not as a keyword plus a method.
var suffixedFetches = map[string]bool{"req.body_len": true, "res.body_len": true, "req_len": true, "wait_end": true,
	"ssl_fc_cipherlist_str": true}

// newACL reads an ACL's words: its criterion, then flags and patterns.
func newACL(p Pos, name string, words []string) ACL {
	a := ACL{Pos: p, Name: name, Sample: ParseSample(words[0])}
	a.Keyword = fetchName(words[0])
	method := MatchDefault
	for _, km := range keywordMethods {
		if suffixedFetches[a.Sample.Fetch.Name] {
			break
		}
		if base, ok := strings.CutSuffix(a.Sample.Fetch.Name, km.suffix); ok && base != "" {
			a.Sample.Fetch.Name, method = base, km.method
			break
		}
	}
	flags, patterns := splitACLArgs(words[1:])
	a.Match, a.Invalid = parseMatchFlags(flags, method)
	if len(patterns) > 0 {
		a.Match.Patterns = patterns
	}
	return a
}

// parseMatchFlags reads an ACL's flags in order, as HAProxy's ACL parser
// does, and stops at the first it refuses, with HAProxy's message. The -f
// files read before that point are kept: HAProxy loads them first, so their
// errors come first.
func parseMatchFlags(flags []string, method MatchMethod) (Match, string) {
	m := Match{Method: method}
	isMap := false
	for i := 0; i < len(flags); i++ {
		switch f := flags[i]; f {
		case "-i":
			m.IgnoreCase = true
		case "-n":
			m.NoDNS = true
		case "-u":
			m.Unique = true
		case "--":
			m.EndOfFlags = true
		case "-M":
			isMap = true
		case "-m", "-f":
			if i+1 >= len(flags) {
				if f == "-m" {
					return m, "unknown matching method '' when parsing ACL expression"
				}
				return m, fmt.Sprintf("missing argument after '%s'", f)
			}
			i++
			v := flags[i]
			if f == "-f" {
				m.Files = append(m.Files, PatternFile{Path: v, Map: isMap})
				continue
			}
			mm, ok := ParseMatchMethod(v)
			if !ok {
				return m, fmt.Sprintf("unknown matching method '%s' when parsing ACL expression", v)
			}
			m.Method = mm
		default:
			return m, fmt.Sprintf("'%s' is not a valid ACL option. Please use '--' before any pattern beginning with a '-'", f)
		}
	}
	return m, ""
}

// predefinedACLWords are the predefined ACLs (section 7.4), as the words
// of an acl line.
var predefinedACLWords = map[string][]string{
	"TRUE":           {"always_true"},
	"FALSE":          {"always_false"},
	"LOCALHOST":      {"src", "127.0.0.1/8", "::1"},
	"METH_CONNECT":   {"method", "CONNECT"},
	"METH_DELETE":    {"method", "DELETE"},
	"METH_GET":       {"method", "GET", "HEAD"},
	"METH_HEAD":      {"method", "HEAD"},
	"METH_OPTIONS":   {"method", "OPTIONS"},
	"METH_POST":      {"method", "POST"},
	"METH_PUT":       {"method", "PUT"},
	"METH_TRACE":     {"method", "TRACE"},
	"HTTP_URL_ABS":   {"url_reg", "^[^/:]*://"},
	"HTTP_URL_SLASH": {"url_beg", "/"},
	"HTTP_URL_STAR":  {"url", "*"},
	"RDP_COOKIE":     {"req.rdp_cookie_cnt", "gt", "0"},
	"HTTP":           {"req.proto_http"},
	"HTTP_1.0":       {"req.ver", "1.0"},
	"HTTP_1.1":       {"req.ver", "1.1"},
	"HTTP_2.0":       {"req.ver", "2.0"},
	"HTTP_3.0":       {"req.ver", "3.0"},
	"HTTP_CONTENT":   {"req.hdr_val(content-length)", "gt", "0"},
	"REQ_CONTENT":    {"req.len", "gt", "0"},
	"WAIT_END":       {"wait_end"},
}

// PredefinedACL returns HAProxy's predefined ACL name, typed, when goha
// evaluates it.
func PredefinedACL(name string) (ACL, bool) {
	w, ok := predefinedACLWords[name]
	if !ok {
		return ACL{}, false
	}
	return newACL(Pos{}, name, w), true
}
