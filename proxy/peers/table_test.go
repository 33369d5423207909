package peers

import (
	"bytes"
	"errors"
	"reflect"
	"testing"
)

func TestDefineRoundTrip(t *testing.T) {
	d := ipDef()
	d.ID = 5
	d.Types |= 1<<DTGPCRate | 1<<DTGPT | 1<<DTServerKey
	d.NbElem[DTGPCRate], d.Period[DTGPCRate], d.NbElem[DTGPT] = 3, 2000, 4
	f, n, err := ParseFrame(AppendDefine(nil, &d))
	if err != nil || n == 0 || f.Type != StktDefine {
		t.Fatalf("frame %+v %d %v", f, n, err)
	}
	got, err := DecodeDefine(f.Data)
	if err != nil || !reflect.DeepEqual(got, d) {
		t.Errorf("decoded %+v, %v\nwant %+v", got, err, d)
	}
}

// The definition checks of peer_treat_definemsg: what is a protocol error
// (the session closes), what only makes the table unknown.
func TestDecodeDefineErrors(t *testing.T) {
	v := func(xs ...uint64) []byte {
		var b []byte
		for _, x := range xs {
			b = AppendVarint(b, x)
		}
		return b
	}
	cat := func(parts ...[]byte) []byte { return bytes.Join(parts, nil) }
	name := []byte("st")
	cases := []struct {
		name      string
		data      []byte
		malformed bool // always a protocol error
		ifKnown   bool // a protocol error only for a known table name
		ignored   bool
	}{
		{"empty", nil, true, false, false},
		{"no name length", v(1), true, false, false},
		{"empty name", cat(v(1, 0), name), true, false, false},
		{"name to the end", cat(v(1, 2), name), true, false, false},
		{"no key type", cat(v(1, 2), name, []byte{0xf0}), false, true, false},
		{"no data types", cat(v(1, 2), name, v(4, 4)), false, true, false},
		{"old sender without expire", cat(v(1, 2), name, v(4, 4, 1<<DTConnCnt)), false, false, false},
		{"array without its size", cat(v(1, 2), name, v(4, 4, 1<<DTGPC)), false, false, true},
		{"rate without period", cat(v(1, 2), name, v(4, 4, 1<<DTConnRate, 100)), false, false, true},
		{"parameters of another type", cat(v(1, 2), name, v(4, 4, 1<<DTConnRate, 100, uint64(DTSessRate), 10)), false, false, true},
		{"complete", cat(v(1, 2), name, v(4, 4, 1<<DTConnRate, 100, uint64(DTConnRate), 10)), false, false, false},
	}
	for _, c := range cases {
		d, err := DecodeDefine(c.data)
		isMal := errors.Is(err, ErrMalformed) && !MalformedOnlyIfKnown(err)
		if isMal != c.malformed || MalformedOnlyIfKnown(err) != c.ifKnown || errors.Is(err, ErrDefineIgnored) != c.ignored {
			t.Errorf("%s: err %v", c.name, err)
		}
		if c.ifKnown && d.Name != "st" {
			t.Errorf("%s: name %q not kept for the known-table check", c.name, d.Name)
		}
	}
}

func TestUpdateKeys(t *testing.T) {
	str := TableDef{KeyType: KeyStr, KeyLen: 5, Types: 1 << DTGPT0}
	b := AppendUpdate(nil, &str, &Update{HasID: true, ID: 1, Key: []byte("abcdefgh"), Values: []Value{{Type: DTGPT0, Num: []uint64{1}}}})
	f, _, _ := ParseFrame(b)
	if want := []byte{0, 0, 0, 1, 4, 'a', 'b', 'c', 'd', 1}; !bytes.Equal(f.Data, want) {
		t.Errorf("string key sent as % x, want % x (cut to len-1)", f.Data, want)
	}
	// A longer key is cut on receipt too, and the rest skipped.
	u, err := DecodeUpdate(StktIncUpdate, []byte{6, 'a', 'b', 'c', 'd', 'e', 'f', 7}, &str)
	if err != nil || string(u.Key) != "abcd" || u.Values[0].Num[0] != 7 {
		t.Errorf("long string key: %v %v", u, err)
	}
	num := TableDef{KeyType: KeySInt, KeyLen: 4}
	f, _, _ = ParseFrame(AppendUpdate(nil, &num, &Update{Key: []byte{0, 0, 1, 2}}))
	if f.Type != StktIncUpdate || !bytes.Equal(f.Data, []byte{0, 0, 1, 2}) {
		t.Errorf("integer key: %x % x", f.Type, f.Data)
	}
	bin := TableDef{KeyType: KeyBin, KeyLen: 6}
	f, _, _ = ParseFrame(AppendUpdate(nil, &bin, &Update{Timed: true, Expire: 258, Key: []byte{9}}))
	if f.Type != StktIncUpdateTimed || !bytes.Equal(f.Data, []byte{0, 0, 1, 2, 9, 0, 0, 0, 0, 0}) {
		t.Errorf("binary key padded: %x % x", f.Type, f.Data)
	}
	if _, err := DecodeUpdate(StktUpdate, []byte{0, 0, 0}, &bin); !errors.Is(err, ErrMalformed) {
		t.Errorf("short update id: %v", err)
	}
	if _, err := DecodeUpdate(StktIncUpdate, []byte{1, 2, 3}, &bin); !errors.Is(err, ErrMalformed) {
		t.Errorf("short binary key: %v", err)
	}
}

// server_key travels through the per-session dictionary cache: the value
// with its id the first time, the id alone afterwards.
func TestServerKeyDictionary(t *testing.T) {
	def := TableDef{Name: "st", KeyType: KeyIPv4, KeyLen: 4, Expire: 1000, Types: 1 << DTServerKey}
	c := &clock{}
	ta, tb := NewMemTable(def, c.now), NewMemTable(def, c.now)
	a := Dial(Config{Local: "A", Remote: "B", Tables: []Table{ta}}, c.t)
	b := Accept(Config{Local: "B", Known: func(string) bool { return true }, Tables: []Table{tb}}, c.t)
	p := &pair{c: c, a: a, b: b, ta: ta, tb: tb}
	p.pump()
	sk := func(s string) []Value {
		return []Value{{Type: DTServerKey, Dict: DictRef{Present: true, HasValue: true, Value: []byte(s)}}}
	}
	ta.Set(ip4("10.0.0.1"), 0, sk("srv1"))
	a.Tick(c.t)
	first := a.Output()
	b.Feed(c.t, first, false)
	ta.Set(ip4("10.0.0.2"), 0, sk("srv1"))
	a.Tick(c.t)
	second := a.Output()
	b.Feed(c.t, second, false)
	if !bytes.Contains(first, []byte("srv1")) || bytes.Contains(second, []byte("srv1")) {
		t.Errorf("first % x / second % x: value sent once, then its id", first, second)
	}
	for _, k := range []string{"10.0.0.1", "10.0.0.2"} {
		e, _ := tb.Get(ip4(k))
		if v, ok := e.ValueOf(DTServerKey); !ok || string(v.Dict.Value) != "srv1" {
			t.Errorf("%s: server_key %+v", k, v)
		}
	}
}

// KeyOf gives what HAProxy 2.6.12 announced in haproxy26-defines.bin.
func TestKeyOf(t *testing.T) {
	for _, c := range []struct {
		typ  string
		n    int
		kt   KeyType
		klen uint64
	}{
		{"ip", 0, KeyIPv4, 4}, {"ipv6", 0, KeyIPv6, 16}, {"integer", 0, KeySInt, 4},
		{"string", 32, KeyStr, 33}, {"string", 0, KeyStr, 32}, {"binary", 20, KeyBin, 20}, {"binary", 0, KeyBin, 32},
	} {
		kt, kl, ok := KeyOf(c.typ, c.n)
		if !ok || kt != c.kt || kl != c.klen {
			t.Errorf("KeyOf(%s, %d) = %s/%d", c.typ, c.n, kt, kl)
		}
	}
	if _, _, ok := KeyOf("float", 0); ok {
		t.Error("unknown key type accepted")
	}
}
