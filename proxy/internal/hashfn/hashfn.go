// Package hashfn holds HAProxy 2.6's 32-bit hash functions (hash.c):
// sdbm, djb2, wt6 and crc32, and full_hash, its avalanche. Load balancing
// (`hash-type ... <function>`, proxy/balance) and the hash converters and
// the base32 fetch (proxy/acl) use the same functions, as HAProxy does.
//
// HAProxy reads the key as unsigned bytes: measured on 2.6.12 with
// `balance hdr(x)` + `hash-type map-based sdbm` over three servers, the
// keys "é" and "ü" go to the servers the unsigned sums pick, and the djb2
// converter gives 5866513 for "é".
package hashfn

import "hash/crc32"

// SDBM is HAProxy's default hash function.
func SDBM(key string) uint32 { return SDBMFrom(0, key) }

// SDBMFrom continues an sdbm hash h over key: SDBMFrom(SDBM(a), b) is the
// hash of a+b without building it (the base32 fetch hashes host, then path).
func SDBMFrom(h uint32, key string) uint32 {
	for i := 0; i < len(key); i++ {
		h = uint32(key[i]) + h<<6 + h<<16 - h
	}
	return h
}

// DJB2 is Dan Bernstein's hash.
func DJB2(key string) uint32 {
	h := uint32(5381)
	for i := 0; i < len(key); i++ {
		h = h<<5 + h + uint32(key[i])
	}
	return h
}

// WT6 is Willy Tarreau's 6-step hash.
func WT6(key string) uint32 {
	h0, h1 := uint32(0xa53c965a), uint32(0x5ca6953a)
	step0, step1 := uint32(6), uint32(18)
	for i := 0; i < len(key); i++ {
		t := uint32(key[i])
		h0 = ^(h0 ^ t)
		h1 = ^(h1 + t)
		t = h1<<step0 | h1>>(32-step0)
		h1 = h0<<step1 | h0>>(32-step1)
		h0 = t
		t = (h0>>16 ^ h1) & 0xffff
		step0 = t & 0x1f
		step1 = t >> 11
	}
	return h0 ^ h1
}

// CRC32 is the IEEE CRC-32 of the key.
func CRC32(key string) uint32 {
	return crc32.Update(0, crc32.IEEETable, bytesOf(key))
}

// FullHash is HAProxy's full_hash: Bob Jenkins' integer hash followed by
// a multiplication by a prime that spreads values over the 32-bit ring.
// Consistent hashing places server nodes with it; `avalanche` and the
// converters' optional argument apply it to a key's hash.
func FullHash(a uint32) uint32 {
	a = (a + 0x7ed55d16) + (a << 12)
	a = (a ^ 0xc761c23c) ^ (a >> 19)
	a = (a + 0x165667b1) + (a << 5)
	a = (a + 0xd3a2646c) ^ (a << 9)
	a = (a + 0xfd7046c5) + (a << 3)
	a = (a ^ 0xb55a4f09) ^ (a >> 16)
	return a * 3221225473
}
