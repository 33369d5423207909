package haproxy

import (
	"reflect"
	"strings"
	"testing"
)

func TestParseSample(t *testing.T) {
	tests := []struct {
		text string
		want Sample
	}{
		{"path", Sample{Text: "path", Fetch: Fetch{Name: "path"}}},
		{"hdr()", Sample{Text: "hdr()", Fetch: Fetch{Name: "hdr", Args: []Arg{{Kind: ArgStr}}}}},
		{"req.hdr(host, -1),lower", Sample{Text: "req.hdr(host, -1),lower",
			Fetch:      Fetch{Name: "req.hdr", Args: []Arg{{Kind: ArgStr, Str: "host"}, {Kind: ArgSInt, Str: " -1", Int: -1}}},
			Converters: []Converter{{Text: "lower", Name: "lower"}}}},
		{"src,map_ip(/m.map,x)", Sample{Text: "src,map_ip(/m.map,x)", Fetch: Fetch{Name: "src"},
			Converters: []Converter{{Text: "map_ip(/m.map,x)", Name: "map_ip", Args: []Arg{{Str: "/m.map"}, {Str: "x"}}}}}},
		{"hdr(x", Sample{Text: "hdr(x", Fetch: Fetch{Name: "hdr(x"}}},
		{"hdr(x)y", Sample{Text: "hdr(x)y", Fetch: Fetch{Name: "hdr(x)y"}}},
	}
	for _, tc := range tests {
		if got := ParseSample(tc.text); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("ParseSample(%q) =\n %+v, want\n %+v", tc.text, got, tc.want)
		}
	}
}

func TestNewACL(t *testing.T) {
	tests := []struct {
		words   []string
		fetch   string
		match   Match
		invalid string
	}{
		{[]string{"path_beg", "-i", "/a", "/b"}, "path", Match{Method: MatchBeg, IgnoreCase: true, Patterns: []string{"/a", "/b"}}, ""},
		{[]string{"path_beg", "-m", "reg", "^/a"}, "path", Match{Method: MatchReg, Patterns: []string{"^/a"}}, ""},
		{[]string{"hdr_cnt(x)", "gt", "1"}, "hdr_cnt", Match{Patterns: []string{"gt", "1"}}, ""},
		{[]string{"src", "-n", "-u", "--", "-1"}, "src", Match{NoDNS: true, Unique: true, EndOfFlags: true, Patterns: []string{"-1"}}, ""},
		{[]string{"path", "-f", "/a.lst", "-M", "-f", "/b.map"}, "path",
			Match{Files: []PatternFile{{Path: "/a.lst"}, {Path: "/b.map", Map: true}}}, ""},
		{[]string{"path", "-f", "/a.lst", "-m", "nope", "-f", "/b"}, "path", Match{Files: []PatternFile{{Path: "/a.lst"}}},
			"unknown matching method 'nope' when parsing ACL expression"},
		{[]string{"path", "-m"}, "path", Match{}, "unknown matching method '' when parsing ACL expression"},
		{[]string{"path", "-f"}, "path", Match{}, "missing argument after '-f'"},
		{[]string{"path", "-x", "a"}, "path", Match{}, "'-x' is not a valid ACL option. Please use '--' before any pattern beginning with a '-'"},
	}
	for _, tc := range tests {
		a := newACL(Pos{}, "n", tc.words)
		if a.Keyword != fetchName(tc.words[0]) || a.Sample.Fetch.Name != tc.fetch || a.Invalid != tc.invalid {
			t.Errorf("%q: keyword %q fetch %q invalid %q", tc.words, a.Keyword, a.Sample.Fetch.Name, a.Invalid)
		}
		if tc.invalid == "" && !reflect.DeepEqual(a.Match, tc.match) {
			t.Errorf("%q: match %+v, want %+v", tc.words, a.Match, tc.match)
		}
		if tc.invalid != "" && !reflect.DeepEqual(a.Match.Files, tc.match.Files) {
			t.Errorf("%q: files %+v, want %+v", tc.words, a.Match.Files, tc.match.Files)
		}
	}
	if a, ok := PredefinedACL("METH_GET"); !ok || a.Sample.Fetch.Name != "method" || !reflect.DeepEqual(a.Match.Patterns, []string{"GET", "HEAD"}) {
		t.Errorf("METH_GET = %+v %v", a, ok)
	}
	if a, ok := PredefinedACL("HTTP_2.0"); !ok || a.Sample.Fetch.Name != "req.ver" || !reflect.DeepEqual(a.Match.Patterns, []string{"2.0"}) {
		t.Errorf("HTTP_2.0 = %+v %v", a, ok)
	}
	if a, ok := PredefinedACL("WAIT_END"); !ok || a.Sample.Fetch.Name != "wait_end" {
		t.Errorf("WAIT_END = %+v %v (a fetch, not wait with an _end match)", a, ok)
	}
}

// FuzzParseSample: any criterion and flags give a typed ACL without
// panicking, and the sample keeps its text.
func FuzzParseSample(f *testing.F) {
	f.Add("req.hdr(host,1),lower", "-i -m beg /a")
	f.Add("hdr(x", "-f")
	f.Add("),(,,", "-- -x")
	f.Fuzz(func(t *testing.T, crit, rest string) {
		a := newACL(Pos{}, "n", append([]string{crit}, strings.Fields(rest)...))
		if a.Sample.Text != crit {
			t.Fatalf("text %q, want %q", a.Sample.Text, crit)
		}
	})
}
