// Package balance chooses a server for a request the way HAProxy's `balance`
// algorithms do. It is pure: no sockets, no clock; the caller owns server
// state (health, weights, connection counts) and tells the balancer when it
// changes.
//
// Build builds one from a Spec, the typed form of a backend's `balance`
// line with its Options (hash-type, allbackups) that proxy.Backend
// carries; the package never reads configuration words and never fills a
// default (proxy/haproxycfg does, from parser/haproxy's defaults table).
// The algorithms follow HAProxy 2.6's own (lb_fwrr, lb_map,
// lb_chash, lb_fwlc, lb_fas and backend.c) step by step, so that the pick
// sequences are the same, not just the proportions; the differential tests
// compare them with the real haproxy on 127.0.0.1, including runtime weight
// and state changes and live connection counts.
//
// # Behaviour taken from HAProxy 2.6.12
//
//   - roundrobin: equal weights give web1, web2, web3, ...; weights are
//     smoothed (1/2/3 gives web3 web2 web3 web1 web3 web2); weight and state
//     changes take effect inside the current window.
//   - static-rr and the map-based hashes use a table of sum(weight/gcd)
//     slots; a hash picks slot hash % size.
//   - Consistent hashing places 16 points per unit of weight at
//     fullHash(id*4096+n); `hash-type consistent` alone means sdbm with
//     avalanche. `source` hashes the address words, never through the hash
//     function.
//   - `uri` hashes the target as received up to '?' (all of it with
//     `whole`), cut by `len` and `depth`; `path-only` hashes the path
//     HAProxy's path parser finds (internal/uripath), empty for a target
//     without one ("*", a CONNECT's authority, "http://host"), where
//     `hash path` has no key. `hdr(name) use_domain_only` hashes the label before the TLD.
//     With no key (no parameter, no header) HAProxy falls back to round
//     robin over the map or the ring; so does Pick.
//   - Backups are used only when no active server is usable: the first
//     usable backup alone, or all of them with allbackups. Weight 0 and
//     Up=false servers are never picked; a server at its MaxConn is skipped
//     (random and first return nil instead, so the request queues).
//   - In tcp mode HAProxy replaces the HTTP hashes by roundrobin at startup
//     ("Layer 7 hash not possible ... Falling back to round robin.").
package balance

import (
	"net/netip"
	"sync/atomic"
)

// Server is one backend server as a balancer sees it. The backend owns it;
// health checks and the runtime API change Up, Weight and Backup and then call
// Balancer.Update.
type Server struct {
	Name   string
	ID     int  // 1-based position in the backend (HAProxy's server id order)
	Weight int  // current user weight, 0..256; 0 means never picked (drain)
	Backup bool // used only when no active server is usable (or with allbackups)
	Up     bool // only servers that are Up are picked

	// MaxConn is the server's maxconn (0 = unlimited); `first` fills servers
	// up to it in id order.
	MaxConn int64
	// DynMaxConn, when set, is the limit in force under MaxConn (HAProxy's
	// srv_dynamic_maxconn: minconn with fullconn, slowstart); read live.
	DynMaxConn func() int64
	// PUID is HAProxy's server id when `id` set it apart from the
	// position (0: ID): consistent hashing and `first` go by it.
	PUID int
	// Conns is the number of connections currently assigned to the server.
	// The caller increments it when it uses a picked server and decrements
	// it when the connection ends; leastconn and first read it.
	Conns atomic.Int64
	// Moves counts the changes of Conns, each take and each release: a
	// server taken and released between two picks (persistence, option
	// prefer-last-server) moved in HAProxy's leastconn tree although its
	// count is back where it was. Callers bump it with Conns.
	Moves atomic.Uint64
}

// Request carries what the hashing algorithms read from a request.
type Request struct {
	Src    netip.Addr // client address (`source`)
	URI    string     // request target as received, path and query (`uri`, `url_param`)
	Header func(name string) (value string, ok bool)
	// LastHeader is the last occurrence of a header (`balance hash
	// req.hdr(name)`); nil means none.
	LastHeader func(name string) (value string, ok bool)
	// Body is the part of the request body already received; `url_param
	// NAME check_post` looks for the parameter there when the URI has none.
	// Nil is fine: the algorithm then falls back as HAProxy does when the
	// body has not arrived.
	Body []byte
	// Payload is what a tcp-mode client sent before the server was
	// picked (what the tcp-request content rules waited for); `balance
	// rdp-cookie` reads the RDP cookie there.
	Payload []byte
	// Avoid is, on a redispatch, the server whose connection failed:
	// `balance first` moves past it to the next one with room, as
	// HAProxy's does (nil: none).
	Avoid *Server
}

// Balancer picks servers. Implementations are safe for concurrent use.
type Balancer interface {
	// Pick returns the chosen server, or nil when no server is usable.
	Pick(r *Request) *Server
	// Update rebuilds internal tables after any server's Up, Weight or
	// Backup changed.
	Update()
}
