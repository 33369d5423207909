package haproxy

import "time"

// HAProxy 2.6's built-in defaults: what a keyword means when it is absent.
// This is the one place they are written. The parser leaves an absent
// keyword unset (zero) in the model, so that inheritance from defaults
// sections and "was it given?" checks stay exact, and fills only the
// defaults of a line's own parameters (random's draws, rdp-cookie's name,
// hash-type's function); the configuration adapter (proxy/haproxycfg)
// fills every other default from here, once. The runtime packages take
// the values as given: proxy.New refuses a backend without an algorithm
// or a forwardfor without a header name, balance.Build an empty algorithm
// or a zero parameter an algorithm needs (random's draws, ...).
const (
	// DefaultMode is the proxy mode without `mode` (newProxy).
	DefaultMode = "tcp"

	// DefaultBalance is the algorithm without `balance`.
	DefaultBalance = "roundrobin"
	// DefaultRandomDraws is `balance random` without "(<draws>)".
	DefaultRandomDraws = 2
	// DefaultRDPCookie is `balance rdp-cookie` without "(<name>)".
	DefaultRDPCookie = "mstshash"

	// DefaultHashMethod is the method without `hash-type`: map-based.
	DefaultHashMethod = HashMapBased
	// DefaultHashFunction is the function of a `hash-type` line without
	// one; `hash-type consistent` alone also sets the avalanche modifier
	// (DefaultConsistentAvalanche), `map-based` alone does not.
	DefaultHashFunction        = "sdbm"
	DefaultConsistentAvalanche = true

	// DefaultRetries is `retries` when absent.
	DefaultRetries = 3

	// DefaultForwardforHeader is `option forwardfor` without "header".
	DefaultForwardforHeader = "X-Forwarded-For"
	// DefaultOriginalToHeader is `option originalto` without "header".
	DefaultOriginalToHeader = "X-Original-To"

	// DefaultServerWeight is a server's `weight` when absent.
	DefaultServerWeight = 1
	// DefaultCheckInter is `inter` when absent; `fastinter` and
	// `downinter` default to inter.
	DefaultCheckInter = 2 * time.Second
	// DefaultCheckRise and DefaultCheckFall are `rise` and `fall` when
	// absent.
	DefaultCheckRise = 2
	DefaultCheckFall = 3
	// DefaultHTTPCheckMethod, DefaultHTTPCheckURI and
	// DefaultHTTPCheckVersion are the request line of `option httpchk`
	// (and `http-check send`) for the parts not given.
	DefaultHTTPCheckMethod  = "OPTIONS"
	DefaultHTTPCheckURI     = "/"
	DefaultHTTPCheckVersion = "HTTP/1.0"

	// DefaultStatsTimeout is global `stats timeout` when absent: how long
	// the runtime API waits for an idle client.
	DefaultStatsTimeout = 10 * time.Second

	// DefaultFullconnPercent: a backend without `fullconn` gets this
	// share, rounded up, of the summed maxconn of the frontends that can
	// route to it (global maxconn for a frontend without its own).
	DefaultFullconnPercent = 10
)

// DefaultFullconn is a backend's fullconn without `fullconn`, from the
// summed maxconn of the frontends that can route to it, at least 1 (a
// backend no frontend uses).
func DefaultFullconn(frontendMaxconnSum int) int {
	return max(1, (frontendMaxconnSum*DefaultFullconnPercent+99)/100)
}

// FDReserveBase is the file descriptors HAProxy 2.6 keeps for itself
// besides two per connection, one per listener and one per checked server.
const FDReserveBase = 26

// DefaultMaxconn is global maxconn without `maxconn`: half the file
// descriptors left under the limit after the reserve (FDReserveBase plus
// one per listener and per checked server), and HAProxy's DEFAULT_MAXCONN
// (100) when that leaves fewer. Measured with ulimit -n 1024, 4096 and
// 20000 and two listeners: 498, 2034 and 9986; under fd-hard-limit 240,
// 200 and -5: 106, 100 and 100.
func DefaultMaxconn(fdLimit, reserve int) int {
	if n := (fdLimit - reserve) / 2; n > minDefaultMaxconn {
		return n
	}
	return minDefaultMaxconn
}

// minDefaultMaxconn is HAProxy's DEFAULT_MAXCONN as Debian builds it.
const minDefaultMaxconn = 100

// Timeouts have no built-in value: HAProxy leaves client, server and
// connect unset (and warns about it, check.go); the others fall back on
// another setting when absent, which the adapter and the runtime apply
// (see proxy.Timeouts): http-request and http-keep-alive on timeout client
// (http-keep-alive first on http-request), tarpit and queue on timeout
// connect, the check timeouts on inter (proxy/check CheckTimeouts).
