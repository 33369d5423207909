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
	v2HeadLen   = 16 // signature, version/command, family, length
	addrLenIPv4 = 12
	addrLenIPv6 = 36

	tlvCRC32C    = 0x03
	tlvAuthority = 0x02
	tlvUniqueID  = 0x05

	maxAuthority = 255 // HAProxy refuses longer authority TLVs
	maxUniqueID  = 128 // and longer unique IDs (UNIQUEID_LEN)
)

// Header is what a decoded PROXY header says.
type Header struct {
	Version int // 1 or 2
	// Local: the header carries no addresses to use (v1 UNKNOWN, v2
	// LOCAL); the connection's own addresses stay in force, as in HAProxy.
	Local    bool
	Src, Dst netip.AddrPort
	// Authority and UniqueID are the v2 TLVs of those types ("" when
	// absent), which the fc_pp_authority and fc_pp_unique_id fetches
	// give.
	Authority, UniqueID string
}

// Decode reads a PROXY header at the start of b. It returns the header and
// its length in bytes, or an error: ErrNeedMore when b is too short to
// decide, else why b is refused (a v2 header refused for its TLVs still
// gives its addresses). It never reads past b.
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
	case bytes.HasPrefix(rest, []byte("TCP4 ")):
		return decodeTCP4(b)
	case bytes.HasPrefix(rest, []byte("TCP6 ")):
		return decodeTCP6(b)
	case bytes.HasPrefix(rest, []byte("UNKNOWN\r\n")):
		h.Local = true
		return h, 6 + 9, nil
	case len(rest) < 9 && bytes.HasPrefix([]byte("UNKNOWN\r\n"), rest):
		return h, 0, ErrNeedMore
	}
	// Also "UNKNOWN <anything>\r\n": HAProxy 2.6 only takes the bare form.
	return h, 0, ErrBadProto
}

// decodeTCP4 reads "PROXY TCP4 src dst sport dport\r\n" the way HAProxy
// 2.6 does, leniently: an address is up to four dot-separated numbers
// (missing ones are 0, only the last three digits of each count, and
// values carry over as in its inetaddr_host_lim_ret), a port is any run
// of digits (empty is 0, kept modulo 65536).
func decodeTCP4(b []byte) (Header, int, error) {
	h := Header{Version: 1}
	i := 11
	var addrs [2]netip.Addr
	for k := range addrs {
		addrs[k], i = lenientIPv4(b, i)
		if i == len(b) {
			return h, 0, ErrNeedMore
		}
		if b[i] != ' ' {
			return h, 0, ErrBadHeader
		}
		i++
	}
	var sport, dport uint16
	sport, i = lenientPort(b, i)
	if i == len(b) {
		return h, 0, ErrNeedMore
	}
	if b[i] != ' ' {
		return h, 0, ErrBadHeader
	}
	dport, i = lenientPort(b, i+1)
	if i > len(b)-2 {
		return h, 0, ErrNeedMore
	}
	if b[i] != '\r' || b[i+1] != '\n' {
		return h, 0, ErrBadHeader
	}
	h.Src, h.Dst = netip.AddrPortFrom(addrs[0], sport), netip.AddrPortFrom(addrs[1], dport)
	return h, i + 2, nil
}

// lenientIPv4 parses an IPv4 address at b[i:] as HAProxy 2.6's
// inetaddr_host_lim_ret and returns it with the index of the first byte
// not taken.
func lenientIPv4(b []byte, i int) (netip.Addr, int) {
	var v uint32
	for shift := 24; ; shift -= 8 {
		start := i
		for i < len(b) && b[i] >= '0' && b[i] <= '9' {
			i++
		}
		grp := uint32(0)
		for k := max(start, i-3); k < i; k++ {
			grp = grp*10 + uint32(b[k]-'0')
		}
		v += grp << shift
		if shift == 0 || i == len(b) || b[i] != '.' {
			break
		}
		i++
	}
	return netip.AddrFrom4([4]byte{byte(v >> 24), byte(v >> 16), byte(v >> 8), byte(v)}), i
}

// lenientPort reads digits at b[i:] as HAProxy's read_uint (wrapping in
// 32 bits) and keeps the low 16 bits, as its htons does.
func lenientPort(b []byte, i int) (uint16, int) {
	var n uint32
	for i < len(b) && b[i] >= '0' && b[i] <= '9' {
		n = n*10 + uint32(b[i]-'0')
		i++
	}
	return uint16(n), i
}

// decodeTCP6 reads "PROXY TCP6 src dst sport dport\r\n" as HAProxy 2.6:
// the line up to CR is cut at spaces (fields past the fourth are
// ignored), addresses must be inet_pton IPv6 forms, ports all digits
// (empty is 0).
func decodeTCP6(b []byte) (Header, int, error) {
	h := Header{Version: 1}
	cr := -1
	for i := 11; ; i++ {
		if i > len(b)-2 {
			return h, 0, ErrNeedMore
		}
		if b[i] == '\r' {
			if b[i+1] != '\n' {
				return h, 0, ErrBadHeader
			}
			cr = i
			break
		}
	}
	f := bytes.Split(b[11:cr], []byte(" "))
	if len(f) < 4 {
		return h, 0, ErrBadHeader
	}
	src, ok1 := v6Addr(f[0])
	dst, ok2 := v6Addr(f[1])
	sport, ok3 := digitsPort(f[2])
	dport, ok4 := digitsPort(f[3])
	if !ok1 || !ok2 || !ok3 || !ok4 {
		return h, 0, ErrBadHeader
	}
	h.Src, h.Dst = netip.AddrPortFrom(src, sport), netip.AddrPortFrom(dst, dport)
	return h, cr + 2, nil
}

func v6Addr(s []byte) (netip.Addr, bool) {
	a, err := netip.ParseAddr(string(s))
	return a, err == nil && a.Zone() == "" && a.Is6()
}

func digitsPort(s []byte) (uint16, bool) {
	p, n := lenientPort(s, 0)
	return p, n == len(s)
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
		// UNSPEC, UDP, unix sockets with the PROXY command: HAProxy
		// 2.6.12 refuses them (observed).
		return h, 0, ErrBadHeader
	}
	if err := readTLVs(b[:total], total-len(tlvs), &h); err != nil {
		// HAProxy has taken the addresses before it walks the TLVs: the
		// refused connection is logged with them.
		return Header{Version: 2, Src: h.Src, Dst: h.Dst}, 0, err
	}
	return h, total, nil
}

// readTLVs walks the TLVs of the header hdr from offset off, as HAProxy
// 2.6's conn_recv_proxy does: a CRC32C must be 4 bytes and match, an
// authority be at most 255 bytes and a unique ID at most 128 (kept in h);
// others are skipped. A TLV running past the header ends the walk (2.6
// does not refuse it).
func readTLVs(hdr []byte, off int, h *Header) error {
	for off+3 <= len(hdr) {
		typ, n := hdr[off], int(binary.BigEndian.Uint16(hdr[off+1:off+3]))
		val := off + 3
		switch typ {
		case tlvCRC32C:
			if n != 4 || val+4 > len(hdr) || !crcMatches(hdr, val) {
				return ErrBadHeader
			}
		case tlvAuthority:
			if n > maxAuthority {
				return ErrBadHeader
			}
			h.Authority = string(hdr[val:min(val+n, len(hdr))])
		case tlvUniqueID:
			if n > maxUniqueID {
				return ErrBadHeader
			}
			h.UniqueID = string(hdr[val:min(val+n, len(hdr))])
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
