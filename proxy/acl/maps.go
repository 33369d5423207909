package acl

import (
	"fmt"
	"net/netip"
	"strconv"
	"strings"
	"sync/atomic"

	"github.com/goha-lb/goha/parser/haproxy"
	"github.com/goha-lb/goha/proxy/internal/bytere"
)

// The map converters (HAProxy 2.6 map.c): map_<match>[_<out>](<file>[,<default>])
// looks the sample up in a map file and returns the value of the entry
// found, typed as <out> (str, int or ip), else the default, else no
// sample. The match orders are HAProxy's: exact keys in a tree (the
// first of equal keys), the longest key for beg (a prefix tree) and ip (a
// prefix tree per family), the first in file order for the list matches
// (end, sub, dir, dom, reg, regm, int).

// mapMatch is how a map compares the sample with its keys.
type mapMatch uint8

const (
	mapStr mapMatch = iota
	mapBeg
	mapEnd
	mapSub
	mapDir
	mapDom
	mapReg
	mapRegm
	mapInt
	mapIP
)

var mapMatchNames = map[string]mapMatch{
	"str": mapStr, "beg": mapBeg, "end": mapEnd, "sub": mapSub, "dir": mapDir,
	"dom": mapDom, "reg": mapReg, "regm": mapRegm, "int": mapInt, "ip": mapIP,
}

func init() {
	outs := map[string]haproxy.SampleType{"": haproxy.SampleStr, "_str": haproxy.SampleStr,
		"_int": haproxy.SampleSInt, "_ip": haproxy.SampleIPv4}
	rows := map[string]convDef{}
	for name, m := range mapMatchNames {
		in := haproxy.SampleStr
		switch m {
		case mapInt:
			in = haproxy.SampleSInt
		case mapIP:
			in = haproxy.SampleAddr
		}
		for suffix, out := range outs {
			if m == mapRegm && suffix != "" || suffix == "_str" {
				continue // 2.6 has map_regm only, and no map_<x>_str
			}
			rows["map_"+name+suffix] = convDef{in: in, out: out, args: []argKind{argStr, argStr}, min: 1,
				build: buildMap(m, in, out), keep: true}
		}
	}
	rows["map"] = rows["map_str"]
	register(rows)
}

// buildMap loads the map file (argument 1) and reads the default
// (argument 2) as the output type.
func buildMap(m mapMatch, in, out haproxy.SampleType) func(convArgs) (convFunc, error) {
	return func(a convArgs) (convFunc, error) {
		ref, entries, err := loadRef(a.strs[0], true)
		if err != nil {
			return nil, fmt.Errorf("failed to open pattern file <%s>", a.strs[0])
		}
		var tbl atomic.Pointer[mapTable]
		rebuild := func(es []PatEntry) error {
			t, err := newMapTable(m, out, mapEntries(es))
			if err != nil {
				return err
			}
			tbl.Store(t)
			return nil
		}
		if err := rebuild(entries); err != nil {
			return nil, fmt.Errorf("file '%s': %v", a.strs[0], err)
		}
		ref.use(rebuild)
		ref.probe(mapKindNames[m]+"_"+out.String(), 0, func(sample string) string { return tbl.Load().probe(sample, in) })
		var dflt *value
		if a.has(1) {
			d, ok := typedOut(out, a.strs[1])
			if !ok {
				return nil, fmt.Errorf("cannot parse default value '%s' as %s", a.strs[1], out)
			}
			dflt = &d
		}
		return func(v *value) bool {
			r, ok := tbl.Load().lookup(v)
			if !ok {
				if dflt == nil {
					return false
				}
				r = *dflt
			}
			*v = r
			return true
		}, nil
	}
}

// mapEntries are a reference's entries as a map file's lines.
func mapEntries(es []PatEntry) []mapEntry {
	out := make([]mapEntry, len(es))
	for i, e := range es {
		out[i] = mapEntry{key: e.Key, value: e.Value, noValue: e.NoValue}
	}
	return out
}

// typedOut reads a map value (or a default) as the output type.
func typedOut(out haproxy.SampleType, s string) (value, bool) {
	switch out {
	case haproxy.SampleSInt: // map_parse_int: read_int64 over the whole text
		digits := strings.TrimLeft(s, "+-")
		if len(s)-len(digits) > 1 || strings.Trim(digits, "0123456789") != "" {
			return value{}, false
		}
		return value{t: haproxy.SampleSInt, i: readInt64(s)}, true
	case haproxy.SampleIPv4: // map_parse_ip: buf2ip, else an IPv6 address
		v := value{t: haproxy.SampleStr, s: s}
		return v, strToAddr(&v)
	}
	return value{t: haproxy.SampleStr, s: s}, true
}

// mapRow is one entry once read: its key as the match reads it and its
// typed value (val.s is the raw value for map_regm, which substitutes).
type mapRow struct {
	key string
	re  *bytere.Regexp
	lo  int64
	hi  int64
	pfx netip.Prefix
	// mapIP, an IPv4 key with a non-contiguous mask
	addr4, mask4 uint32
	val          value
}

// mapTable is a loaded map, ready for lookups.
type mapTable struct {
	m     mapMatch
	rows  []mapRow
	exact map[string]int // mapStr, mapBeg: key -> first row with it
	nets  map[netip.Prefix]int
	bits4 []int // mapIP: the prefix lengths present, longest first
	bits6 []int
	list4 []int // mapIP: the rows of non-contiguous IPv4 masks
}

// newMapTable reads every entry's key for the match and its value as out;
// an entry that does not parse makes the map unusable, as in HAProxy.
func newMapTable(m mapMatch, out haproxy.SampleType, entries []mapEntry) (*mapTable, error) {
	t := &mapTable{m: m}
	switch m {
	case mapStr, mapBeg:
		t.exact = make(map[string]int, len(entries))
	case mapIP:
		t.nets = make(map[netip.Prefix]int, len(entries))
	}
	for _, e := range entries {
		r := mapRow{key: e.key}
		var ok bool
		if e.noValue { // HAProxy's sample_conv_map: a match without data is bool 1
			r.val, ok = value{t: haproxy.SampleBool, i: 1}, true
		}
		if !ok {
			r.val, ok = typedOut(out, e.value)
		}
		if !ok {
			return nil, fmt.Errorf("unable to parse value '%s' as %s", e.value, out)
		}
		switch m {
		case mapStr, mapBeg:
			if _, dup := t.exact[e.key]; !dup {
				t.exact[e.key] = len(t.rows)
			}
		case mapReg, mapRegm:
			re, err := bytere.Compile(e.key)
			if err != nil {
				return nil, fmt.Errorf("regex '%s' is invalid (error=%s)", e.key, pcreLike(err))
			}
			r.re = re
		case mapInt:
			lo, hi, err := int64Range(e.key)
			if err != nil {
				return nil, fmt.Errorf("'%s' is not a valid integer range", e.key)
			}
			r.lo, r.hi = lo, hi
		case mapIP:
			ip, err := parseIPPattern(e.key)
			if err != nil {
				return nil, fmt.Errorf("'%s' is not a valid IPv4 or IPv6 address", e.key)
			}
			if ip.v4 && !contiguous(ip.mask) { // HAProxy's list, after its trees
				r.addr4, r.mask4 = ip.addr, ip.mask
				t.list4 = append(t.list4, len(t.rows))
				break
			}
			r.pfx = ip.prefix()
			if _, dup := t.nets[r.pfx]; !dup {
				t.nets[r.pfx] = len(t.rows)
				if r.pfx.Addr().Is4() {
					t.bits4 = addBits(t.bits4, r.pfx.Bits())
				} else {
					t.bits6 = addBits(t.bits6, r.pfx.Bits())
				}
			}
		}
		t.rows = append(t.rows, r)
	}
	return t, nil
}

func pcreLike(err error) string {
	s := err.Error()
	if i := strings.LastIndex(s, ": "); i >= 0 {
		return s[:i]
	}
	return s
}

// int64Range reads an integer key as HAProxy 2.6's pat_parse_int does
// (measured with haproxy -c and requests): the first ':' or '-' separates
// the bounds of a range, so "-7" is every integer up to 7, "5-9" is
// "5:9" and "-3:5" is refused; a bound left empty is open; the lower bound
// is digits only, the upper one may be negative (":-1"); a '+' is refused;
// lower > upper is refused.
func int64Range(k string) (int64, int64, error) {
	digits := func(s string) (int64, error) {
		if s == "" || strings.Trim(s, "0123456789") != "" {
			return 0, fmt.Errorf("'%s' is not a number", k)
		}
		return strconv.ParseInt(s, 10, 64)
	}
	i := strings.IndexAny(k, ":-")
	if i < 0 {
		n, err := digits(k)
		return n, n, err
	}
	l, h := int64(-1<<63), int64(1<<63-1)
	var err error
	if i > 0 {
		if l, err = digits(k[:i]); err != nil {
			return 0, 0, err
		}
	}
	if hi := k[i+1:]; hi != "" {
		neg := strings.HasPrefix(hi, "-")
		if h, err = digits(strings.TrimPrefix(hi, "-")); err != nil {
			return 0, 0, fmt.Errorf("'%s' is not a valid number range", k)
		}
		if neg {
			h = -h
		}
	}
	if l > h {
		return 0, 0, fmt.Errorf("'%s' is not a valid number range", k)
	}
	return l, h, nil
}

// lookup finds v's entry (v is of the converter's input type) and returns
// its value.
func (t *mapTable) lookup(v *value) (value, bool) {
	i := t.find(v)
	if i < 0 {
		return value{}, false
	}
	r := &t.rows[i]
	if t.m == mapRegm {
		sub := r.re.FindStringSubmatchIndex(v.s)
		return value{t: haproxy.SampleStr, s: expandRefs(r.val.s, v.s, sub)}, true
	}
	return r.val, true
}

// smallMap is how many rows a map_str compares one by one rather than
// look up by hash.
const smallMap = 4

// find is the index of v's entry, -1 when none matches.
func (t *mapTable) find(v *value) int {
	switch t.m {
	case mapStr:
		key := cString(v.s)
		if len(t.rows) <= smallMap {
			// a few keys: compared in file order, without hashing
			// (the first of equal keys wins, as in exact)
			for i := range t.rows {
				if t.rows[i].key == key {
					return i
				}
			}
			return -1
		}
		if i, ok := t.exact[key]; ok {
			return i
		}
		return -1
	case mapBeg: // the longest key that starts the sample
		for l := len(v.s); l >= 0; l-- {
			if i, ok := t.exact[v.s[:l]]; ok {
				return i
			}
		}
		return -1
	case mapIP:
		return t.findIP(v.a)
	case mapInt:
		for i, r := range t.rows {
			if v.i >= r.lo && v.i <= r.hi {
				return i
			}
		}
		return -1
	}
	for i, r := range t.rows {
		if t.listMatch(v.s, r) {
			return i
		}
	}
	return -1
}

// listMatch is the test of the list matches (first in file order wins).
func (t *mapTable) listMatch(s string, r mapRow) bool {
	switch t.m {
	case mapEnd:
		return strings.HasSuffix(s, r.key)
	case mapSub:
		return strings.Contains(s, r.key)
	case mapDir:
		return delimited(s, r.key, dirDelims)
	case mapDom:
		return delimited(s, r.key, domDelims)
	case mapReg, mapRegm:
		return r.re.MatchString(s)
	}
	return false
}

// findIP is HAProxy 2.6's pat_match_ip: the longest prefix containing a
// among the networks of its family, then (an IPv4 address as ::ffff:a.b.c.d;
// an IPv6 address carrying an IPv4 one, embeddedIPv4) the other family's,
// then the IPv4 keys with non-contiguous masks in file order.
func (t *mapTable) findIP(a netip.Addr) int {
	best := func(addr netip.Addr, bits []int) int {
		for _, b := range bits {
			if p, err := addr.Prefix(b); err == nil {
				if i, ok := t.nets[p]; ok {
					return i
				}
			}
		}
		return -1
	}
	v4, has4 := embeddedIPv4(a)
	if a.Is4() {
		if i := best(a, t.bits4); i >= 0 {
			return i
		}
		if i := best(netip.AddrFrom16(a.As16()), t.bits6); i >= 0 {
			return i
		}
	} else {
		if i := best(a, t.bits6); i >= 0 || !has4 {
			return i
		}
		if i := best(addr4(v4), t.bits4); i >= 0 {
			return i
		}
	}
	for _, i := range t.list4 {
		if r := t.rows[i]; (v4^r.addr4)&r.mask4 == 0 {
			return i
		}
	}
	return -1
}

// addBits inserts a prefix length into a list kept longest first.
func addBits(bits []int, b int) []int {
	for i, x := range bits {
		if x == b {
			return bits
		}
		if x < b {
			return append(bits[:i], append([]int{b}, bits[i:]...)...)
		}
	}
	return append(bits, b)
}

// expandRefs replaces \0 to \9 in tmpl by the groups of a match of s
// (map_regm's value; a group that did not take part is empty).
func expandRefs(tmpl, s string, sub []int) string {
	var b strings.Builder
	for i := 0; i < len(tmpl); i++ {
		c := tmpl[i]
		if c == '\\' && i+1 < len(tmpl) && tmpl[i+1] >= '0' && tmpl[i+1] <= '9' {
			g := int(tmpl[i+1] - '0')
			if 2*g+1 < len(sub) && sub[2*g] >= 0 {
				b.WriteString(s[sub[2*g]:sub[2*g+1]])
			}
			i++
			continue
		}
		b.WriteByte(c)
	}
	return b.String()
}

// mapKindNames are the match names "get map" prints (HAProxy's pattern
// match names).
var mapKindNames = [...]string{mapStr: "str", mapBeg: "beg", mapEnd: "end", mapSub: "sub", mapDir: "dir",
	mapDom: "dom", mapReg: "reg", mapRegm: "regm", mapInt: "int", mapIP: "ip"}

// probe is the runtime API's "get map" line of this user for a sample
// given as text (cast to the converter's input type).
func (t *mapTable) probe(sample string, in haproxy.SampleType) string {
	head := "type=" + mapKindNames[t.m] + ", case=sensitive, "
	v := value{t: haproxy.SampleStr, s: sample}
	if in != haproxy.SampleStr && !v.cast(in) {
		return head + "found=no"
	}
	i := t.find(&v)
	if i < 0 {
		return head + "found=no"
	}
	idx := "list"
	switch t.m {
	case mapStr, mapBeg, mapIP:
		idx = "tree"
	}
	val, _ := t.lookup(&v)
	typ := val.t
	text, _ := val.text()
	return fmt.Sprintf("%sfound=yes, idx=%s, key=\"%s\", value=\"%s\", type=\"%s\"", head, idx, t.rows[i].key, text, typ)
}
