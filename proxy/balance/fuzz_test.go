package balance

import (
	"strings"
	"testing"
)

// FuzzBalancerOps drives every algorithm with a byte-coded sequence of
// picks and server changes and checks the invariants that hold whatever
// the history: a pick is Up with weight > 0, a backup is only picked when
// no active server is usable, and nil only when nothing is usable.
func FuzzBalancerOps(f *testing.F) {
	f.Add([]byte{0, 0, 0, 0x41, 0, 0x12, 0, 0x83, 0, 0x20, 0})
	f.Add([]byte{0x10, 0x11, 0x12, 0x13, 0, 0, 0x93, 0x22, 0})
	f.Add([]byte{0xc1, 0xc2, 0, 0x51, 0x52, 0x53, 0, 0, 0xff})
	f.Fuzz(func(t *testing.T, ops []byte) {
		if len(ops) > 400 {
			ops = ops[:400]
		}
		for _, a := range allAlgos {
			srv := servers(1, 2, 3, 1)
			srv[3].Backup = true
			o := a.opts
			o.Rand = splitmix(uint64(len(ops)))
			b := mustNew(t, a.algo, a.args, srv, o)
			for i, op := range ops {
				s := srv[int(op>>4)%len(srv)]
				switch op & 0xf {
				case 0, 1, 2, 3, 4, 5:
					checkPick(t, a.algo, srv, b.Pick(varied(i+int(op))))
					continue
				case 6:
					s.Up = !s.Up
				case 7:
					s.Backup = !s.Backup
				case 8:
					s.Weight = 0
				default:
					s.Weight = int(op) // 9..255 (> 256 is clamped)
				}
				b.Update()
			}
		}
	})
}

func checkPick(t *testing.T, algo string, srv []*Server, p *Server) {
	t.Helper()
	act, bck := 0, 0
	for _, s := range srv {
		if usableNow(s) {
			if s.Backup {
				bck++
			} else {
				act++
			}
		}
	}
	switch {
	case p == nil:
		if act+bck > 0 {
			t.Fatalf("%s: nil pick with %d active and %d backup usable", algo, act, bck)
		}
	case !usableNow(p):
		t.Fatalf("%s: picked unusable %s (up=%v weight=%d)", algo, p.Name, p.Up, p.Weight)
	case p.Backup && act > 0:
		t.Fatalf("%s: picked backup %s with %d active servers usable", algo, p.Name, act)
	case !p.Backup && act == 0:
		t.Fatalf("%s: picked %s, not usable as active", algo, p.Name)
	}
}

// FuzzURIKey: the hashed part of a URI is always a prefix of the target
// (or of its path with path-only) and never contains '?' unless whole.
func FuzzURIKey(f *testing.F) {
	f.Add("/a/b?c", uint8(2), uint8(3), false, false)
	f.Add("http://x/y/z?q", uint8(0), uint8(1), true, false)
	f.Add("", uint8(1), uint8(1), false, true)
	f.Fuzz(func(t *testing.T, uri string, length, depth uint8, pathOnly, whole bool) {
		k := uriKey{length: int(length), depth: int(depth), pathOnly: pathOnly, whole: whole}
		got := k.cut(uri)
		base := uri
		if pathOnly {
			base = pathOf(uri)
		}
		if !strings.HasPrefix(base, got) {
			t.Fatalf("cut(%q) = %q, not a prefix of %q", uri, got, base)
		}
		if !whole && strings.Contains(got, "?") {
			t.Fatalf("cut(%q) = %q keeps the query", uri, got)
		}
		if length > 0 && len(got) > int(length) {
			t.Fatalf("cut(%q) = %q longer than %d", uri, got, length)
		}
	})
}
