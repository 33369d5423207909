package hashfn

import "math/bits"

// XXH32 primes (the xxHash specification).
const (
	xp1 uint32 = 2654435761
	xp2 uint32 = 2246822519
	xp3 uint32 = 3266489917
	xp4 uint32 = 668265263
	xp5 uint32 = 374761393
)

func xxh32Round(acc, in uint32) uint32 {
	return bits.RotateLeft32(acc+in*xp2, 13) * xp1
}

func le32(s string, i int) uint32 {
	return uint32(s[i]) | uint32(s[i+1])<<8 | uint32(s[i+2])<<16 | uint32(s[i+3])<<24
}

// XXH32 is the 32-bit xxHash of s with a seed, per the xxHash
// specification (the xxh32 converter; the keys of DNS answer records in
// resolvers.c).
func XXH32(s string, seed uint32) uint32 {
	n := len(s)
	var h uint32
	p := 0
	if n >= 16 {
		v1, v2, v3, v4 := seed+xp1+xp2, seed+xp2, seed, seed-xp1
		for ; p+16 <= n; p += 16 {
			v1 = xxh32Round(v1, le32(s, p))
			v2 = xxh32Round(v2, le32(s, p+4))
			v3 = xxh32Round(v3, le32(s, p+8))
			v4 = xxh32Round(v4, le32(s, p+12))
		}
		h = bits.RotateLeft32(v1, 1) + bits.RotateLeft32(v2, 7) + bits.RotateLeft32(v3, 12) + bits.RotateLeft32(v4, 18)
	} else {
		h = seed + xp5
	}
	h += uint32(n)
	for ; p+4 <= n; p += 4 {
		h = bits.RotateLeft32(h+le32(s, p)*xp3, 17) * xp4
	}
	for ; p < n; p++ {
		h = bits.RotateLeft32(h+uint32(s[p])*xp5, 11) * xp1
	}
	h ^= h >> 15
	h *= xp2
	h ^= h >> 13
	h *= xp3
	h ^= h >> 16
	return h
}
