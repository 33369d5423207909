package proxy

// The buffer-holding tests (idle sessions, relays) read buffersInUse;
// the HTTP/2 benchmarks count system calls with rawCalls.
func init() { countBuffers, countRawCalls = true, true }
