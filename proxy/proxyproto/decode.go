// Package proxyproto decodes and encodes the PROXY protocol header (v1 text
// and v2 binary) that a load balancer in front puts at the start of a
// connection to carry the client's addresses. It does no I/O: callers peek
// at the first bytes of a connection, Decode them, then consume exactly the
// header's length.
//
// The rules are HAProxy 2.6's (conn_recv_proxy): which inputs it accepts,
// which it waits on and which it refuses, and why (the reason becomes the
// log message).
package proxyproto

import (
	"bytes"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"net/netip"
)

// Errors Decode returns. ErrNeedMore means the bytes so far are a prefix of
// a header (or too short to tell); the others are final. Their texts are
// HAProxy's connection error strings, which its logs print.
var (
	ErrNeedMore  = errors.New("Truncated PROXY protocol header received")
	ErrNotHeader = errors.New("Received something which does not look like a PROXY protocol header")
	ErrBadHeader = errors.New("Received an invalid PROXY protocol header")
	ErrBadProto  = errors.New("Received an unhandled protocol in the PROXY protocol header")
)

// Sig2 is the 12-byte signature that starts a v2 header.
var Sig2 = []byte("\r\n\r\n\x00\r\nQUIT\n")

const (
	v2HeadLen   = 16  // signature, version/command, family, length
	v1MaxLen    = 107 // the protocol's longest v1 line, CRLF included
	addrLenIPv4 = 12
	addrLenIPv6 = 36

	tlvCRC32C    = 0x03
	tlvAuthority = 0x02
	tlvUniqueID  = 0x05

	maxAuthority = 255 // HAProxy refuses longer authority TLVs
	maxUniqueID  = 128 // HAProxy's UNIQUEID_LEN
)

// Header is what a decoded PROXY header says.
type Header struct {
	Version int // 1 or 2
	// Local: the header carries no addresses to use (v1 UNKNOWN, v2 LOCAL,
	// v2 PROXY over a family other than TCP over IPv4/IPv6); the
	// connection's own addresses stay in force, as in HAProxy.
	Local    bool
	Src, Dst netip.AddrPort
}

// Decode reads a PROXY header at the start of b. It returns the header and
// its length in bytes, or an error: ErrNeedMore when b is too short to
// decide, else why b is refused. It never reads past b.
func Decode(b []byte) (Header, int, error) {
	if len(b) < 6 {
		return Header{}, 0, ErrNeedMore
	}
	if bytes.HasPrefix(b, []byte("PROXY ")) {
		return decodeV1(b)
	}
	return decodeV2(b)
}

func decodeV1(b []byte) (Header, int, error) {
	h := Header{Version: 1}
	if len(b) < 9 { // HAProxy's shortest possible line
		return h, 0, ErrNeedMore
	}
	rest := b[6:]
	switch {
	case bytes.HasPrefix(rest, []byte("TCP4 ")), bytes.HasPrefix(rest, []byte("TCP6 ")):
	case bytes.HasPrefix(rest, []byte("UNKNOWN\r\n")):
		h.Local = true
		return h, 6 + 9, nil
	case len(rest) < 9 && bytes.HasPrefix([]byte("UNKNOWN\r\n"), rest):
		return h, 0, ErrNeedMore
	default:
		// Also "UNKNOWN <anything>\r\n": HAProxy 2.6 only takes the bare
		// form.
		return h, 0, ErrBadProto
	}
	end := bytes.IndexByte(b, '\r')
	if end < 0 {
		if len(b) < v1MaxLen {
			return h, 0, ErrNeedMore
		}
		return h, 0, ErrBadHeader
	}
	if end+1 >= len(b) {
		return h, 0, ErrNeedMore
	}
	if b[end+1] != '\n' || end+2 > v1MaxLen {
		return h, 0, ErrBadHeader
	}
	f := bytes.Split(b[11:end], []byte(" "))
	if len(f) != 4 {
		return h, 0, ErrBadHeader
	}
	v6 := rest[3] == '6'
	src, ok1 := v1Addr(f[0], v6)
	dst, ok2 := v1Addr(f[1], v6)
	sp, ok3 := v1Port(f[2])
	dp, ok4 := v1Port(f[3])
	if !ok1 || !ok2 || !ok3 || !ok4 {
		return h, 0, ErrBadHeader
	}
	h.Src, h.Dst = netip.AddrPortFrom(src, sp), netip.AddrPortFrom(dst, dp)
	return h, end + 2, nil
}

// v1Addr parses a TCP4 (dotted quad) or TCP6 (inet_pton's IPv6 forms, no
// zone) address.
func v1Addr(s []byte, v6 bool) (netip.Addr, bool) {
	a, err := netip.ParseAddr(string(s))
	if err != nil || a.Zone() != "" {
		return netip.Addr{}, false
	}
	if v6 {
		return a, a.Is6()
	}
	return a, a.Is4()
}

func v1Port(s []byte) (uint16, bool) {
	if len(s) == 0 || len(s) > 5 {
		return 0, false
	}
	n := 0
	for _, c := range s {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return uint16(n), n <= 65535
}

func decodeV2(b []byte) (Header, int, error) {
	h := Header{Version: 2}
	if len(b) < v2HeadLen {
		return h, 0, ErrNeedMore
	}
	if !bytes.Equal(b[:12], Sig2) || b[12]&0xf0 != 0x20 {
		return h, 0, ErrNotHeader
	}
	total := v2HeadLen + int(binary.BigEndian.Uint16(b[14:16]))
	if len(b) < total {
		return h, 0, ErrNeedMore
	}
	body := b[v2HeadLen:total]
	switch b[12] & 0x0f {
	case 0x00: // LOCAL: the connection's own addresses
		h.Local = true
		return h, total, nil
	case 0x01: // PROXY
	default:
		return h, 0, ErrBadHeader
	}
	var tlvs []byte
	switch b[13] {
	case 0x11: // TCP over IPv4
		if len(body) < addrLenIPv4 {
			return h, 0, ErrBadHeader
		}
		h.Src = netip.AddrPortFrom(netip.AddrFrom4([4]byte(body[0:4])), binary.BigEndian.Uint16(body[8:10]))
		h.Dst = netip.AddrPortFrom(netip.AddrFrom4([4]byte(body[4:8])), binary.BigEndian.Uint16(body[10:12]))
		tlvs = body[addrLenIPv4:]
	case 0x21: // TCP over IPv6
		if len(body) < addrLenIPv6 {
			return h, 0, ErrBadHeader
		}
		h.Src = netip.AddrPortFrom(netip.AddrFrom16([16]byte(body[0:16])), binary.BigEndian.Uint16(body[32:34]))
		h.Dst = netip.AddrPortFrom(netip.AddrFrom16([16]byte(body[16:32])), binary.BigEndian.Uint16(body[34:36]))
		tlvs = body[addrLenIPv6:]
	default:
		// UNSPEC, UDP, unix sockets: HAProxy keeps the connection's
		// addresses and does not look at TLVs.
		h.Local = true
		return h, total, nil
	}
	if err := checkTLVs(b[:total], total-len(tlvs)); err != nil {
		return Header{Version: 2}, 0, err
	}
	return h, total, nil
}

// checkTLVs walks the TLVs of the header hdr from offset off: they are
// skipped, but those HAProxy checks must pass its checks (a CRC32C that
// matches, bounded authority and unique-id lengths), and none may run
// past the header.
func checkTLVs(hdr []byte, off int) error {
	for off < len(hdr) {
		if off+3 > len(hdr) {
			return ErrBadHeader
		}
		typ, n := hdr[off], int(binary.BigEndian.Uint16(hdr[off+1:off+3]))
		val := off + 3
		if val+n > len(hdr) {
			return ErrBadHeader
		}
		switch typ {
		case tlvCRC32C:
			if n != 4 || !crcMatches(hdr, val) {
				return ErrBadHeader
			}
		case tlvAuthority:
			if n > maxAuthority {
				return ErrBadHeader
			}
		case tlvUniqueID:
			if n > maxUniqueID {
				return ErrBadHeader
			}
		}
		off = val + n
	}
	return nil
}

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// crcMatches checks the CRC32C TLV whose value is at hdr[at:at+4]: the
// checksum of the whole header with that value zeroed.
func crcMatches(hdr []byte, at int) bool {
	want := binary.BigEndian.Uint32(hdr[at : at+4])
	c := crc32.Update(0, castagnoli, hdr[:at])
	c = crc32.Update(c, castagnoli, []byte{0, 0, 0, 0})
	c = crc32.Update(c, castagnoli, hdr[at+4:])
	return c == want
}
