package vrrp

import (
	"fmt"
	"net/netip"
)

// DropReason says why a received advert was discarded (DropNone: accepted).
// The checks and their order follow keepalived 2.2.7's receive path.
type DropReason uint8

// Drop reasons, one Counters slot each.
const (
	DropNone             DropReason = iota
	DropLength                      // truncated, count overrun, trailing bytes
	DropTTL                         // multicast advert with TTL / hop limit != 255
	DropVersion                     // not the instance's VRRP version
	DropInvalidAuthType             // v2 auth type not 0, 1 or 2
	DropAuthTypeMismatch            // v2 auth type differs from ours
	DropAuthFailure                 // v2 PASS data differs from ours
	DropIntervalMismatch            // v2 advert interval differs from ours
	DropType                        // type is not advertisement
	DropAddrCount                   // address count differs from our VIP count
	DropChecksum                    // bad checksum
	DropCastMismatch                // multicast received in unicast mode or vice versa
	DropAddrList                    // one of our VIPs missing from the advert
	DropUnicastSrc                  // unicast source not a configured peer (check_unicast_src)
	DropVRID                        // advert for another virtual router
	numDropReasons
)

var dropReasonNames = [numDropReasons]string{
	DropNone:             "accepted",
	DropLength:           "packet_len_err",
	DropTTL:              "ip_ttl_err",
	DropVersion:          "version_err",
	DropInvalidAuthType:  "invalid_authtype",
	DropAuthTypeMismatch: "authtype_mismatch",
	DropAuthFailure:      "auth_failure",
	DropIntervalMismatch: "advert_interval_err",
	DropType:             "invalid_type_rcvd",
	DropAddrCount:        "addr_count_err",
	DropChecksum:         "chk_err",
	DropCastMismatch:     "cast_mismatch",
	DropAddrList:         "addr_list_err",
	DropUnicastSrc:       "unicast_src_err",
	DropVRID:             "vrid_err",
}

func (r DropReason) String() string {
	if r < numDropReasons {
		return dropReasonNames[r]
	}
	return fmt.Sprintf("DropReason(%d)", uint8(r))
}

// Counters counts received adverts by outcome: Counters[DropNone] is the
// number accepted, the other slots one per drop reason.
type Counters [numDropReasons]uint64

// Dropped is the total of all drop reasons.
func (c *Counters) Dropped() uint64 {
	var n uint64
	for r := DropLength; r < numDropReasons; r++ {
		n += c[r]
	}
	return n
}

// RxMeta is what the socket layer knows about a received advert.
type RxMeta struct {
	Src, Dst netip.Addr // IP source and destination
	TTL      int        // IPv4 TTL / IPv6 hop limit; -1 when unknown
}

// Verdict is the outcome of Validate.
type Verdict struct {
	Reason DropReason
	// Msg is keepalived's log text for the drop, without the "(name) " prefix.
	Msg string
	// OldUnicastChecksum: a VRRPv3/IPv4 unicast advert whose checksum only
	// matched with 224.0.0.18 as pseudo-header destination, as keepalived
	// ≤1.3.6 computed it. keepalived then switches its own unicast adverts to
	// that checksum ("Setting unicast VRRPv3 checksum to old version").
	OldUnicastChecksum bool
}

// Validate decodes payload into adv and applies keepalived's receive checks
// for cfg. checkAddrs enables the VIP count/list check (keepalived skips it
// under skip_check_adv_addr while the master's address is unchanged). Pure.
// ipv4HeaderLen is the IPv4 header without options, as keepalived counts it
// in its length messages.
const ipv4HeaderLen = 20

func Validate(cfg *InstanceConfig, payload []byte, m RxMeta, checkAddrs bool, adv *Advert) Verdict {
	ipv6 := cfg.IPv6
	if err := adv.Decode(payload, ipv6); err != nil {
		de, _ := err.(*DecodeError)
		if de != nil && (de.Kind == ErrBadVersion || de.Kind == ErrV2IPv6) {
			return Verdict{Reason: DropVersion, Msg: fmt.Sprintf("wrong version. Received %d and expect %d", payload[0]>>4, cfg.Version)}
		}
		want := headerLen
		if len(payload) >= headerLen {
			want = WireLen(cfg.Version, int(payload[3]), ipv6)
		}
		word := "short"
		if len(payload) > want {
			word = "long"
		}
		// keepalived measures IPv4 packets with their IP header (a raw IPv4
		// socket reads it); IPv6 raw sockets deliver the payload only.
		ipHdr := 0
		if !ipv6 {
			ipHdr = ipv4HeaderLen
		}
		return Verdict{Reason: DropLength, Msg: fmt.Sprintf("vrrp packet too %s, length %d and expect %d", word, len(payload)+ipHdr, want+ipHdr)}
	}
	if adv.VRID != cfg.VRID {
		return Verdict{Reason: DropVRID, Msg: fmt.Sprintf("received VRID %d, ours is %d", adv.VRID, cfg.VRID)}
	}
	unicast := len(cfg.UnicastPeers) > 0
	if !unicast && m.TTL != -1 && m.TTL != 255 {
		return Verdict{Reason: DropTTL, Msg: fmt.Sprintf("invalid TTL/HL. Received %d and expect 255", m.TTL)}
	}
	if adv.Version != cfg.Version {
		return Verdict{Reason: DropVersion, Msg: fmt.Sprintf("wrong version. Received %d and expect %d", adv.Version, cfg.Version)}
	}
	if adv.Version == 2 {
		if adv.AuthType > AuthAH {
			return Verdict{Reason: DropInvalidAuthType, Msg: fmt.Sprintf("Invalid auth type: %d", adv.AuthType)}
		}
		if adv.AuthType != cfg.AuthType {
			return Verdict{Reason: DropAuthTypeMismatch, Msg: fmt.Sprintf("received a %d auth, expecting %d!", adv.AuthType, cfg.AuthType)}
		}
		if cfg.AuthType == AuthPass && adv.AuthData != PassAuthData(cfg.AuthPass) {
			return Verdict{Reason: DropAuthFailure, Msg: "received an invalid passwd!"}
		}
		if mine := cfg.v2Interval(); adv.AdverInt != mine {
			return Verdict{Reason: DropIntervalMismatch, Msg: fmt.Sprintf("advertisement interval mismatch mine=%d sec rcv'd=%d sec", mine, adv.AdverInt)}
		}
	}
	if adv.Type != TypeAdvertisement {
		return Verdict{Reason: DropType, Msg: fmt.Sprintf("Invalid packet type. %d and expect %d", adv.Type, TypeAdvertisement)}
	}
	if checkAddrs && len(adv.Addrs) != len(cfg.VIPs) {
		return Verdict{Reason: DropAddrCount, Msg: fmt.Sprintf("received an unexpected ip number count %d, expected %d!", len(adv.Addrs), len(cfg.VIPs))}
	}
	var v Verdict
	if adv.Version == 2 {
		if Checksum(payload, netip.Addr{}, netip.Addr{}) != adv.Checksum {
			return Verdict{Reason: DropChecksum, Msg: "Invalid VRRPv2 checksum"}
		}
	} else if Checksum(payload, m.Src, m.Dst) != adv.Checksum {
		// keepalived ≤1.3.6 put the multicast group in the pseudo-header of
		// unicast VRRPv3 adverts; accept that, as keepalived auto-detects it.
		if !unicast || ipv6 || m.Dst == MulticastGroup4 || Checksum(payload, m.Src, MulticastGroup4) != adv.Checksum {
			return Verdict{Reason: DropChecksum, Msg: "Invalid VRRPv3 checksum"}
		}
		v.OldUnicastChecksum = true
	}
	if m.Dst.IsMulticast() == unicast {
		want, got := "mult", "un"
		if unicast {
			want, got = "un", "mult"
		}
		return Verdict{Reason: DropCastMismatch, Msg: fmt.Sprintf("Expected %sicast packet but received %sicast packet", want, got)}
	}
	if checkAddrs {
		for _, vip := range cfg.VIPs {
			if !containsAddr(adv.Addrs, vip) {
				return Verdict{Reason: DropAddrList, Msg: fmt.Sprintf("ip address associated with VRID %d not present in MASTER advert: %s", cfg.VRID, vip)}
			}
		}
		if unicast && cfg.CheckUnicastSrc {
			if !containsAddr(cfg.UnicastPeers, m.Src) {
				return Verdict{Reason: DropUnicastSrc, Msg: fmt.Sprintf("unicast source address %s not a unicast peer", m.Src)}
			}
			if r, ok := cfg.UnicastPeerTTL[m.Src]; ok && m.TTL != -1 && (m.TTL < r.Min || m.TTL > r.Max) {
				return Verdict{Reason: DropTTL, Msg: fmt.Sprintf("TTL/HL %d not in range %d - %d", m.TTL, r.Min, r.Max)}
			}
		}
	}
	return v
}

func containsAddr(list []netip.Addr, a netip.Addr) bool {
	for _, x := range list {
		if x == a {
			return true
		}
	}
	return false
}

// PeekVRID returns the VRID of a raw advert so a runner can pick the instance
// before decoding; ok is false when the payload is too short to tell.
func PeekVRID(payload []byte) (vrid uint8, ok bool) {
	if len(payload) < 2 {
		return 0, false
	}
	return payload[1], true
}
