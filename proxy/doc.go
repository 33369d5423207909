// Package proxy is gohaproxy's data path: listeners, the HTTP/1.1 and TCP
// forwarding paths, server connection pools, queues and counters. It runs a
// Config that the integrator builds from the parsed haproxy configuration;
// it never reads configuration files itself (errorfiles excepted, which New
// loads once).
//
// # Wiring
//
// New builds a Proxy from a Config and Options (the balancers from each
// Backend.Balance), Start binds every
// frontend's Binds, and Shutdown stops accepting and ends each client
// connection after a "Connection: close" response; the package Example
// runs one on loopback.
//
// Config carries HAProxy's semantics with its defaults already applied by
// the caller: Retries is used as given (HAProxy's default is 3), a zero
// timeout means "no limit", Server.Weight is used as given (HAProxy's
// default is 1; 0 means never picked), ConnMode defaults to
// KeepAlive as in HAProxy 2.6. "listen" sections are a Frontend plus a
// Backend of the same name. Binds are net.Listen addresses: expand "*:80",
// port ranges and several bind lines into one entry each.
//
// # Behaviour taken from HAProxy 2.6.12 (measured on this machine)
//
//   - Errors: 400/408/422 in the legacy form with "Connection: close",
//     403/500/502/503/504 with lower-case headers; the connection is closed
//     after an error. An empty connection that times out gets 408. The
//     wait for a head ends at `timeout http-request` from its first byte
//     (from the accept while none came) or after `timeout client` without
//     a byte, whichever comes first (head_wait.go); a head is refused at
//     its first byte that cannot continue a valid one, as HAProxy's
//     byte-by-byte parser does (http1.Request.EarlyError); a client that
//     shuts its side before a whole head gets a 400.
//   - Header names are sent lower-case in both directions; Connection
//     headers lose their close/keep-alive tokens, and what the next hop needs
//     ("close", or "keep-alive" for HTTP/1.0) is sent as its own header.
//     Other hop-by-hop headers (Keep-Alive, TE, Proxy-Connection, ...) are
//     forwarded, as HAProxy does, rather than stripped like httputil.
//   - Content-Length with Transfer-Encoding: Content-Length is removed, the
//     body is forwarded chunked and the client connection is closed after
//     the response. See proxy/http1 for the full list of request shapes.
//   - retries (retry.go, HAProxy 2.6's back_handle_st_cer): `retries`
//     retries after a failed connect, each with its own `timeout connect`.
//     With option redispatch a retry goes to another server at once when
//     the session is not persistent, another server is active and the
//     algorithm is not a hash, or when the failed server is marked down,
//     or per the redispatch interval (by default the last retry); a
//     refused connect retried on the same server (or the only one) waits
//     the turn-around timer, min(timeout connect, 1s). `retry-on` without
//     conn-failure (none) retries nothing. All attempts failed: 503; the
//     log's %rc counts the retries, '+' when one went to another server,
//     and Tw/Tc count from the last assignment. A pooled server
//     connection found dead is replayed (requests whose body is fully
//     buffered) on a fresh connection, then through the same retry path.
//   - a backend's rules (backend_rules.go): once use_backend picked a
//     backend other than the frontend's own half, its http-request rules
//     (those of the named defaults section it starts from first, as one
//     list) run, then its header name policy, its stats page and its
//     redirect lines; its http-response rules run before the frontend's.
//     An allow ends only the list it is in. Their answers count in both
//     proxies' counters, take the backend's error pages first and name
//     the backend in the log.
//   - cookie persistence (persist_session.go over proxy/persist): once the
//     backend is chosen its force-persist/ignore-persist rules run and the
//     request's Cookie fields are read; a cookie naming a running server
//     (any server with option persist or force-persist) sends the request
//     there without the balancer, and only option redispatch moves it
//     (never under force-persist; the log's cookie state then turns from
//     V to D). The server receives the Cookie fields HAProxy would send
//     (insert+indirect removes the cookie, prefix strips "SRV~"), the
//     client the Set-Cookie fields HAProxy would send (the server's
//     deleted, rewritten or prefixed; the proxy's inserted after the
//     http-response rules' headers, with "cache-control: private" for
//     nocache on a cacheable response), 101 responses included. %tsc's
//     last two characters come from proxy/persist; a listen section's
//     rules that deny or tarpit read the cookie for the log.
//   - maxconn: beyond a frontend's maxconn its listener stops accepting, so
//     connections wait in the kernel backlog; at the global maxconn each
//     listener holds at most one accepted, unserved connection (see
//     acceptLoop). Nobody is refused. Server maxconn: requests wait
//     in the backend queue for `timeout queue` (else `timeout connect`), then
//     503.
//   - splice(2): only `option splice-request|splice-response|splice-auto`
//     (frontend's ORed with backend's) make a direction splice, never with
//     the global `nosplice`; without them every byte is copied through a
//     buffer, as HAProxy does. Not a speed-only choice: a copy counts bytes
//     out as it goes and applies the inactivity timeouts per read and
//     write, a spliced run counts at its end and checks its deadlines
//     between runs. Request/response splice from the first byte of a tcp
//     relay or of an HTTP response body; auto splices a tcp direction once
//     it streams and an HTTP body larger than one buffer (or delimited by
//     the server closing). A TLS client connection never splices (its
//     socket carries records, not the stream).
//   - TLS: a Frontend.TLS entry makes its listener terminate TLS with
//     crypto/tls (built by proxy/tlsconf): the handshake runs first (after
//     a PROXY header), bounded by `timeout client`; a failed one is a
//     ConnError ("SSL handshake failure"). The session then reads and
//     writes through the *tls.Conn; idle keep-alive connections are not
//     parked on epoll. RequestInfo.TLS and the log's %sslv/%sslc see it.
//
// # Services
//
// A Service answers a request in the proxy instead of a server (HAProxy's
// applets): an http-request rule with Action UseService hands it the parsed
// request, and the proxy frames its ServiceReply as HAProxy's H1 layer does
// (HTTP/1.1 status line, chunked or content-length, the http-response
// header rules, allow and deny, keep-alive), logs it as "fe fe/<NAME> ...
// LR" and counts it on the frontend (status class, intercepted). A
// backend's rule sends the reply through the backend's http-response rules
// then the frontend's, logs "fe be/<NAME>" and counts it in both, with no
// interception (service_rules.go). proxy/promex is one; the stats page is
// another.
//
// The cache (HAProxy's small object cache) lives in proxy/cache: a
// CacheUse rule computes the request's key and looks it up
// (cache_use.go); a hit is served once the request rules are done, as an
// applet named <CACHE>, with the frontend's http-response header rules; a
// CacheStore rule decides on the response head and the body relayed fills
// the entry (cache_store.go).
//
// # State view
//
// Frontends and Backends return snapshots of the counters (sessions, bytes,
// status classes, connect/response errors, retries, redispatches, queue) for
// the stats page and the runtime API. Each server keeps a ServerStatus, its
// administrative state (maintenance, drain, weight) apart from its health
// checks' verdict, as HAProxy does; UpdateServerStatus changes it (health
// checks, "disable server", "set weight") and gives the balancer what the
// two make together, so maintenance outlasts a check coming back.
// UpdateServer sets a server's balance.Server fields directly. Each
// backend's balancer is built by New from Backend.Balance (a balance.Spec). Options.Log receives a LogEntry per finished HTTP
// transaction or TCP session with HAProxy's timers and termination state,
// for proxy/logfmt to format.
package proxy
