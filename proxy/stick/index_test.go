package stick

import (
	"math/rand/v2"
	"testing"
)

// The open-addressing index against a map, through random inserts and
// deletes that wrap around its slots and force growth.
func TestIndexMatchesMap(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for _, str := range []bool{false, true} {
		x := newIndex(4, str)
		model := map[[4]byte]uint32{}
		var free []uint32
		next := uint32(1)
		for op := 0; op < 20000; op++ {
			var k [4]byte
			k[0], k[1] = byte(r.IntN(40)+1), byte(r.IntN(4)+1)
			i, at := x.find(k[:])
			if want, ok := model[k]; ok != (i != 0) || ok && want != i {
				t.Fatalf("op %d: find %v = %d, model %d %v", op, k, i, want, ok)
			}
			if i != 0 {
				x.delete(at)
				delete(model, k)
				free = append(free, i)
				continue
			}
			n := next
			if len(free) > 0 {
				n, free = free[len(free)-1], free[:len(free)-1]
			} else {
				next++
			}
			x.setKey(n, k[:])
			x.insert(n)
			model[k] = n
		}
		if x.n != len(model) {
			t.Fatalf("%d indexed, model %d", x.n, len(model))
		}
	}
}
