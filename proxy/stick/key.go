package stick

import (
	"encoding/binary"
	"errors"
	"net/netip"
	"strconv"
)

// Keys are held as the bytes HAProxy compares: 4 bytes of an IPv4
// address, 16 of an IPv6 one, a big-endian 32-bit integer (so that byte
// order is numeric order, as HAProxy's integer tree walks them), the bytes
// of a string cut to the table's length, and a binary key zero-padded to
// it.

// ErrKey is returned for a key the table's type cannot hold.
var ErrKey = errors.New("invalid key for this table type")

// KeyFromAddr is the key of an address: an IPv4 table takes an IPv4 or
// v4-mapped IPv6 address, an IPv6 table maps an IPv4 address into
// ::ffff:0:0/96, as HAProxy's sample-to-key casts do.
func (c *Config) KeyFromAddr(a netip.Addr) ([]byte, error) {
	switch c.Key {
	case KeyIP:
		a = a.Unmap()
		if !a.Is4() {
			return nil, ErrKey
		}
		b := a.As4()
		return b[:], nil
	case KeyIPv6:
		b := a.As16()
		if a.Is4() {
			b = netip.AddrFrom16(b).As16()
		}
		return b[:], nil
	}
	return nil, ErrKey
}

// KeyFromInt is the key of an integer (an integer table keeps the low 32
// bits, as HAProxy's does).
func (c *Config) KeyFromInt(v int64) ([]byte, error) {
	if c.Key != KeyInteger {
		return nil, ErrKey
	}
	return binary.BigEndian.AppendUint32(nil, uint32(v)), nil
}

// KeyFromBytes is the key of a string or binary sample: cut to the key
// length; a binary key is zero-padded to it.
func (c *Config) KeyFromBytes(b []byte) ([]byte, error) {
	switch c.Key {
	case KeyString:
		if len(b) > c.keyLen() {
			b = b[:c.keyLen()]
		}
		return append([]byte(nil), b...), nil
	case KeyBinary:
		k := make([]byte, c.keyLen())
		copy(k, b)
		return k, nil
	}
	return nil, ErrKey
}

func (c *Config) keyLen() int {
	if c.KeyLen > 0 {
		return c.KeyLen
	}
	return DefaultKeyLen
}

// ParseKey reads a key as the runtime API's `key <k>` gives it: a dotted
// IPv4 address, an IPv6 address, a decimal integer or a string. HAProxy
// 2.6 does not take binary keys there.
func (c *Config) ParseKey(s string) ([]byte, error) {
	switch c.Key {
	case KeyIP:
		a, err := netip.ParseAddr(s)
		if err != nil || !a.Is4() {
			return nil, ErrKey
		}
		return c.KeyFromAddr(a)
	case KeyIPv6:
		a, err := netip.ParseAddr(s)
		if err != nil || !a.Is6() || a.Zone() != "" {
			return nil, ErrKey
		}
		return c.KeyFromAddr(a)
	case KeyInteger:
		v, err := strconv.ParseUint(s, 10, 32)
		if err != nil {
			return nil, ErrKey
		}
		return c.KeyFromInt(int64(v))
	case KeyString:
		return c.KeyFromBytes([]byte(s))
	}
	return nil, ErrKey
}

// FormatKey appends the key as `show table` prints it.
func (c *Config) FormatKey(dst []byte, k []byte) []byte {
	switch c.Key {
	case KeyIP:
		if len(k) == 4 {
			return netip.AddrFrom4([4]byte(k)).AppendTo(dst)
		}
	case KeyIPv6:
		if len(k) == 16 {
			return netip.AddrFrom16([16]byte(k)).AppendTo(dst)
		}
	case KeyInteger:
		if len(k) == 4 {
			return strconv.AppendUint(dst, uint64(binary.BigEndian.Uint32(k)), 10)
		}
	case KeyString:
		return appendText(dst, k)
	}
	return appendHex(dst, k)
}

// appendText is HAProxy's dump_text: printable bytes as they are, a few
// escapes, others as \xHH; it stops at a NUL.
func appendText(dst, b []byte) []byte {
	const hex = "0123456789ABCDEF"
	for _, c := range b {
		switch {
		case c == 0:
			return dst
		case c == ' ':
			dst = append(dst, `\ `...)
		case c == '\t':
			dst = append(dst, `\t`...)
		case c == '\n':
			dst = append(dst, `\n`...)
		case c == '\r':
			dst = append(dst, `\r`...)
		case c == 0x1b:
			dst = append(dst, `\e`...)
		case c == '\\':
			dst = append(dst, `\\`...)
		case c == '=':
			dst = append(dst, `\=`...)
		case c < 0x20 || c >= 0x7f:
			dst = append(dst, '\\', 'x', hex[c>>4], hex[c&15])
		default:
			dst = append(dst, c)
		}
	}
	return dst
}

// appendHex is HAProxy's dump_binary: each byte as two upper-case hex digits.
func appendHex(dst, b []byte) []byte {
	const hex = "0123456789ABCDEF"
	for _, c := range b {
		dst = append(dst, hex[c>>4], hex[c&15])
	}
	return dst
}
