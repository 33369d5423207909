package resolve

import (
	"net/netip"
	"sort"
	"strings"
	"time"

	"github.com/goha-lb/goha/proxy/internal/hashfn"
	"golang.org/x/net/dns/dnsmessage"
)

// SRV records for `server-template <prefix> <n> _service._proto.name`:
// HAProxy 2.6 asks for the name's SRV records, hands each record (target
// and port) to a free slot, takes its weight, and its address from the
// answer's additional section when the target's A or AAAA record is
// there; otherwise the slot resolves the target on its own.

// SRVRecord is one SRV answer record.
type SRVRecord struct {
	Target       string // as the answer spells it, without the final dot
	Port, Weight uint16
}

// Extra is an A or AAAA record of the additional section.
type Extra struct {
	Name string // without the final dot
	Addr netip.Addr
}

// QuerySRV builds the SRV question for name.
func QuerySRV(id uint16, name string, payload int) ([]byte, error) {
	return query(id, name, dnsmessage.TypeSRV, payload)
}

// ReadSRV reads an answer to QuerySRV(id, name): its outcome and, when
// Valid, the SRV records in answer order and the additional A/AAAA
// records. An answer without SRV record is Empty.
func ReadSRV(msg []byte, id uint16, name string) (Outcome, []SRVRecord, []Extra, error) {
	var p dnsmessage.Parser
	if out, err := start(&p, msg, id, name, false); out != Valid || err != nil {
		return out, nil, nil, err
	}
	var recs []SRVRecord
	for {
		rh, err := p.AnswerHeader()
		if err == dnsmessage.ErrSectionDone {
			break
		}
		if err != nil {
			return Invalid, nil, nil, nil
		}
		if rh.Type != dnsmessage.TypeSRV {
			if p.SkipAnswer() != nil {
				return Invalid, nil, nil, nil
			}
			continue
		}
		r, err := p.SRVResource()
		if err != nil {
			return Invalid, nil, nil, nil
		}
		recs = append(recs, SRVRecord{Target: strings.TrimSuffix(r.Target.String(), "."), Port: r.Port, Weight: r.Weight})
	}
	if len(recs) == 0 {
		return Empty, nil, nil, nil
	}
	var extra []Extra
	if p.SkipAllAuthorities() == nil {
		for {
			rh, err := p.AdditionalHeader()
			if err != nil {
				break
			}
			name := strings.TrimSuffix(rh.Name.String(), ".")
			switch rh.Type {
			case dnsmessage.TypeA:
				if r, err := p.AResource(); err == nil {
					extra = append(extra, Extra{name, netip.AddrFrom4(r.A)})
				}
			case dnsmessage.TypeAAAA:
				if r, err := p.AAAAResource(); err == nil {
					extra = append(extra, Extra{name, netip.AddrFrom16(r.AAAA)})
				}
			default:
				err = p.SkipAdditional()
			}
			if err != nil {
				break
			}
		}
	}
	return Valid, recs, extra, nil
}

// dnLabels is a name in DNS label form (3www7haproxy3org), as HAProxy
// keys SRV records with it.
func dnLabels(name string) string {
	var b strings.Builder
	for _, l := range strings.Split(name, ".") {
		b.WriteByte(byte(len(l)))
		b.WriteString(l)
	}
	return b.String()
}

// SRVTable is one SRV resolution's state: its records in HAProxy's tree
// order (the XXH32 of the target's label form seeded with 33; ties in
// arrival order), the slot each record feeds, and the free slots in
// HAProxy's list order (configuration order, a freed slot at the end).
type SRVTable struct {
	items []srvItem
	seq   int
	free  []int
	init  bool
}

type srvItem struct {
	target       string
	port, weight uint16
	key          uint32
	seq          int
	seen         time.Time
	ar           netip.Addr // the additional record's address, if any
	arSeen       time.Time
	slot         int // -1: none
}

// SRVAction is what one slot undergoes, in HAProxy's order.
type SRVAction struct {
	Slot int
	// Removed: its record went; it loses name, address and port and
	// enters resolution maintenance ("entry removed from SRV record").
	Removed bool
	// Otherwise the slot serves Target:Port with Weight (HAProxy's
	// (weight+255)/256), at Addr when the additional section gave one
	// (invalid: the slot resolves Target itself). NewTarget: the slot had
	// no name before.
	Target    string
	Port      int
	Weight    int
	Addr      netip.Addr
	NewTarget bool
}

// Update takes a valid SRV answer at now for n slots and returns what
// the slots undergo: records unseen for longer than obsolete free their
// slots, then each record in tree order keeps its slot or takes the
// first free one.
func (t *SRVTable) Update(n int, recs []SRVRecord, extra []Extra, now time.Time, obsolete time.Duration) []SRVAction {
	if !t.init {
		for i := 0; i < n; i++ {
			t.free = append(t.free, i)
		}
		t.init = true
	}
	for _, r := range recs {
		if i := t.find(r.Target, r.Port); i >= 0 {
			t.items[i].weight, t.items[i].seen = r.Weight, now
			continue
		}
		t.seq++
		t.items = append(t.items, srvItem{target: r.Target, port: r.Port, weight: r.Weight,
			key: hashfn.XXH32(dnLabels(r.Target), 33), seq: t.seq, seen: now, slot: -1})
	}
	sort.SliceStable(t.items, func(i, j int) bool {
		if t.items[i].key != t.items[j].key {
			return t.items[i].key < t.items[j].key
		}
		return t.items[i].seq < t.items[j].seq
	})
	t.additional(extra, now)
	var out []SRVAction
	keep := t.items[:0]
	for _, it := range t.items {
		if it.ar.IsValid() && it.arSeen.Add(obsolete).Before(now) {
			it.ar = netip.Addr{}
		}
		if it.seen.Add(obsolete).Before(now) {
			if it.slot >= 0 {
				out = append(out, SRVAction{Slot: it.slot, Removed: true})
				t.free = append(t.free, it.slot)
			}
			continue
		}
		isNew := false
		if it.slot < 0 && len(t.free) > 0 {
			it.slot, t.free, isNew = t.free[0], t.free[1:], true
		}
		if it.slot >= 0 {
			out = append(out, SRVAction{Slot: it.slot, Target: strings.ToLower(it.target), Port: int(it.port),
				Weight: (int(it.weight) + 255) / 256, Addr: it.ar, NewTarget: isNew})
		}
		keep = append(keep, it)
	}
	t.items = keep
	return out
}

// additional attaches the additional section's addresses to the records
// of their targets: an address a record already has is refreshed, a new
// one goes to the first record of that target without one.
func (t *SRVTable) additional(extra []Extra, now time.Time) {
	for _, e := range extra {
		done := false
		for i := range t.items {
			it := &t.items[i]
			if it.ar.IsValid() && !it.arSeen.Equal(now) && it.target == e.Name && it.ar == e.Addr {
				it.arSeen, done = now, true
				break
			}
		}
		for i := range t.items {
			it := &t.items[i]
			if !done && !it.ar.IsValid() && it.target == e.Name {
				it.ar, it.arSeen, done = e.Addr, now, true
			}
		}
	}
}

// Clear is a resolution error past its hold time: every slot with a
// record loses it, in tree order.
func (t *SRVTable) Clear() []SRVAction {
	var out []SRVAction
	for _, it := range t.items {
		if it.slot >= 0 {
			out = append(out, SRVAction{Slot: it.slot, Removed: true})
			t.free = append(t.free, it.slot)
		}
	}
	t.items = nil
	return out
}

func (t *SRVTable) find(target string, port uint16) int {
	for i, it := range t.items {
		if it.target == target && it.port == port {
			return i
		}
	}
	return -1
}
