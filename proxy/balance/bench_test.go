package balance

import (
	"fmt"
	"testing"
)

func BenchmarkPick(b *testing.B) {
	for _, n := range []int{3, 50} {
		ws := make([]int, n)
		for i := range ws {
			ws[i] = 1 + i%4
		}
		for _, a := range allAlgos {
			b.Run(fmt.Sprintf("%s%v/%d", a.algo, a.args, n), func(b *testing.B) {
				bal := mustNew(b, a.algo, a.args, servers(ws...), a.opts)
				reqs := make([]*Request, 64)
				for i := range reqs {
					reqs[i] = varied(i)
				}
				b.ReportAllocs()
				b.ResetTimer()
				for i := 0; i < b.N; i++ {
					bal.Pick(reqs[i&63])
				}
			})
		}
	}
}

func BenchmarkUpdate(b *testing.B) {
	for _, algo := range []string{"roundrobin", "static-rr", "source"} {
		b.Run(algo, func(b *testing.B) {
			srv := servers(1, 2, 3, 4, 5, 6, 7, 8, 9, 10)
			bal := mustNew(b, algo, nil, srv, Options{Consistent: algo == "source"})
			for i := 0; i < b.N; i++ {
				srv[i%10].Up = !srv[i%10].Up
				bal.Update()
			}
		})
	}
}
