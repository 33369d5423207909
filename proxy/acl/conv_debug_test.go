package acl

import (
	"net/netip"
	"os"
	"strings"
	"testing"

	"github.com/goha-lb/goha/parser/haproxy"
	"github.com/goha-lb/goha/proxy/sink"
)

// TestDebugLine: the debug converter's message for each sample type,
// as HAProxy 2.6.12 writes it (measured with show events buf0): the
// string cast, non-printable bytes as '.', a bin cut at its first NUL.
func TestDebugLine(t *testing.T) {
	for _, c := range []struct {
		prefix string
		v      value
		want   string
	}{
		{"", value{t: haproxy.SampleStr, s: "/p%41th"}, "[debug] : type=str </p%41th>"},
		{"p2", value{t: haproxy.SampleStr, s: "a\x01\xc3\xa9"}, "[debug] p2: type=str <a...>"},
		{"int", value{t: haproxy.SampleSInt, i: 31}, "[debug] int: type=sint <31>"},
		{"bin x", value{t: haproxy.SampleBin, s: "\x00\xffA"}, "[debug] bin x: type=bin <>"},
		{"b2", value{t: haproxy.SampleBin, s: "AB"}, "[debug] b2: type=bin <AB>"},
		{"b", value{t: haproxy.SampleBool, i: 1}, "[debug] b: type=bool <1>"},
		{"m", value{t: haproxy.SampleMeth, s: "GET"}, "[debug] m: type=meth <GET>"},
		{"v4", value{t: haproxy.SampleIPv4, a: netip.MustParseAddr("127.0.0.0")}, "[debug] v4: type=ipv4 <127.0.0.0>"},
		{"v6", value{t: haproxy.SampleIPv6, a: netip.MustParseAddr("::1")}, "[debug] v6: type=ipv6 <::1>"},
	} {
		if got := debugLine(c.prefix, c.v); got != c.want {
			t.Errorf("%+v: %q, want %q", c.v, got, c.want)
		}
	}
}

// TestDebugPassesThrough: the converter leaves its sample as it came,
// whatever its type, writes one line for each, and refuses a sink goha
// does not have.
func TestDebugPassesThrough(t *testing.T) {
	var out strings.Builder
	sink.SetFDs(&out, os.Stderr)
	defer sink.SetFDs(os.Stdout, os.Stderr)
	f, err := buildDebug(convArgs{n: 2, strs: []string{"x", "stdout"}})
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range []value{{t: haproxy.SampleBin, s: "\x00a"}, {t: haproxy.SampleSInt, i: -3}, {t: haproxy.SampleIPv4, a: netip.MustParseAddr("10.0.0.1")}} {
		w := v
		if !f(&w) || w != v {
			t.Errorf("%+v became %+v", v, w)
		}
	}
	if want := "[debug] x: type=bin <>\n[debug] x: type=sint <-3>\n[debug] x: type=ipv4 <10.0.0.1>\n"; out.String() != want {
		t.Errorf("stdout %q, want %q", out.String(), want)
	}
	for _, name := range []string{"", "buf1", "ring"} {
		if _, err := buildDebug(convArgs{n: 2, strs: []string{"x", name}}); err == nil || err.Error() != "No such sink '"+name+"'" {
			t.Errorf("%q: %v", name, err)
		}
	}
}
