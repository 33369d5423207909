package hashfn

import "unsafe"

// bytesOf is a read-only view of s as bytes (crc32 takes a []byte and
// only reads it; no copy per key).
func bytesOf(s string) []byte { return unsafe.Slice(unsafe.StringData(s), len(s)) }
