// Package stick is HAProxy's stick table without I/O or clock: typed keys
// (ip, ipv6, integer, string, binary), a size bound with HAProxy's
// eviction of the least recently touched entries, expiry, the stored data
// types of HAProxy 2.6 with its frequency-counter arithmetic, the text of
// the runtime API's `show table`, and an export/apply view for peers.
//
// Time is a tick: milliseconds on a wrapping 32-bit clock, as HAProxy's
// now_ms; every call that depends on time takes it as an argument.
package stick
