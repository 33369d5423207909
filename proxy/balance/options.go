package balance

import (
	"fmt"
	"math/rand/v2"
)

// HashFunc is the `hash-type` function applied to the key of the hashing
// algorithms (uri, url_param, hdr). HAProxy's `source` ignores it and hashes
// the address words directly.
type HashFunc int

const (
	SDBM HashFunc = iota // HAProxy's default
	DJB2
	WT6
	CRC32
)

// Options carry the backend settings that shape a balancer besides `balance`
// itself. The zero value is HAProxy's default: map-based, sdbm, no
// avalanche, first backup only.
type Options struct {
	// Consistent selects `hash-type consistent` (a ring of weighted server
	// nodes) instead of `map-based` (hash modulo the weight table).
	Consistent bool
	Func       HashFunc
	// Avalanche is the `avalanche` modifier: the key's hash goes through
	// HAProxy's full avalanche integer hash before the lookup.
	Avalanche bool
	// HashBalanceFactor is `hash-balance-factor` (0 = off, else >= 100):
	// with consistent hashing (and random), a server already serving more
	// than factor% of its weighted share of the backend's requests is
	// passed over for the next one on the ring.
	HashBalanceFactor int
	// AllBackups is `option allbackups`: when no active server is usable,
	// balance over every usable backup instead of the first one.
	AllBackups bool
	// Rand returns uniform 32-bit values for `random`; nil uses math/rand/v2.
	// Tests set it to get reproducible picks.
	Rand func() uint32
}

// ParseHashType reads the words after `hash-type` ("consistent sdbm
// avalanche", "map-based", ...) into o, as HAProxy 2.6 does: method first,
// then an optional function, then an optional modifier.
func (o *Options) ParseHashType(words []string) error {
	if len(words) == 0 {
		return nil
	}
	switch words[0] {
	case "map-based":
		o.Consistent = false
	case "consistent":
		o.Consistent = true
	default:
		return fmt.Errorf("'hash-type' only supports 'consistent' and 'map-based'")
	}
	o.Func, o.Avalanche = SDBM, false
	if len(words) < 2 || words[1] == "" {
		// HAProxy 2.6: "consistent" without a function means sdbm with
		// the avalanche modifier; "map-based" alone means plain sdbm.
		o.Avalanche = o.Consistent
		return nil
	}
	if len(words) > 1 && words[1] != "" {
		switch words[1] {
		case "sdbm":
			o.Func = SDBM
		case "djb2":
			o.Func = DJB2
		case "wt6":
			o.Func = WT6
		case "crc32":
			o.Func = CRC32
		default:
			return fmt.Errorf("'hash-type' only supports 'sdbm', 'djb2', 'crc32', or 'wt6' hash functions")
		}
	}
	if len(words) > 2 && words[2] != "" {
		if words[2] != "avalanche" {
			return fmt.Errorf("'hash-type' only supports 'avalanche' as a modifier for hash functions")
		}
		o.Avalanche = true
	}
	return nil
}

func (o *Options) hash(key string) uint32 {
	var h uint32
	switch o.Func {
	case DJB2:
		h = hashDJB2(key)
	case WT6:
		h = hashWT6(key)
	case CRC32:
		h = hashCRC32(key)
	default:
		h = hashSDBM(key)
	}
	if o.Avalanche {
		h = fullHash(h)
	}
	return h
}

func (o *Options) rand32() uint32 {
	if o.Rand != nil {
		return o.Rand()
	}
	return rand.Uint32()
}
