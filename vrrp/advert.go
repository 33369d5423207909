package vrrp

import (
	"encoding/binary"
	"net/netip"
)

// ProtocolNumber is the IP protocol number of VRRP.
const ProtocolNumber = 112

// TypeAdvertisement is the only VRRP packet type (RFC 3768 §5.3.2, RFC 5798 §5.2.2).
const TypeAdvertisement = 1

// Multicast destinations of adverts.
var (
	MulticastGroup4 = netip.AddrFrom4([4]byte{224, 0, 0, 18})
	MulticastGroup6 = netip.MustParseAddr("ff02::12")
)

// AuthType is the VRRPv2 authentication type field.
type AuthType uint8

// VRRPv2 authentication types. AH is carried in an IPsec header, not in the
// VRRP payload; only its type code matters to the codec.
const (
	AuthNone AuthType = 0
	AuthPass AuthType = 1
	AuthAH   AuthType = 2
)

func (t AuthType) String() string {
	switch t {
	case AuthNone:
		return "none"
	case AuthPass:
		return "PASS"
	case AuthAH:
		return "AH"
	}
	return "unknown"
}

// Fixed sizes of the wire format.
const (
	headerLen  = 8 // version/type, VRID, priority, count, then 4 version-specific bytes
	authLen    = 8 // VRRPv2 authentication data, always present in keepalived's adverts
	maxV3Inter = 0x0fff
)

// Advert is one decoded VRRP advertisement (the IP payload, without IP header).
type Advert struct {
	Version  uint8 // 2 or 3
	Type     uint8 // TypeAdvertisement for anything valid
	VRID     uint8
	Priority uint8
	// Addrs are the virtual addresses: IPv4 for v2 and v3/IPv4, IPv6 for v3/IPv6.
	Addrs []netip.Addr

	// VRRPv2 only.
	AuthType AuthType
	AuthData [authLen]byte // PASS: the first 8 characters of auth_pass, NUL-padded
	AdverInt uint8         // seconds

	// VRRPv3 only: Max Advertise Interval in centiseconds (12 bits).
	MaxAdverInt uint16

	// Checksum is the value read from the wire by Decode; Marshal computes its own.
	Checksum uint16
}

// IPv6 reports whether the advert carries IPv6 addresses.
func (a *Advert) IPv6() bool { return len(a.Addrs) > 0 && a.Addrs[0].Is6() }

// PassAuthData returns the 8 authentication bytes keepalived puts on the wire
// for `auth_type PASS` with this password: the first 8 bytes, NUL-padded.
func PassAuthData(pass string) [authLen]byte {
	var d [authLen]byte
	copy(d[:], pass)
	return d
}

// WireLen is the payload length of a v2 or v3 advert with n addresses of the given family.
func WireLen(version uint8, n int, ipv6 bool) int {
	size := 4
	if ipv6 {
		size = 16
	}
	l := headerLen + n*size
	if version == 2 {
		l += authLen
	}
	return l
}

// Marshal encodes the advert as keepalived 2.2.7 does, computing the checksum.
// src and dst are the IP source and destination: VRRPv3 checksums cover the
// IPv4/IPv6 pseudo-header, VRRPv2 ones do not (src/dst are then ignored).
func (a *Advert) Marshal(src, dst netip.Addr) ([]byte, error) {
	return a.AppendMarshal(make([]byte, 0, WireLen(a.Version, len(a.Addrs), a.IPv6())), src, dst)
}

// AppendMarshal is Marshal appending to b (allocation-free when b has room).
func (a *Advert) AppendMarshal(b []byte, src, dst netip.Addr) ([]byte, error) {
	if err := a.checkEncodable(src, dst); err != nil {
		return b, err
	}
	ipv6 := a.IPv6()
	start := len(b)
	b = append(b, a.Version<<4|a.Type&0x0f, a.VRID, a.Priority, uint8(len(a.Addrs)))
	if a.Version == 2 {
		b = append(b, uint8(a.AuthType), a.AdverInt, 0, 0)
	} else {
		b = binary.BigEndian.AppendUint16(b, a.MaxAdverInt&maxV3Inter)
		b = append(b, 0, 0)
	}
	for _, ip := range a.Addrs {
		if ipv6 {
			s := ip.As16()
			b = append(b, s[:]...)
		} else {
			s := ip.As4()
			b = append(b, s[:]...)
		}
	}
	if a.Version == 2 {
		b = append(b, a.AuthData[:]...)
	}
	msg := b[start:]
	var sum uint16
	if a.Version == 2 {
		sum = Checksum(msg, netip.Addr{}, netip.Addr{})
	} else {
		sum = Checksum(msg, src, dst)
	}
	binary.BigEndian.PutUint16(msg[6:8], sum)
	return b, nil
}

func (a *Advert) checkEncodable(src, dst netip.Addr) error {
	switch a.Version {
	case 2, 3:
	default:
		return &DecodeError{Kind: ErrBadVersion, Value: int(a.Version)}
	}
	if len(a.Addrs) > 255 {
		return &DecodeError{Kind: ErrCountOverrun, Value: len(a.Addrs)}
	}
	ipv6 := a.IPv6()
	for _, ip := range a.Addrs {
		if !ip.IsValid() || ip.Is4() == ipv6 {
			return &DecodeError{Kind: ErrMixedFamilies}
		}
	}
	if a.Version == 2 && ipv6 {
		return &DecodeError{Kind: ErrV2IPv6}
	}
	if a.Version == 3 && (!src.IsValid() || !dst.IsValid() || src.Is4() != dst.Is4()) {
		return &DecodeError{Kind: ErrNeedPseudoHeader}
	}
	return nil
}

// Decode parses a VRRP payload into a, reusing a.Addrs' storage (zero
// allocations once it has room). ipv6 says which family the IP header was:
// VRRPv3 does not carry it. It never panics; errors are *DecodeError.
// Semantic checks against an instance (VRID, auth, interval...) are Validate's.
func (a *Advert) Decode(b []byte, ipv6 bool) error {
	if len(b) < headerLen {
		return &DecodeError{Kind: ErrTruncated, Value: len(b)}
	}
	a.Version = b[0] >> 4
	a.Type = b[0] & 0x0f
	if a.Version != 2 && a.Version != 3 {
		return &DecodeError{Kind: ErrBadVersion, Value: int(a.Version)}
	}
	if a.Version == 2 && ipv6 {
		return &DecodeError{Kind: ErrV2IPv6}
	}
	a.VRID = b[1]
	a.Priority = b[2]
	n := int(b[3])
	a.Checksum = binary.BigEndian.Uint16(b[6:8])
	a.AuthType, a.AdverInt, a.MaxAdverInt, a.AuthData = 0, 0, 0, [authLen]byte{}
	if a.Version == 2 {
		a.AuthType = AuthType(b[4])
		a.AdverInt = b[5]
	} else {
		a.MaxAdverInt = binary.BigEndian.Uint16(b[4:6]) & maxV3Inter
	}
	want := WireLen(a.Version, n, ipv6)
	if len(b) < want {
		return &DecodeError{Kind: ErrCountOverrun, Value: n}
	}
	if len(b) > want {
		return &DecodeError{Kind: ErrTrailingBytes, Value: len(b) - want}
	}
	a.Addrs = a.Addrs[:0]
	p := b[headerLen:]
	for i := 0; i < n; i++ {
		if ipv6 {
			a.Addrs = append(a.Addrs, netip.AddrFrom16([16]byte(p[:16])))
			p = p[16:]
		} else {
			a.Addrs = append(a.Addrs, netip.AddrFrom4([4]byte(p[:4])))
			p = p[4:]
		}
	}
	if a.Version == 2 {
		copy(a.AuthData[:], p[:authLen])
	}
	return nil
}

// Checksum is the Internet checksum of a VRRP message with its checksum field
// (bytes 6-7) counted as zero. With valid src/dst it includes the IPv4 or IPv6
// pseudo-header (VRRPv3); with invalid ones it covers the message only (VRRPv2,
// and the pre-1.3.6 keepalived unicast VRRPv3 quirk handled by Validate).
func Checksum(msg []byte, src, dst netip.Addr) uint16 {
	var sum uint32
	if src.IsValid() && dst.IsValid() {
		if src.Is4() {
			s, d := src.As4(), dst.As4()
			sum += sum16(s[:]) + sum16(d[:])
		} else {
			s, d := src.As16(), dst.As16()
			sum += sum16(s[:]) + sum16(d[:])
		}
		sum += ProtocolNumber + uint32(len(msg))
	}
	if len(msg) >= 8 {
		sum += sum16(msg[:6]) + sum16(msg[8:])
	} else {
		sum += sum16(msg)
	}
	for sum>>16 != 0 {
		sum = sum&0xffff + sum>>16
	}
	return ^uint16(sum)
}

// sum16 adds b as big-endian 16-bit words, an odd last byte padded with zero.
func sum16(b []byte) uint32 {
	var s uint32
	for len(b) >= 2 {
		s += uint32(b[0])<<8 | uint32(b[1])
		b = b[2:]
	}
	if len(b) == 1 {
		s += uint32(b[0]) << 8
	}
	return s
}
