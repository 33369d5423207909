package resolve

import (
	"net/netip"
	"testing"

	"golang.org/x/net/dns/dnsmessage"
)

// answer builds a response to a question of Query's, as a nameserver
// would send it.
func answer(t *testing.T, q []byte, h dnsmessage.Header, addrs ...string) []byte {
	t.Helper()
	var p dnsmessage.Parser
	qh, err := p.Start(q)
	if err != nil {
		t.Fatal(err)
	}
	qs, err := p.AllQuestions()
	if err != nil {
		t.Fatal(err)
	}
	if h.ID == 0 {
		h.ID = qh.ID
	}
	h.Response = true
	b := dnsmessage.NewBuilder(nil, h)
	b.StartQuestions()
	b.Question(qs[0])
	b.StartAnswers()
	for _, a := range addrs {
		ip := netip.MustParseAddr(a)
		rh := dnsmessage.ResourceHeader{Name: qs[0].Name, Class: dnsmessage.ClassINET, TTL: 5}
		if ip.Is4() {
			b.AResource(rh, dnsmessage.AResource{A: ip.As4()})
		} else {
			b.AAAAResource(rh, dnsmessage.AAAAResource{AAAA: ip.As16()})
		}
	}
	out, err := b.Finish()
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestRead(t *testing.T) {
	for _, c := range []struct {
		name  string
		aaaa  bool
		h     dnsmessage.Header
		addrs []string
		want  Outcome
		got   int
	}{
		{name: "a", addrs: []string{"10.0.0.1", "10.0.0.2"}, want: Valid, got: 2},
		{name: "a ignores aaaa", addrs: []string{"::1"}, want: Empty},
		{name: "aaaa", aaaa: true, addrs: []string{"10.0.0.1", "2001:db8::1"}, want: Valid, got: 1},
		{name: "nx", h: dnsmessage.Header{RCode: dnsmessage.RCodeNameError}, want: NX},
		{name: "refused", h: dnsmessage.Header{RCode: dnsmessage.RCodeRefused}, want: Refused},
		{name: "servfail", h: dnsmessage.Header{RCode: dnsmessage.RCodeServerFailure}, want: Other},
		{name: "truncated", h: dnsmessage.Header{Truncated: true}, want: Truncated},
	} {
		q, err := Query(7, "web.test", c.aaaa, 1232)
		if err != nil {
			t.Fatal(err)
		}
		out, addrs, err := Read(answer(t, q, c.h, c.addrs...), 7, "web.test", c.aaaa)
		if err != nil || out != c.want || len(addrs) != c.got {
			t.Errorf("%s: %v %v %v, want outcome %v with %d addresses", c.name, out, addrs, err, c.want, c.got)
		}
	}
	q, _ := Query(7, "web.test", false, 512)
	if _, _, err := Read(answer(t, q, dnsmessage.Header{ID: 8}), 7, "web.test", false); !IsForeign(err) {
		t.Errorf("another id: %v, want foreign", err)
	}
	if out, _, _ := Read([]byte{1, 2}, 7, "web.test", false); out != Invalid {
		t.Errorf("garbage: %v", out)
	}
	if out, _, _ := Read(answer(t, q, dnsmessage.Header{}, "10.0.0.1"), 7, "other.test", false); out != Invalid {
		t.Errorf("answer about another name: %v", out)
	}
}
