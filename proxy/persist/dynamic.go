package persist

import (
	"encoding/binary"
	"fmt"
	"net/netip"

	"github.com/cespare/xxhash/v2"
)

// DynamicCookie is the cookie value HAProxy 2.6 gives a server of a
// `cookie ... dynamic` backend that has no `cookie` of its own: the XXH64
// (seed 0) of the `dynamic-cookie-key`, the server's address bytes and
// its port as four big-endian bytes, in 16 lower-case hex digits, the same
// on every load balancer sharing the key.
func DynamicCookie(key string, addr netip.AddrPort) string {
	buf := make([]byte, 0, len(key)+16+4)
	buf = append(buf, key...)
	ip := addr.Addr().Unmap()
	buf = append(buf, ip.AsSlice()...)
	buf = binary.BigEndian.AppendUint32(buf, uint32(addr.Port()))
	return fmt.Sprintf("%016x", xxhash.Sum64(buf))
}
