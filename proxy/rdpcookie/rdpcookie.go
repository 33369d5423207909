// Package rdpcookie reads the routing cookie of an RDP connection request
// (the "Cookie: mstshash=<user>\r\n" or "Cookie: msts=<ip>.<port>.<x>\r\n"
// line a Remote Desktop client puts in its first X.224 message) from the
// bytes a client sent so far, with HAProxy 2.6's rules
// (fetch_rdp_cookie_name): the line starts at byte 11, right after the
// 4-byte TPKT header and the 7-byte X.224 Connection Request header, whose
// contents are not checked; "Cookie:" is matched without case, spaces
// after it are skipped, the name (when one is asked for) is matched
// without case and must be followed by '=', and the value runs to a
// "\r\n". Pure: no I/O.
package rdpcookie

import (
	"bytes"
	"strconv"
)

// Status says whether a value was found, more bytes may still give one,
// or none ever will.
type Status uint8

const (
	OK Status = iota
	Short
	No
)

// Value is the value of cookie name in b ("" name: the first cookie,
// whatever its name).
func Value(b []byte, name string) ([]byte, Status) {
	if len(b) <= 11 {
		return nil, Short
	}
	d := b[11:]
	if len(d) <= 7 {
		return nil, Short
	}
	if !bytes.EqualFold(d[:7], []byte("Cookie:")) {
		return nil, No
	}
	d = d[7:]
	for len(d) > 0 && d[0] == ' ' {
		d = d[1:]
	}
	if name != "" {
		if len(d) <= len(name) {
			return nil, Short
		}
		if d[len(name)] != '=' || !bytes.EqualFold(d[:len(name)], []byte(name)) {
			return nil, No
		}
		d = d[len(name)+1:]
	} else {
		i := 0
		for i < len(d) && d[i] != '=' {
			if d[i] == '\r' || d[i] == '\n' {
				return nil, No
			}
			i++
		}
		if i == len(d) {
			return nil, Short
		}
		d = d[i+1:]
	}
	end := bytes.IndexByte(d, '\r')
	if end < 0 || len(d)-end < 2 {
		return nil, Short
	}
	if d[end+1] != '\n' {
		return nil, No
	}
	return d[:end], OK
}

// Server reads a `persist rdp-cookie` value, "<ip>.<port>.<anything>":
// ip is the server's IPv4 address as the decimal of its four bytes read
// as a little-endian number (how HAProxy compares it with the address in
// network order on the hosts it runs on), port the decimal of the port's
// two bytes read the same way. ok is false when the value does not have
// that form (HAProxy's strtoul reads leading digits, a number too large
// wrapping as its unsigned long does).
func Server(v []byte) (ip [4]byte, port uint16, ok bool) {
	a, rest, ok := leadingNumber(v)
	if !ok || len(rest) == 0 || rest[0] != '.' {
		return ip, 0, false
	}
	p, rest, ok := leadingNumber(rest[1:])
	if !ok || len(rest) == 0 || rest[0] != '.' {
		return ip, 0, false
	}
	ip = [4]byte{byte(a), byte(a >> 8), byte(a >> 16), byte(a >> 24)}
	port = uint16(p)<<8 | uint16(p)>>8&0xff
	return ip, port, true
}

// leadingNumber reads the decimal digits at the start of b as strtoul does
// (spaces and a sign first; no digits gives 0 and the bytes untouched).
func leadingNumber(b []byte) (uint64, []byte, bool) {
	i := 0
	for i < len(b) && (b[i] == ' ' || b[i] >= '\t' && b[i] <= '\r') {
		i++
	}
	neg := false
	if i < len(b) && (b[i] == '+' || b[i] == '-') {
		neg = b[i] == '-'
		i++
	}
	j := i
	for j < len(b) && b[j] >= '0' && b[j] <= '9' {
		j++
	}
	if j == i {
		return 0, b, true // strtoul: no digits, end pointer at the start
	}
	n, err := strconv.ParseUint(string(b[i:j]), 10, 64)
	if err != nil {
		n = ^uint64(0) // ULONG_MAX on overflow
	}
	if neg {
		n = -n
	}
	return n, b[j:], true
}
