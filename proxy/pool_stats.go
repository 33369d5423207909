package proxy

import "sync/atomic"

// made counts the buffers each pool allocated (its New calls: rare, so
// counting costs nothing on the request path).
var made struct{ buf, small, stream atomic.Int64 }

// PoolStat is one buffer pool for `show pools`: its name, object size and
// the objects it allocated. Go's pools keep no count of the objects taken
// at a time; HAProxy counts its per-thread caches as used too, so the
// figure stands for both.
type PoolStat struct {
	Name      string
	Size      int
	Allocated int64
}

// PoolStats lists the session buffer pools.
func PoolStats() []PoolStat {
	return []PoolStat{
		{Name: "small_buf", Size: 1024, Allocated: made.small.Load()},
		{Name: "buffer", Size: bufSize, Allocated: made.buf.Load()},
		{Name: "stream_buf", Size: streamBufSize, Allocated: made.stream.Load()},
	}
}
