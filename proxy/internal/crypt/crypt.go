// Package crypt computes the crypt(3) password hashes a HAProxy userlist
// may hold, as Debian's libcrypt (libxcrypt) computes them for HAProxy
// 2.6: "$1$" (MD5-crypt), "$5$" (SHA-256-crypt) and "$6$"
// (SHA-512-crypt), after the published algorithm descriptions (Poul-Henning
// Kamp's MD5-crypt; Ulrich Drepper's "Unix crypt using SHA-256 and
// SHA-512"). Other methods (DES, bcrypt, yescrypt, ...) are not computed:
// Supported says so, and a configuration holding one is refused upstream.
//
// A setting libxcrypt refuses (a salt character outside "./0-9A-Za-z",
// rounds below 1000, above 999999999 or written with a leading zero) makes
// Crypt fail, as crypt(3) then returns "*0", which never equals a stored
// hash.
package crypt

import (
	"crypto/md5"
	"crypto/sha256"
	"crypto/sha512"
	"crypto/subtle"
	"hash"
	"strconv"
	"strings"
)

// alphabet is crypt's base-64 alphabet.
const alphabet = "./0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

// Supported says whether hash names a method this package computes.
func Supported(hash string) bool {
	return strings.HasPrefix(hash, "$1$") || strings.HasPrefix(hash, "$5$") || strings.HasPrefix(hash, "$6$")
}

// Verify is HAProxy's check of a userlist password: crypt(pass, stored)
// must give stored back.
func Verify(pass, stored string) bool {
	got, ok := Crypt(pass, stored)
	return ok && subtle.ConstantTimeCompare([]byte(got), []byte(stored)) == 1
}

// Crypt hashes key with the method, salt and rounds of setting (a stored
// hash or just its "$id$[rounds=N$]salt" prefix); ok is false where
// crypt(3) fails.
func Crypt(key, setting string) (string, bool) {
	switch {
	case strings.HasPrefix(setting, "$1$"):
		return md5Crypt(key, setting[3:])
	case strings.HasPrefix(setting, "$5$"):
		return shaCrypt(key, setting[3:], "$5$", sha256.New, sha256Order)
	case strings.HasPrefix(setting, "$6$"):
		return shaCrypt(key, setting[3:], "$6$", sha512.New, sha512Order)
	}
	return "", false
}

// saltOf is the salt at the start of rest: up to the next '$' or the end,
// at most max characters, each from the alphabet.
func saltOf(rest string, max int) (string, bool) {
	if i := strings.IndexByte(rest, '$'); i >= 0 {
		rest = rest[:i]
	}
	if len(rest) > max {
		rest = rest[:max]
	}
	for i := 0; i < len(rest); i++ {
		if strings.IndexByte(alphabet, rest[i]) < 0 {
			return "", false
		}
	}
	return rest, true
}

// encode24 appends n characters for the 24-bit group b2 b1 b0, least
// significant six bits first.
func encode24(out []byte, b2, b1, b0 byte, n int) []byte {
	w := uint(b2)<<16 | uint(b1)<<8 | uint(b0)
	for ; n > 0; n-- {
		out = append(out, alphabet[w&0x3f])
		w >>= 6
	}
	return out
}

// md5Crypt is "$1$": salt of at most 8 characters, 1000 rounds.
func md5Crypt(key, rest string) (string, bool) {
	salt, ok := saltOf(rest, 8)
	if !ok {
		return "", false
	}
	alt := md5.Sum([]byte(key + salt + key))
	h := md5.New()
	h.Write([]byte(key + "$1$" + salt))
	for n := len(key); n > 0; n -= 16 {
		h.Write(alt[:min(n, 16)])
	}
	for n := len(key); n > 0; n >>= 1 {
		if n&1 != 0 {
			h.Write([]byte{0})
		} else {
			h.Write([]byte{key[0]})
		}
	}
	sum := h.Sum(nil)
	for i := 0; i < 1000; i++ {
		h.Reset()
		if i&1 != 0 {
			h.Write([]byte(key))
		} else {
			h.Write(sum)
		}
		if i%3 != 0 {
			h.Write([]byte(salt))
		}
		if i%7 != 0 {
			h.Write([]byte(key))
		}
		if i&1 != 0 {
			h.Write(sum)
		} else {
			h.Write([]byte(key))
		}
		sum = h.Sum(sum[:0])
	}
	out := []byte("$1$" + salt + "$")
	for _, g := range [][3]int{{0, 6, 12}, {1, 7, 13}, {2, 8, 14}, {3, 9, 15}, {4, 10, 5}} {
		out = encode24(out, sum[g[0]], sum[g[1]], sum[g[2]], 4)
	}
	out = encode24(out, 0, 0, sum[11], 2)
	return string(out), true
}

// The byte order of the SHA-crypt encodings: triples (b2, b1, b0) of 4
// characters, then the last group of the given width.
var (
	sha256Order = shaOrder{
		triples: [][3]int{{0, 10, 20}, {21, 1, 11}, {12, 22, 2}, {3, 13, 23}, {24, 4, 14},
			{15, 25, 5}, {6, 16, 26}, {27, 7, 17}, {18, 28, 8}, {9, 19, 29}},
		last: [3]int{-1, 31, 30}, lastWidth: 3,
	}
	sha512Order = shaOrder{
		triples: [][3]int{{0, 21, 42}, {22, 43, 1}, {44, 2, 23}, {3, 24, 45}, {25, 46, 4},
			{47, 5, 26}, {6, 27, 48}, {28, 49, 7}, {50, 8, 29}, {9, 30, 51}, {31, 52, 10},
			{53, 11, 32}, {12, 33, 54}, {34, 55, 13}, {56, 14, 35}, {15, 36, 57}, {37, 58, 16},
			{59, 17, 38}, {18, 39, 60}, {40, 61, 19}, {62, 20, 41}},
		last: [3]int{-1, -1, 63}, lastWidth: 2,
	}
)

type shaOrder struct {
	triples   [][3]int
	last      [3]int // -1: a zero byte
	lastWidth int
}

const (
	roundsPrefix  = "rounds="
	defaultRounds = 5000
	minRounds     = 1000
	maxRounds     = 999999999
)

// shaCrypt is "$5$" and "$6$": an optional "rounds=N$", a salt of at most
// 16 characters.
func shaCrypt(key, rest, magic string, newHash func() hash.Hash, order shaOrder) (string, bool) {
	rounds, custom := defaultRounds, false
	if r, ok := strings.CutPrefix(rest, roundsPrefix); ok {
		num, after, found := strings.Cut(r, "$")
		if !found || num == "" || num[0] == '0' {
			return "", false
		}
		n, err := strconv.Atoi(num)
		if err != nil || n < minRounds || n > maxRounds {
			return "", false
		}
		rounds, custom, rest = n, true, after
	}
	salt, ok := saltOf(rest, 16)
	if !ok {
		return "", false
	}
	k, s := []byte(key), []byte(salt)
	h := newHash()
	size := h.Size()

	h.Write(k)
	h.Write(s)
	h.Write(k)
	b := h.Sum(nil)

	h.Reset()
	h.Write(k)
	h.Write(s)
	n := len(k)
	for ; n > size; n -= size {
		h.Write(b)
	}
	h.Write(b[:n])
	for n := len(k); n > 0; n >>= 1 {
		if n&1 != 0 {
			h.Write(b)
		} else {
			h.Write(k)
		}
	}
	a := h.Sum(nil)

	h.Reset()
	for range len(k) {
		h.Write(k)
	}
	pseq := repeatTo(h.Sum(nil), len(k))

	h.Reset()
	for range 16 + int(a[0]) {
		h.Write(s)
	}
	sseq := repeatTo(h.Sum(nil), len(s))

	c := a
	for i := 0; i < rounds; i++ {
		h.Reset()
		if i&1 != 0 {
			h.Write(pseq)
		} else {
			h.Write(c)
		}
		if i%3 != 0 {
			h.Write(sseq)
		}
		if i%7 != 0 {
			h.Write(pseq)
		}
		if i&1 != 0 {
			h.Write(c)
		} else {
			h.Write(pseq)
		}
		c = h.Sum(c[:0])
	}

	out := []byte(magic)
	if custom {
		out = append(out, roundsPrefix+strconv.Itoa(rounds)+"$"...)
	}
	out = append(out, salt...)
	out = append(out, '$')
	for _, t := range order.triples {
		out = encode24(out, c[t[0]], c[t[1]], c[t[2]], 4)
	}
	byteAt := func(i int) byte {
		if i < 0 {
			return 0
		}
		return c[i]
	}
	out = encode24(out, byteAt(order.last[0]), byteAt(order.last[1]), byteAt(order.last[2]), order.lastWidth)
	return string(out), true
}

// repeatTo is d repeated to n bytes (the P and S sequences).
func repeatTo(d []byte, n int) []byte {
	out := make([]byte, 0, n)
	for len(out) < n {
		out = append(out, d[:min(len(d), n-len(out))]...)
	}
	return out
}
