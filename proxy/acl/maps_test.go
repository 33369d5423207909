package acl

import (
	"net/netip"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/goha-lb/goha/parser/haproxy"
	"github.com/goha-lb/goha/proxy"
)

func TestParsePatternLines(t *testing.T) {
	got := parsePatternLines("# c\n  a\n\tb \n\n #x\nc\r\n   \nlast")
	want := []string{"a", "b ", "#x", "c", "last"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestParseMapLines(t *testing.T) {
	got := parseMapLines("# c\n k1 \t v 1 \nk2\nk3 v3\r\n\n#k4 v\nk5\tv5\ttail")
	want := []mapEntry{{key: "k1", value: "v 1 "}, {key: "k2"}, {key: "k3", value: "v3"}, {key: "k5", value: "v5\ttail"}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %+v, want %+v", got, want)
	}
}

// TestMapLookup: each match kind's order on the same kind of file
// (HAProxy 2.6: exact first of equal keys, longest prefix for beg and ip,
// first in file order for the list matches).
func TestMapLookup(t *testing.T) {
	str, sint := haproxy.SampleStr, haproxy.SampleSInt
	tests := []struct {
		m       mapMatch
		out     haproxy.SampleType
		entries string
		in      value
		want    string // "" is no match
	}{
		{mapStr, str, "a 1\na 2\nb 3", value{t: str, s: "a"}, "1"},
		{mapStr, str, "a 1", value{t: str, s: "A"}, ""},
		{mapBeg, str, "/a short\n/abc long\n/ root", value{t: str, s: "/abcd"}, "long"},
		{mapBeg, str, "/a short\n/abc long\n/ root", value{t: str, s: "/x"}, "root"},
		{mapEnd, str, "c 1\nbc 2", value{t: str, s: "abc"}, "1"},
		{mapSub, str, "b 1\nab 2", value{t: str, s: "abc"}, "1"},
		{mapSub, str, "z 1", value{t: str, s: "abc"}, ""},
		{mapDir, str, "q 1\np 2", value{t: str, s: "/p/q?r"}, "1"},
		{mapDir, str, "q 1", value{t: str, s: "/pq"}, ""},
		{mapDom, str, "example.com 1\ncom 2", value{t: str, s: "www.example.com"}, "1"},
		{mapDom, str, "b 1", value{t: str, s: "a:b:c"}, "1"},
		{mapDom, str, "example.com 1", value{t: str, s: "example.community"}, ""},
		{mapReg, str, "^a 1\nb 2", value{t: str, s: "ab"}, "1"},
		{mapRegm, str, `^([a-z]+):([a-z]+) \2-\1`, value{t: str, s: "ab:cd"}, "cd-ab"},
		{mapRegm, str, `^(a)(x)?b \1[\2]`, value{t: str, s: "ab"}, "a[]"},
		{mapInt, str, "1:5 small\n7 seven\n100: big\n:0 low", value{t: sint, i: 3}, "small"},
		{mapInt, str, "1:5 small\n7 seven\n100: big\n:0 low", value{t: sint, i: 1000}, "big"},
		{mapInt, str, "1:5 small\n7 seven\n100: big\n:0 low", value{t: sint, i: -4}, "low"},
		{mapInt, str, "1:5 small", value{t: sint, i: 6}, ""},
		{mapInt, str, ":-1 neg\n-5 upto5", value{t: sint, i: -2}, "neg"},
		{mapInt, str, ":-1 neg\n-5 upto5", value{t: sint, i: 0}, "upto5"}, // '-' separates a range
		{mapInt, str, "3-5 r\n8- from8", value{t: sint, i: 4}, "r"},
		{mapInt, str, "3-5 r\n8- from8", value{t: sint, i: 80}, "from8"},
		{mapIP, str, "10.0.0.0/8 a\n10.1.0.0/16 b\n10.1.2.3 c", value{t: haproxy.SampleIPv4, a: netip.MustParseAddr("10.1.9.9")}, "b"},
		{mapIP, str, "10.0.0.0/8 a\n10.1.2.3 c", value{t: haproxy.SampleIPv4, a: netip.MustParseAddr("10.1.2.3")}, "c"},
		{mapIP, str, "10.0.0.0/8 a", value{t: haproxy.SampleIPv6, a: netip.MustParseAddr("::ffff:10.1.2.3")}, "a"},
		{mapIP, str, "2001:db8::/32 d", value{t: haproxy.SampleIPv6, a: netip.MustParseAddr("2001:db8::5")}, "d"},
		{mapIP, str, "10.0.0.0/8 a", value{t: haproxy.SampleIPv4, a: netip.MustParseAddr("11.0.0.1")}, ""},
		{mapStr, sint, "a 42", value{t: str, s: "a"}, "42"},
		{mapStr, haproxy.SampleIPv4, "a 2001:db8::7", value{t: str, s: "a"}, "2001:db8::7"},
	}
	for _, tt := range tests {
		tbl, err := newMapTable(tt.m, tt.out, parseMapLines(tt.entries))
		if err != nil {
			t.Fatalf("%q: %v", tt.entries, err)
		}
		in := tt.in
		r, ok := tbl.lookup(&in)
		got := ""
		if ok {
			got, _ = r.text()
		}
		if got != tt.want {
			t.Errorf("match %d on %q, sample %+v: got %q, want %q", tt.m, tt.entries, tt.in, got, tt.want)
		}
	}
}

// TestMapValuesRefused: a value that is not of the output type makes the
// map unusable (HAProxy refuses the converter at start).
func TestMapValuesRefused(t *testing.T) {
	for _, tt := range []struct {
		m       mapMatch
		out     haproxy.SampleType
		entries string
	}{
		{mapStr, haproxy.SampleSInt, "a x"},
		{mapStr, haproxy.SampleIPv4, "a 300.1.1.1"},
		{mapReg, haproxy.SampleStr, "(?=x) y"},
		{mapIP, haproxy.SampleStr, "nope y"},
		{mapInt, haproxy.SampleStr, "x y"},
		{mapInt, haproxy.SampleStr, "-10:-1 y"}, // measured: HAProxy 2.6 refuses these three
		{mapInt, haproxy.SampleStr, "5:3 y"},
		{mapInt, haproxy.SampleStr, "+4 y"},
	} {
		if _, err := newMapTable(tt.m, tt.out, parseMapLines(tt.entries)); err == nil {
			t.Errorf("%q as %s: accepted", tt.entries, tt.out)
		}
	}
}

// TestMapFileReadAtCompile: the file is read when the expression is
// compiled, so the compile of a reload (a new worker builds its config
// anew) sees the file as it is then; a missing file is refused.
func TestMapFileReadAtCompile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "h.map")
	text := func() string {
		e, err := CompileExpr(haproxy.ParseSample("str(k),map(" + path + ",none)"))
		if err != nil {
			t.Fatal(err)
		}
		s, _ := e.Text(&proxy.RequestInfo{})
		return s
	}
	os.WriteFile(path, []byte("k v1\n"), 0o644)
	if got := text(); got != "v1" {
		t.Errorf("first load: %q", got)
	}
	os.WriteFile(path, []byte("k v2\n"), 0o644)
	if got := text(); got != "v2" {
		t.Errorf("after the file changed: %q", got)
	}
	os.Remove(path)
	if _, err := CompileExpr(haproxy.ParseSample("str(k),map(" + path + ")")); err == nil || !strings.Contains(err.Error(), "failed to open pattern file") {
		t.Errorf("missing file: %v", err)
	}
}
