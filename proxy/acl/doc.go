// Package acl is the request-time ACL engine: it compiles the typed ACL
// terms and conditions the parser emits (parser/haproxy's ACL, Sample,
// Match and Condition) into proxy.Condition values the data path evaluates
// per request. It never reads configuration words: the parser typed them.
//
// An ACL is HAProxy's sample pipeline: a fetch reads values from the
// request (fetch.go), converters transform them in order (convert.go), and
// a matcher compares them with the patterns (match.go). Each of the three
// is a table keyed by name; a row declares its arguments and its sample
// types (HAProxy's bool, sint, str, bin, ipv4, ipv6, meth), and the
// default matcher of a fetch follows from its output type, as in HAProxy.
// A fetch, converter or method without a row is an error the caller
// reports as unsupported (fail closed).
//
// Conditions (engine.go) are `if|unless` an OR of ANDs of possibly negated
// terms; a named term is every acl line of that name OR-ed, else one of
// HAProxy's predefined ACLs. Header fetches read every occurrence the
// server will read (headers.go, checked against HAProxy 2.6 by
// proxy/haproxycfg's TestHeaderOccurrenceDifferential).
package acl
