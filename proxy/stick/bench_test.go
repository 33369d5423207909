package stick

import (
	"encoding/binary"
	"runtime"
	"testing"
)

// BenchmarkTrack is the cost a tracked request adds: track, count the
// request, read the rate, release.
func BenchmarkTrack(b *testing.B) {
	tb, _ := New(Config{Name: "t", Key: KeyIP, Size: 100000, Expire: 30000,
		Stores: []Store{{Type: HTTPReqRate, Period: 10000}, {Type: ConnCur}, {Type: GPC0}}})
	key := []byte{10, 0, 0, 0}
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		key[3] = byte(i)
		now := uint32(i)
		r, _ := tb.Track(key, now)
		r.AddPair(HTTPReqCnt, HTTPReqRate, 1, now)
		r.Value(HTTPReqRate, 0, now)
		r.Release(true, now)
	}
}

// BenchmarkMemory1M fills a `type ip size 1m store http_req_rate(10s)`
// table and reports the heap it holds per entry.
func BenchmarkMemory1M(b *testing.B) {
	const n = 1 << 20
	for b.Loop() {
		runtime.GC()
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		tb, _ := New(Config{Name: "t", Key: KeyIP, Size: n, Expire: 30000, Stores: []Store{{Type: HTTPReqRate, Period: 10000}}})
		var key [4]byte
		for i := range n {
			binary.BigEndian.PutUint32(key[:], uint32(i)+0x0a000000)
			now := uint32(1000 + i/1000) // 1000 new keys a ms: none expires
			r, _ := tb.Track(key[:], now)
			r.AddPair(HTTPReqCnt, HTTPReqRate, 1, now)
			r.Release(true, now)
		}
		runtime.GC()
		runtime.ReadMemStats(&after)
		if tb.Used() != n {
			b.Fatalf("%d entries", tb.Used())
		}
		b.ReportMetric(float64(after.HeapAlloc-before.HeapAlloc)/n, "bytes/entry")
		runtime.KeepAlive(tb)
	}
}
