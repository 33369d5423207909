package resolve

import (
	"net/netip"
	"sort"
	"time"

	"github.com/goha-lb/goha/proxy/internal/hashfn"
)

// Answers is the record tree one resolution keeps across its answers, as
// HAProxy 2.6's answer_tree: the A and AAAA records ordered by their key
// (the XXH32 of the address bytes seeded with the record type; ties in
// arrival order), each with when an answer last listed it. Servers are
// attached to the record they took (Held); a server stays on its record
// while the record lives.
type Answers struct {
	recs []answerRec
	seq  int
}

type answerRec struct {
	addr netip.Addr
	key  uint32
	seq  int
	seen time.Time
}

// Held is, per server sharing the resolution, the address of the record
// it is attached to (invalid: none).
type Held []netip.Addr

// recordKey is HAProxy's tree key for an address record: XXH32 over the
// address with the record type (1 for A, 28 for AAAA) as seed.
func recordKey(a netip.Addr) uint32 {
	if a.Is4() {
		b := a.As4()
		return hashfn.XXH32(string(b[:]), 1)
	}
	b := a.As16()
	return hashfn.XXH32(string(b[:]), 28)
}

// Update takes a valid answer received at now: its records are refreshed
// or added, then those no answer listed for longer than obsolete (`hold
// obsolete`) are dropped, and the servers attached to them are released.
func (a *Answers) Update(addrs []netip.Addr, now time.Time, obsolete time.Duration, held Held) {
	for _, ad := range addrs {
		ad = ad.Unmap()
		if i := a.find(ad); i >= 0 {
			a.recs[i].seen = now
			continue
		}
		a.seq++
		a.recs = append(a.recs, answerRec{addr: ad, key: recordKey(ad), seq: a.seq, seen: now})
	}
	sort.SliceStable(a.recs, func(i, j int) bool {
		if a.recs[i].key != a.recs[j].key {
			return a.recs[i].key < a.recs[j].key
		}
		return a.recs[i].seq < a.recs[j].seq
	})
	keep := a.recs[:0]
	for _, r := range a.recs {
		if r.seen.Add(obsolete).Before(now) {
			for i := range held {
				if held[i] == r.addr {
					held[i] = netip.Addr{}
				}
			}
			continue
		}
		keep = append(keep, r)
	}
	a.recs = keep
}

func (a *Answers) find(ad netip.Addr) int {
	for i, r := range a.recs {
		if r.addr == ad {
			return i
		}
	}
	return -1
}

// Options are a server's `resolve-prefer` (IPv6 unless PreferIPv4),
// `resolve-net` and `resolve-opts allow-dup-ip`.
type Options struct {
	PreferIPv4 bool
	Nets       []netip.Prefix
	AllowDup   bool
}

// Verdict is what a server does with the answer.
type Verdict int

// The verdicts of Pick.
const (
	Keep Verdict = iota // its address stays
	Move                // it takes the returned address
	NoIP                // no address is left for it
)

// Pick chooses the address of server i (current: its address now) as
// HAProxy 2.6's resolv_get_ip_from_response: a server attached to a live
// record keeps its address; otherwise each record scores 8 for the
// preferred family, 4 for a resolve-net network, 2 when no other server
// is attached to it (without allow-dup-ip such a record is skipped) and
// 1 for the current address, and the first best record in tree order
// wins and gets the server attached. HAProxy then hands out the last
// improving address of the preferred family, else of the other one,
// which is not always the winning record's: kept here.
func (a *Answers) Pick(held Held, i int, current netip.Addr, o Options) (netip.Addr, Verdict) {
	current = current.Unmap()
	if held[i].IsValid() && a.find(held[i]) >= 0 {
		return current, Keep
	}
	best, found, curFound := -1, -1, false
	var new4, new6 netip.Addr
	for k, r := range a.recs {
		score := 0
		if r.addr.Is4() == o.PreferIPv4 {
			score += 8
		}
		for _, n := range o.Nets {
			if n.Addr().Is4() == r.addr.Is4() && n.Contains(r.addr) {
				score += 4
				break
			}
		}
		used := false
		for j, h := range held {
			if j != i && h == r.addr {
				used = true
				break
			}
		}
		if !used {
			score += 2
		} else if !o.AllowDup {
			continue
		}
		isCur := current.IsValid() && r.addr == current
		if isCur {
			score++
		}
		if score <= best {
			continue
		}
		if r.addr.Is4() {
			new4 = r.addr
		} else {
			new6 = r.addr
		}
		found, curFound, best = k, isCur, score
		if score == 15 {
			held[i] = r.addr
			return current, Keep
		}
	}
	if found < 0 {
		return netip.Addr{}, NoIP
	}
	pick := new6
	if o.PreferIPv4 && new4.IsValid() || !new6.IsValid() {
		pick = new4
	}
	held[i] = a.recs[found].addr
	if curFound {
		return current, Keep
	}
	return pick, Move
}
