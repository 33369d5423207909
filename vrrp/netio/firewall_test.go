package netio

import (
	"errors"
	"net/netip"
	"os"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/google/nftables"
	"github.com/mdlayher/netlink"
	"golang.org/x/sys/unix"
)

// nftTokens reduces nft's text to its words, so the one-line form quoted
// in the seed README and nft's multi-line listing compare equal.
func nftTokens(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool { return r == ';' || r == ' ' || r == '\t' || r == '\n' })
}

// seedRuleset is the ruleset keepalived 2.2.7 installed for the seed
// config, quoted in /work/shared/seed/README.md (copied in testdata).
func seedRuleset(t *testing.T) string {
	b, err := os.ReadFile("testdata/keepalived-ruleset.txt")
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestRulesTextMatchesKeepalived(t *testing.T) {
	got := RulesText("ip", DefaultTable, DefaultPriority, []netip.Addr{netip.MustParseAddr("192.168.110.100")})
	if g, w := nftTokens(got), nftTokens(seedRuleset(t)); !slices.Equal(g, w) {
		t.Fatalf("rules differ from keepalived's\n got %q\nwant %q", g, w)
	}
}

func TestRulesText6MatchesKeepalived(t *testing.T) {
	b, err := os.ReadFile("testdata/keepalived-ruleset6.txt")
	if err != nil {
		t.Fatal(err)
	}
	got := RulesText("ip6", DefaultTable, DefaultPriority, []netip.Addr{
		netip.MustParseAddr("2001:db8:110::100"), netip.MustParseAddr("fe80::52%ens160"),
	})
	if got != string(b) {
		t.Fatalf("ip6 rules differ from keepalived's\n got:\n%s\nwant:\n%s", got, b)
	}
}

func TestRulesTextVariants(t *testing.T) {
	for _, tc := range []struct {
		family string
		prio   int32
		addrs  []string
		want   []string // lines that must appear
	}{
		{"ip", -1, nil, []string{"table ip keepalived {", "\t\ttype ipv4_addr", "priority filter - 1; policy accept;"}},
		{"ip", 0, []string{"10.0.0.1", "10.0.0.2"}, []string{"elements = { 10.0.0.1, 10.0.0.2 }", "priority filter; policy accept;"}},
		{"ip", 5, nil, []string{"priority filter + 5;"}},
		{"ip6", -1, []string{"2001:db8::1"}, []string{"table ip6 keepalived {", "type ipv6_addr", "elements = { 2001:db8::1 }", "ip6 daddr @vips drop", "ip6 saddr @vips drop"}},
	} {
		var addrs []netip.Addr
		for _, a := range tc.addrs {
			addrs = append(addrs, netip.MustParseAddr(a))
		}
		got := RulesText(tc.family, "keepalived", tc.prio, addrs)
		for _, w := range tc.want {
			if !strings.Contains(got, w) {
				t.Errorf("%s prio %d: %q missing from\n%s", tc.family, tc.prio, w, got)
			}
		}
		if len(addrs) == 0 && strings.Contains(got, "elements") {
			t.Errorf("empty set printed with elements:\n%s", got)
		}
	}
}

// recorder is a fake nftables netlink endpoint that remembers the
// nf_tables message types of every batch sent to it.
type recorder struct {
	mu      sync.Mutex
	batches [][]string
	fail    bool
}

var nftMsgNames = map[uint16]string{
	unix.NFT_MSG_NEWTABLE: "newtable", unix.NFT_MSG_DELTABLE: "deltable",
	unix.NFT_MSG_NEWCHAIN: "newchain", unix.NFT_MSG_NEWRULE: "newrule",
	unix.NFT_MSG_NEWSET: "newset", unix.NFT_MSG_NEWSETELEM: "newsetelem",
	unix.NFT_MSG_DELSETELEM: "delsetelem",
}

func (r *recorder) dial(req []netlink.Message) ([]netlink.Message, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	var batch []string
	for _, m := range req {
		typ := uint16(m.Header.Type)
		if typ>>8 != unix.NFNL_SUBSYS_NFTABLES {
			continue // batch begin / end
		}
		name, ok := nftMsgNames[typ&0xff]
		if !ok {
			name = "other"
		}
		batch = append(batch, name)
	}
	if len(batch) > 0 {
		r.batches = append(r.batches, batch)
	}
	if r.fail {
		return nil, unix.ENOENT
	}
	return req, nil
}

func (r *recorder) take() [][]string {
	r.mu.Lock()
	defer r.mu.Unlock()
	b := r.batches
	r.batches = nil
	return b
}

func TestFirewallBatches(t *testing.T) {
	rec := &recorder{}
	fw, err := NewFirewall(FirewallConfig{ConnOptions: []nftables.ConnOption{nftables.WithTestDial(rec.dial)}})
	if err != nil {
		t.Fatal(err)
	}
	vip := netip.MustParseAddr("192.168.110.100")
	vip2 := netip.MustParseAddr("192.168.110.200")
	build := []string{"newtable", "deltable", "newtable", "newset", "newsetelem", "newchain", "newchain", "newrule", "newrule"}
	// ip6: vips with its element, neighbor-discovery with NS and NA, an
	// empty vips_link_local; out, in and the two link-local chains; ND
	// accept, fe80::/10 goto and link-local drop per direction, then the
	// two vips drops.
	build6 := []string{"newtable", "deltable", "newtable", "newset", "newsetelem", "newset", "newsetelem", "newset",
		"newchain", "newchain", "newchain", "newchain",
		"newrule", "newrule", "newrule", "newrule", "newrule", "newrule", "newrule", "newrule"}
	fw.resolve = func(zone string) (int, string, error) {
		if zone == "ens160" || zone == "2" {
			return 2, "ens160", nil
		}
		return 0, "", errors.New("no such interface")
	}
	ll := netip.MustParseAddr("fe80::52%ens160")

	steps := []struct {
		name  string
		do    func() ([]netip.Addr, error)
		want  [][]string
		moved []netip.Addr
		after []netip.Addr
	}{
		{"first add builds the table in one batch", func() ([]netip.Addr, error) { return fw.Add(vip) }, [][]string{build}, []netip.Addr{vip}, []netip.Addr{vip}},
		{"adding it again sends nothing", func() ([]netip.Addr, error) { return fw.Add(vip) }, nil, nil, []netip.Addr{vip}},
		{"second VIP is one element", func() ([]netip.Addr, error) { return fw.Add(vip, vip2) }, [][]string{{"newsetelem"}}, []netip.Addr{vip2}, []netip.Addr{vip, vip2}},
		{"deleting an absent VIP sends nothing", func() ([]netip.Addr, error) { return fw.Del(netip.MustParseAddr("10.9.9.9")) }, nil, nil, []netip.Addr{vip, vip2}},
		{"delete one", func() ([]netip.Addr, error) { return fw.Del(vip) }, [][]string{{"delsetelem"}}, []netip.Addr{vip}, []netip.Addr{vip2}},
		{"IPv6 VIP builds the ip6 table", func() ([]netip.Addr, error) { return fw.Add(netip.MustParseAddr("2001:db8::5")) }, [][]string{build6}, []netip.Addr{netip.MustParseAddr("2001:db8::5")}, []netip.Addr{vip2, netip.MustParseAddr("2001:db8::5")}},
		{"link-local VIP by index goes to vips_link_local", func() ([]netip.Addr, error) { return fw.Add(netip.MustParseAddr("fe80::52%2")) }, [][]string{{"newsetelem"}}, []netip.Addr{ll}, []netip.Addr{vip2, netip.MustParseAddr("2001:db8::5"), ll}},
		{"and by name is the same element", func() ([]netip.Addr, error) { return fw.Add(ll) }, nil, nil, []netip.Addr{vip2, netip.MustParseAddr("2001:db8::5"), ll}},
	}
	for _, s := range steps {
		moved, err := s.do()
		if err != nil {
			t.Fatalf("%s: %v", s.name, err)
		}
		if got := rec.take(); !slices.EqualFunc(got, s.want, slices.Equal) {
			t.Errorf("%s: batches %v, want %v", s.name, got, s.want)
		}
		if !slices.Equal(moved, s.moved) {
			t.Errorf("%s: reported %v, want %v", s.name, moved, s.moved)
		}
		if got := fw.Addrs(); !slices.Equal(got, s.after) {
			t.Errorf("%s: set holds %v, want %v", s.name, got, s.after)
		}
	}
	if r := fw.Rules(); !strings.Contains(r, "table ip keepalived") || !strings.Contains(r, "table ip6 keepalived") ||
		!strings.Contains(r, `elements = { fe80::52 . "ens160" }`) {
		t.Errorf("Rules() misses a table or the link-local VIP:\n%s", r)
	}
	// Unzoned or unknown-interface link-local addresses are refused, but
	// do not keep the good ones out.
	v3 := netip.MustParseAddr("192.168.110.250")
	added, err := fw.Add(netip.MustParseAddr("fe80::52"), v3, netip.MustParseAddr("fe80::52%eth9"))
	if err == nil || !strings.Contains(err.Error(), "needs its interface") || !strings.Contains(err.Error(), "eth9") {
		t.Errorf("bad link-local addresses: err %v", err)
	}
	if !slices.Equal(added, []netip.Addr{v3}) {
		t.Errorf("added %v next to bad addresses, want [%s]", added, v3)
	}
	if got := rec.take(); len(got) != 1 || !slices.Equal(got[0], []string{"newsetelem"}) {
		t.Errorf("Add with bad addresses sent %v", got)
	}
	if _, err := fw.Del(v3); err != nil {
		t.Fatal(err)
	}
	rec.take()
	if removed, err := fw.Del(ll); err != nil || !slices.Equal(removed, []netip.Addr{ll}) {
		t.Errorf("Del(link-local): %v %v", removed, err)
	}
	if got := rec.take(); len(got) != 1 || !slices.Equal(got[0], []string{"delsetelem"}) {
		t.Errorf("Del(link-local) sent %v", got)
	}
	if err := fw.Close(); err != nil {
		t.Fatal(err)
	}
	got := rec.take()
	if len(got) != 1 || !slices.Equal(got[0], []string{"deltable", "deltable"}) {
		t.Errorf("Close sent %v, want one batch deleting both tables", got)
	}
	if fw.Rules() != "" {
		t.Errorf("Rules() after Close: %q", fw.Rules())
	}
}

func TestFirewallTableNameAndPriority(t *testing.T) {
	rec := &recorder{}
	p := int32(-5)
	fw, err := NewFirewall(FirewallConfig{Table: "vrrp", Priority: &p, ConnOptions: []nftables.ConnOption{nftables.WithTestDial(rec.dial)}})
	if err != nil {
		t.Fatal(err)
	}
	defer fw.Close()
	if _, err := fw.Add(netip.MustParseAddr("10.0.0.1")); err != nil {
		t.Fatal(err)
	}
	r := fw.Rules()
	if !regexp.MustCompile(`(?m)^table ip vrrp \{`).MatchString(r) || !strings.Contains(r, "priority filter - 5;") {
		t.Errorf("Rules():\n%s", r)
	}
}
