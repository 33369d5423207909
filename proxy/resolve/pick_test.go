package resolve

import (
	"net/netip"
	"strings"
	"testing"
	"time"
)

// loop builds 127.0.0.<n> addresses; "" is none. Their tree order (XXH32
// keys) is .6, .2, .3, .5, .4.
func loop(l ...string) []netip.Addr {
	var out []netip.Addr
	for _, a := range l {
		if a == "" {
			out = append(out, netip.Addr{})
		} else {
			out = append(out, netip.MustParseAddr("127.0.0."+a))
		}
	}
	return out
}

func TestRecordKeyOrder(t *testing.T) {
	var a Answers
	a.Update(loop("2", "3", "4", "5", "6"), time.Unix(1, 0), 0, nil)
	var got []string
	for _, r := range a.recs {
		got = append(got, r.addr.String())
	}
	if g := strings.Join(got, " "); g != "127.0.0.6 127.0.0.2 127.0.0.3 127.0.0.5 127.0.0.4" {
		t.Errorf("tree order %s", g)
	}
}

// Each case feeds answers in turn to a group of servers, all picking
// after each answer; want is the servers' addresses after the last one.
func TestPick(t *testing.T) {
	nets := func(l ...string) []netip.Prefix {
		var out []netip.Prefix
		for _, n := range l {
			out = append(out, netip.MustParsePrefix(n))
		}
		return out
	}
	for _, c := range []struct {
		name     string
		cur      []netip.Addr
		o        Options
		obsolete time.Duration
		answers  [][]netip.Addr
		want     []netip.Addr
	}{
		{"slots in tree order, not answer order", loop("", "", ""), Options{PreferIPv4: true}, 0,
			[][]netip.Addr{loop("2", "6")}, loop("6", "2", "")},
		{"IPv4 answers without the preference", loop("", ""), Options{}, 0,
			[][]netip.Addr{loop("3", "2")}, loop("2", "3")},
		{"attached servers keep their records", loop("", "", ""), Options{PreferIPv4: true}, 0,
			[][]netip.Addr{loop("3", "4"), loop("3", "4", "2")}, loop("3", "4", "2")},
		{"a lost record frees its server", loop("", ""), Options{PreferIPv4: true}, 0,
			[][]netip.Addr{loop("2", "3"), loop("3", "4")}, loop("4", "3")},
		{"hold obsolete keeps a record out of the answer", loop("", ""), Options{PreferIPv4: true}, time.Hour,
			[][]netip.Addr{loop("2", "3"), loop("3")}, loop("2", "3")},
		{"no duplicate by default", loop("", "", ""), Options{PreferIPv4: true}, 0,
			[][]netip.Addr{loop("5")}, loop("5", "", "")},
		{"allow-dup-ip", loop("", "", ""), Options{PreferIPv4: true, AllowDup: true}, 0,
			[][]netip.Addr{loop("5")}, loop("5", "5", "5")},
		{"allow-dup-ip still prefers a free address", loop("", "", ""), Options{PreferIPv4: true, AllowDup: true}, 0,
			[][]netip.Addr{loop("5", "4")}, loop("5", "4", "5")},
		{"resolve-net first", loop("", ""), Options{PreferIPv4: true, Nets: nets("127.0.0.4/32", "10.0.0.0/8")}, 0,
			[][]netip.Addr{loop("2", "4", "6")}, loop("4", "6")},
		{"resolve-net of the other family counts nothing", loop(""), Options{PreferIPv4: true, Nets: nets("::/0")}, 0,
			[][]netip.Addr{loop("2", "6")}, loop("6")},
		{"current address scores", loop("3", ""), Options{PreferIPv4: true}, 0,
			[][]netip.Addr{loop("2", "3")}, loop("3", "2")},
	} {
		var a Answers
		held := make(Held, len(c.cur))
		cur := append([]netip.Addr(nil), c.cur...)
		now := time.Unix(100, 0)
		for _, ans := range c.answers {
			now = now.Add(time.Second)
			a.Update(ans, now, c.obsolete, held)
			for i := range cur {
				addr, v := a.Pick(held, i, cur[i], c.o)
				switch v {
				case Move:
					cur[i] = addr
				case NoIP:
					cur[i] = netip.Addr{}
				}
			}
		}
		for i := range cur {
			if cur[i] != c.want[i] {
				t.Errorf("%s: got %v, want %v", c.name, cur, c.want)
				break
			}
		}
	}
}
