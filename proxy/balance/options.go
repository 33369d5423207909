package balance

import (
	"math/rand/v2"

	"github.com/goha-lb/goha/proxy/internal/hashfn"
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

func (o *Options) hash(key string) uint32 {
	var h uint32
	switch o.Func {
	case DJB2:
		h = hashfn.DJB2(key)
	case WT6:
		h = hashfn.WT6(key)
	case CRC32:
		h = hashfn.CRC32(key)
	default:
		h = hashfn.SDBM(key)
	}
	if o.Avalanche {
		h = hashfn.FullHash(h)
	}
	return h
}

func (o *Options) rand32() uint32 {
	if o.Rand != nil {
		return o.Rand()
	}
	return rand.Uint32()
}
