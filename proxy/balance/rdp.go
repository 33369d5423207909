package balance

import "github.com/goha-lb/goha/proxy/rdpcookie"

// rdpKey is `balance rdp-cookie(<name>)`: the cookie's value in what the
// client sent (Request.Payload) hashed with hash-type's function. No
// cookie, or an empty one, falls back to round robin; HAProxy reads the
// cookie before its one-server shortcut, so a missing one still moves the
// round-robin walk.
type rdpKey struct{ name string }

func (rdpKey) singleShortcut() bool { return false }

func (k rdpKey) key(r *Request, o *Options) (uint32, bool) {
	v, st := rdpcookie.Value(r.Payload, k.name)
	if st != rdpcookie.OK || len(v) == 0 {
		return 0, false
	}
	return o.hash(string(v)), true
}
