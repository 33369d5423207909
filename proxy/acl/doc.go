// Package acl is the request-time ACL engine: it compiles the typed ACL
// terms and conditions the parser emits (parser/haproxy's ACL, Sample,
// Match and Condition) into proxy.Condition values the data path evaluates
// per request. It never reads configuration words: the parser typed them.
//
// An ACL is HAProxy's sample pipeline: a fetch reads typed values from the
// request (fetch.go, fetch_more.go, headers.go), converters transform them
// in order (convert.go; the rows in conv_str.go, conv_num.go,
// conv_hash.go, conv_text.go), and a matcher compares them with the
// patterns (match.go). Each of the three is a table keyed by name; a row
// declares its arguments and its sample types (HAProxy's bool, sint, str,
// bin, ipv4, ipv6, meth), and the default matcher follows from the
// expression's final type, as in HAProxy.
//
// Values (value.go) carry HAProxy's types and its implicit cast matrix
// (sample.c sample_casts): compiling an expression inserts the casts a
// converter's input needs and refuses a chain HAProxy refuses ("converter
// 'x' cannot be applied"); arguments are typed and checked then, with
// HAProxy's messages. At run time a failed cast or converter is "no
// sample": the value does not match. Evaluation is pure (no I/O, no clock)
// and, for integer, address and plain string ACLs, allocation-free
// (alloc_test.go measures it).
//
// A fetch, converter, argument or method without a row is an error the
// caller reports as unsupported (fail closed): the hmac converter and
// json's lax modes among them. On a tcp stream the request head fetches
// (path, hdr, method, ...) read the head parsed from the stream's bytes,
// as HAProxy's do; a condition compiled for one (Set.WithPayload) reading
// the other HTTP fetches (body, response) is an error (rawhttp.go). Every converter row and the fetches of fetch_more.go are
// checked against HAProxy 2.6 by proxy/haproxycfg's
// TestConverterDifferential, which also found HAProxy's quirks kept here
// (arith_add's wrap for two negative operands, ub64dec reading '=' as 63,
// c_none casts keeping the type).
//
// proxy/haproxycfg's TestConverterFuzzDifferential, TestFetchFuzzDifferential
// and TestACLFuzzDifferential (sample_fuzz_*_test.go) run every converter,
// the request fetches and the matchers over seeded random requests beside
// HAProxy 2.6 (GOHA_SAMPLE_SEED replays a seed). What they found is kept
// here: bytes are characters (regexes run byte-wise through
// proxy/internal/bytere, as PCRE without UTF; -i folds ASCII only), list
// values split outside quoted strings (http1.ListElemEnd), a string is
// cast to an address as buf2ip reads it, -m ip maps IPv6 samples carrying
// an IPv4 address as pat_match_ip does (ipmatch.go), url_param reads as
// smp_fetch_url_param (urlparam.go), a Cookie header is read value by
// value (eachCookieElem); argument texts HAProxy tokenizes otherwise (a
// ')' or quotes inside) are refused.
//
// Conditions (engine.go) are `if|unless` an OR of ANDs of possibly negated
// terms; a named term is every acl line of that name OR-ed, else one of
// HAProxy's predefined ACLs. Header fetches read every occurrence the
// server will read (headers.go, checked against HAProxy 2.6 by
// proxy/haproxycfg's TestHeaderOccurrenceDifferential). CompileExpr
// (expr.go) is the same pipeline for sample users outside ACLs, and
// CompileFormat (format.go) the %[...] samples of http-request
// set-header/add-header values (checked by TestHeaderFormatDifferential).
// Outside an ACL (CompileExpr, so %[...] and set-var) the header and
// cookie fetches without an occurrence give the last occurrence only, as
// HAProxy's do when they are not iterated.
// A fetch of one value at most (path, url, query, method, src, var(), a
// header's last occurrence, the header counts) is written once as a
// oneFunc (single.go): an ACL or an expression over it, without a post
// step, reads the value into its frame directly instead of through a
// yield callback, with the same outcome. An ACL over every value of a
// request header (hdr, fhdr without an occurrence, so hdr_sub(...) -i
// ...) tries them in a loop of its own (acl_headers.go), and a %[...]
// value of one such single-valued sample alone is that sample's
// appendValue (format.go), each with the outcome of the general path.
//
// Variables (vars.go): the var(<name>[,<default>]) fetch and the
// set-var, set-var-fmt and unset-var actions (CompileSetVar, ...). A
// name is checked as HAProxy 2.6 checks it and gets a slot in its scope's
// store, kept by the proxy (proxy/vars.go: proc, sess, txn, req, res; the
// check scope is refused); a variable holds a typed sample, so var() has
// no fixed type: an ACL on it needs -m unless a converter types it, as in
// HAProxy. The converters that read or write variables (conv_vars.go:
// set-var, unset-var, strcmp, secure_memcmp, and the variable operands of
// concat and add/sub/mul/div/mod/and/or/xor) take the request; an ACL
// using one gets it through the evaluation frame every match runs in
// (frames.go: kept on the request's connection). Checked by
// proxy/haproxycfg's TestVarsDifferential, and the
// order the http-request rules run in (each sees what the earlier ones
// did) by TestRuleSequenceDifferential.
//
// Pattern files (acl -f, -M) and map files (the map* converters, maps.go)
// are read as HAProxy 2.6 reads them (patfile.go) into pattern references
// (patref.go): one per file name, re-read at each compile (so a reload
// reads the files again), changed at run time by the runtime API's map and
// acl commands, after which each user swaps in a rebuilt lookup. Checked
// against HAProxy 2.6 by proxy/haproxycfg's TestMapDifferential and
// internal/haproxycmd's TestMapCLIMatchesHAProxy.
package acl
