package acl

import (
	"net/netip"
	"testing"

	"github.com/goha-lb/goha/parser/haproxy"
	"github.com/goha-lb/goha/proxy/stick"
)

// allocACLs are ACLs of every shape the pipeline has: a fetch alone, with
// string converters, with integer and address converters, a hash.
var allocACLs = []string{
	"path_beg /api",
	"hdr(host) -i example.com",
	"hdr_cnt(x-a) gt 1",
	"src 10.0.0.0/8",
	"src,ipmask(24) 10.0.0.0",
	"req.hdr(x-a),add(1) gt 1",
	"path,lower /api",
	"req.hdr(x-a),crc32 gt 1",
	"req.hdr(host),sha2,base64 -m found",
}

// TestAllocsPerMatch measures the allocations of one ACL evaluation and
// fails if one grows past what was measured when the pipeline was typed
// (go test -v prints the numbers).
func TestAllocsPerMatch(t *testing.T) {
	r := request(t, "GET /Api/v1?q=1 HTTP/1.1\r\nHost: example.com\r\nX-A: 1\r\nX-A: 2\r\n\r\n")
	// Measured when fetches started yielding typed values: integer and
	// address pipelines, and strings without a converter that builds
	// one, allocate nothing; lower and upper write to the transaction's
	// scratch since.
	limits := map[string]float64{
		"path_beg /api": 0, "hdr(host) -i example.com": 0, "hdr_cnt(x-a) gt 1": 0, "src 10.0.0.0/8": 0,
		"src,ipmask(24) 10.0.0.0": 0, "req.hdr(x-a),add(1) gt 1": 0, "req.hdr(x-a),crc32 gt 1": 0,
		"path,lower /api": 0, "req.hdr(host),sha2,base64 -m found": 5,
	}
	for _, line := range allocACLs {
		fe := frontend(t, "acl x "+line)
		c, err := Compile(fe.ACLs[0])
		if err != nil {
			t.Fatalf("%s: %v", line, err)
		}
		n := testing.AllocsPerRun(200, func() { c.Match(r) })
		t.Logf("%-40s %4.0f allocs/match", line, n)
		if lim, ok := limits[line]; ok && n > lim {
			t.Errorf("%s: %v allocs, was %v", line, n, lim)
		}
	}
}

func BenchmarkACLMatch(b *testing.B) {
	t := &testing.T{}
	r := request(t, "GET /Api/v1?q=1 HTTP/1.1\r\nHost: example.com\r\nX-A: 1\r\nX-A: 2\r\n\r\n")
	for _, line := range allocACLs {
		fe := frontend(t, "acl x "+line)
		c, err := Compile(fe.ACLs[0])
		if err != nil {
			b.Fatal(err)
		}
		b.Run(line, func(b *testing.B) {
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				c.Match(r)
			}
		})
	}
}

// TestFormatTextMatchesAppend: CompileFormat's string is what
// CompileAppendFormat appends, encoding included.
func TestFormatTextMatchesAppend(t *testing.T) {
	r := request(t, "GET /Api/v1?q=1 HTTP/1.1\r\nHost: example.com\r\nX-A: a b\r\nX-A: 2\r\n\r\n")
	for _, tc := range []struct{ text, want string }{
		{"%[src]", "10.0.0.1"},
		{"%[src,ipmask(8)]", "10.0.0.0"},
		{"%[req.hdr(host),upper]", "EXAMPLE.COM"},
		{"%[path,crc32]", "3301689363"},
		{"a%%b-%[req.hdr(x-a)]-%[hdr(nothere)]-", "a%b-2--"},
		{"%[req.fhdr(x-a)]", "2"},
		{"%[req.hdr(x-a)]-%[req.hdr_cnt(x-a)]", "2-2"},
		{"%[bin(610162)]", "a%01b"},
		{"x%[bin(610162)]y%[int(-3)]", "xa%01by-3"},
		{"%[method]", "GET"},
		{"%[path,lower]", "/api/v1"},
		{"lit", "lit"},
		{"", ""},
	} {
		text, err := CompileFormat(tc.text)
		if err != nil {
			t.Fatalf("%s: %v", tc.text, err)
		}
		app, err := CompileAppendFormat(tc.text)
		if err != nil {
			t.Fatalf("%s: %v", tc.text, err)
		}
		got, appended := text(r), string(app([]byte("pre"), r))
		if tc.want != "" && got != tc.want {
			t.Errorf("%s: %q, want %q", tc.text, got, tc.want)
		}
		if appended != "pre"+got {
			t.Errorf("%s: appended %q, text %q", tc.text, appended, got)
		}
	}
}

// TestValueKeyAllocs: an address already of the table's key type becomes
// its key without the cast, so only the key itself is allocated (the
// cast's indirect call moved the sample to the heap as well, once per
// tracked request); a sample that needs the cast still gives the key.
func TestValueKeyAllocs(t *testing.T) {
	c := &stick.Config{Key: stick.KeyIP}
	v := value{t: haproxy.SampleIPv4, a: netip.MustParseAddr("10.1.2.3")}
	if n := testing.AllocsPerRun(200, func() { valueKey(v, c) }); n > 1 {
		t.Errorf("valueKey(ipv4, ip table): %v allocs, want at most the key's", n)
	}
	if k := valueKey(v, c); string(k) != "\x0a\x01\x02\x03" {
		t.Errorf("key %q", k)
	}
	s := value{t: haproxy.SampleStr, s: "10.1.2.3"}
	if k := valueKey(s, c); string(k) != "\x0a\x01\x02\x03" {
		t.Errorf("key of a string sample %q", k)
	}
}
