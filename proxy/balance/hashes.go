package balance

import "hash/crc32"

// HAProxy's hash functions (`hash-type ... <function>`). HAProxy reads keys
// through a plain `char *`, which is signed on the x86 and arm64 builds we
// replace, so bytes >= 0x80 enter sdbm, djb2 and wt6 sign-extended; sc does
// the same here so non-ASCII keys land on the same servers.

func sc(b byte) uint32 { return uint32(int32(int8(b))) }

// hashSDBM is HAProxy's default hash function.
func hashSDBM(key string) uint32 {
	var h uint32
	for i := 0; i < len(key); i++ {
		h = sc(key[i]) + (h << 6) + (h << 16) - h
	}
	return h
}

func hashDJB2(key string) uint32 {
	h := uint32(5381)
	for i := 0; i < len(key); i++ {
		h = (h << 5) + h + sc(key[i])
	}
	return h
}

// hashWT6 is Willy Tarreau's 6-step hash.
func hashWT6(key string) uint32 {
	h0, h1 := uint32(0xa53c965a), uint32(0x5ca6953a)
	step0, step1 := uint32(6), uint32(18)
	for i := 0; i < len(key); i++ {
		t := sc(key[i])
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

func hashCRC32(key string) uint32 { return crc32.ChecksumIEEE([]byte(key)) }

// fullHash is HAProxy's avalanche (Bob Jenkins' integer hash followed by a
// multiplication that spreads values over the 32-bit ring). Consistent
// hashing places server nodes with it and `avalanche` applies it to keys.
func fullHash(a uint32) uint32 {
	a = (a + 0x7ed55d16) + (a << 12)
	a = (a ^ 0xc761c23c) ^ (a >> 19)
	a = (a + 0x165667b1) + (a << 5)
	a = (a + 0xd3a2646c) ^ (a << 9)
	a = (a + 0xfd7046c5) + (a << 3)
	a = (a ^ 0xb55a4f09) ^ (a >> 16)
	return a * 3221225473
}
