// Package haproxycfg turns the typed haproxy configuration (parser/haproxy) into
// what gohaproxy runs: the data path's proxy.Config plus the settings of the
// parts around it (balancer options, health checks, log targets and
// formats, stats sockets, process settings).
//
// The parser already copies a defaults section into the proxies that follow
// it; Build fills HAProxy's built-in defaults on top, from the one table
// parser/haproxy/defaults.go (balance roundrobin, retries 3, server weight
// 1, the X-Forwarded-For header name, check inter/fastinter/downinter and
// rise/fall, hash-type), so that the runtime packages never default a zero
// value again; it expands binds ("*:80" is 0.0.0.0:80, port
// ranges one listener per port), splits a listen section into a frontend
// and a backend of the same name, builds a tcp frontend that HAProxy
// upgrades to HTTP (switch-mode http, or http backends) as an HTTP one,
// or as a tcp one upgraded per connection where a connection may stay
// tcp (switchmode.go, switch_conn.go), skips disabled proxies, and has the ACL
// conditions of use_backend, http-request/http-response, redirect and
// tcp-request connection rules compiled by proxy/acl (the request-time ACL
// engine), reporting what it refuses.
//
// Unknown is never silent: everything the parser typed but the runtime does
// not honour is reported as a goha notice ("'x' parsed but not supported
// yet."), the same wording the parser uses for keywords it keeps raw, so
// `gohaproxy -c -V` lists it and `gohaproxy -V` prints it at startup. The
// contract (corpus_test.go, FuzzBuild): whatever the parser accepts maps to
// a proxy.Config that proxy.New accepts. parser/haproxy/KEYWORDS.md lists
// which keywords are honoured and where; TestKeywordsTableInSync checks it
// against the notices the parser and Build actually give.
package haproxycfg
