package proxy

import (
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/goha-lb/goha/proxy/http1"
)

// TestEditedNamesFilter runs random add and del sequences, names in
// random case, on editedHeaders and on a plain list edited by full
// scans: the names filter must never make del miss a field, whether the
// names are hashed per call (add, del) or once per rule (addKept,
// delNamed with ruleNamesOf's).
func TestEditedNamesFilter(t *testing.T) {
	names := []string{"host", "x-a", "x-b", "X-Forwarded-For", "proxy", "a", "", "x-backend", "x-bAckend", "conNection", "x-hash", "x-path"}
	rng := rand.New(rand.NewPCG(1, 2))
	randCase := func(s string) string {
		b := []byte(s)
		for i := range b {
			if rng.IntN(2) == 0 {
				b[i] = strings.ToUpper(string(b[i]))[0]
			}
		}
		return string(b)
	}
	for round := range 2000 {
		var start []http1.Header
		for range rng.IntN(4) {
			start = append(start, http1.Header{Name: []byte(randCase(names[rng.IntN(len(names))])), Value: []byte("v")})
		}
		var e editedHeaders
		e.start(start)
		ref := append([]http1.Header(nil), start...)
		for range 12 {
			n := randCase(names[rng.IntN(len(names))])
			rns, _ := ruleNamesOf([]HeaderRule{{Name: n}}) // a rule's, made once
			rn := rns[0]
			if rng.IntN(2) == 0 {
				if rng.IntN(2) == 0 {
					e.add(n, []byte("w"))
				} else if rn.lower != "" {
					e.addKept(e.constant(rn.lower), []byte("w"), rn.key)
				} else {
					e.add(n, []byte("w"))
				}
				ref = append(ref, http1.Header{Name: []byte(strings.ToLower(n)), Value: []byte("w")})
				continue
			}
			if rng.IntN(2) == 0 {
				e.del(n)
			} else {
				e.delNamed(n, rn)
			}
			out := ref[:0]
			for _, h := range ref {
				if !strings.EqualFold(string(h.Name), n) {
					out = append(out, h)
				}
			}
			ref = out
			if len(e.list) != len(ref) {
				t.Fatalf("round %d: del %q left %d fields, want %d", round, n, len(e.list), len(ref))
			}
		}
		for i := range ref {
			if string(e.list[i].Name) != string(ref[i].Name) || string(e.list[i].Value) != string(ref[i].Value) {
				t.Fatalf("round %d: field %d %q, want %q", round, i, e.list[i].Name, ref[i].Name)
			}
			if !e.names.mayHave(nameKey(ref[i].Name)) {
				t.Fatalf("round %d: the filter misses %q", round, ref[i].Name)
			}
		}
	}
}

// TestNameKeyLowersFourBytesAtOnce checks nameKey against the key made a
// byte at a time (its length, then each of its last four bytes lowered),
// for every byte value at each of the four places and random names.
func TestNameKeyLowersFourBytesAtOnce(t *testing.T) {
	byByte := func(name []byte) uint64 {
		h := uint64(len(name))
		for i := max(0, len(name)-4); i < len(name); i++ {
			h = h<<8 | uint64(lowerByte(name[i]))
		}
		return h * 0x9e3779b97f4a7c15
	}
	check := func(name []byte) {
		if got, want := nameKey(name), byByte(name); got != want {
			t.Fatalf("nameKey(%q) = %#x, want %#x", name, got, want)
		}
		if got := nameKey(string(name)); got != byByte(name) {
			t.Fatalf("nameKey(string %q) = %#x", name, got)
		}
	}
	for c := range 256 {
		for at := range 4 {
			name := []byte("x-AbCd")
			name[len(name)-4+at] = byte(c)
			check(name)
			check(name[len(name)-4:])
		}
		check([]byte{byte(c)})
	}
	rng := rand.New(rand.NewPCG(3, 4))
	for range 10000 {
		name := make([]byte, rng.IntN(12))
		for i := range name {
			name[i] = byte(rng.IntN(256))
		}
		check(name)
	}
}
