package acl

import (
	"net/netip"
	"regexp"
	"testing"
	"time"

	"github.com/goha-lb/goha/parser/haproxy"
	"github.com/goha-lb/goha/proxy"
)

func TestConnFetches(t *testing.T) {
	defer func(c func() time.Time, r func() uint32) { clockNow, randInt32 = c, r }(clockNow, randInt32)
	clockNow = func() time.Time { return time.Unix(1700000000, 123456789) }
	randInt32 = func() uint32 { return 0x80000000 }
	r := request(t, "GET / HTTP/1.1\r\nHost: h\r\n\r\n")
	r.Dst = netip.MustParseAddrPort("[::ffff:10.0.0.1]:8443")
	r.Frontend, r.Backend, r.ListenerID, r.RequestNum = proxy.ProxyRef{Name: "fe", ID: 3}, proxy.ProxyRef{Name: "be", ID: 4}, 2, 2
	for _, c := range []struct{ expr, want string }{
		{"dst", "10.0.0.1"}, {"dst_port", "8443"}, {"so_id", "2"}, {"fe_name", "fe"}, {"fe_id", "3"},
		{"be_name", "be"}, {"be_id", "4"}, {"http_first_req", "0"},
		{"date", "1700000000"}, {"date(10)", "1700000010"}, {"date(5,ms)", "1700000000128"}, {"date(-1,us)", "1700000000123455"},
		{"rand", "2147483648"}, {"rand(10)", "5"}, {"rand(1)", "0"},
		{"uuid", "80000000-8000-4000-8000-000080000000"},
	} {
		e, err := CompileExpr(haproxy.ParseSample(c.expr))
		if err != nil {
			t.Errorf("%s: %v", c.expr, err)
			continue
		}
		if got, ok := e.Text(r); !ok || got != c.want {
			t.Errorf("%s = %q %v, want %q", c.expr, got, ok, c.want)
		}
	}
	for _, bad := range []string{"date(x)", "date(1,h)", "rand(-1)", "uuid(3)", "date(1,s,2)"} {
		if _, err := CompileExpr(haproxy.ParseSample(bad)); err == nil {
			t.Errorf("%s compiled", bad)
		}
	}
}

func TestUUIDShape(t *testing.T) {
	re := regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)
	for i := 0; i < 100; i++ {
		if u := newUUID(); !re.MatchString(u) {
			t.Fatalf("%q is not a version 4 UUID", u)
		}
	}
}

func TestPlaces(t *testing.T) {
	for _, c := range []struct {
		text  string
		place Place
		want  string
	}{
		{"%[be_name]", FrontRequest, "sample fetch <be_name]> may not be reliably used here because it needs 'backend' which is not available here."},
		{"a%[src]b%[be_id,add(1)]", FrontRequest, "sample fetch <be_id,add(1)]> may not be reliably used here because it needs 'backend' which is not available here."},
		{"%[be_name]", ListenRequest, ""},
		{"%[path]", Response, "sample fetch <path]> may not be reliably used here because it needs 'HTTP request headers' which is not available here."},
		{"%[method] %[be_name] %[fe_id]", Response, ""},
		{"%[req.hdr(x)]", Log, "sample fetch <req.hdr(x)]> may not be reliably used here because it needs 'HTTP request headers' which is not available here."},
		{"%[be_name] %[http_first_req]", Log, ""},
	} {
		if got := FormatUnavailable(c.text, c.place); got != c.want {
			t.Errorf("%q at %d: %q, want %q", c.text, c.place, got, c.want)
		}
	}
	if !Log.has(useResponse) || FrontRequest.has(useResponse) || !Response.has(useResHeader) || Log.has(useResHeader) {
		t.Errorf("response availability")
	}
}
