package vrrp

import (
	"net/netip"
	"slices"
	"time"
)

// InstanceConfig is the effective configuration of one vrrp_instance: what the
// state machine and the receive checks need, after keepalived's defaults and
// its vrrp_strict rewrites have been applied by whoever maps the parsed
// keepalived.conf onto it (strict: auth dropped, preempt_delay reset,
// lower_prio_no_advert on, garp_lower_prio_repeat 0, accept off unless 255).
type InstanceConfig struct {
	Name      string // the instance name, as in "(lb_ha) Entering MASTER STATE"
	Interface string // for log lines only ("gratuitous ARPs on ens160")
	Version   uint8  // 2 or 3
	VRID      uint8
	// Priority is the configured base priority, 1..255 (255 = address owner).
	Priority uint8
	// StartMaster is `state MASTER`; it only matters with priority 255.
	StartMaster bool
	// AdvertInterval is advert_int (v2 on the wire in whole seconds, v3 in centiseconds).
	AdvertInterval time.Duration
	// VIPs are the advertised addresses in configuration order (not the eVIPs).
	VIPs []netip.Addr
	// ExcludedVIPs (virtual_ipaddress_excluded) are added, removed and
	// GARPed with the VIPs but never advertised or checked.
	ExcludedVIPs []netip.Addr
	IPv6         bool // the instance's family (native_ipv6 or IPv6 VIPs)
	// SrcAddr is the source of our adverts (interface primary address,
	// mcast_src_ip or unicast_src_ip): equal priorities are won by the higher one.
	SrcAddr netip.Addr

	AuthType AuthType // v2 only: AuthNone or AuthPass
	AuthPass string

	UnicastPeers    []netip.Addr
	CheckUnicastSrc bool
	// UnicastPeerTTL holds a peer's `min_ttl`/`max_ttl`, checked (with
	// check_unicast_src) against the received TTL / hop limit.
	UnicastPeerTTL map[netip.Addr]TTLRange
	// SkipCheckAdvAddr is vrrp_skip_check_adv_addr / skip_check_adv_addr.
	SkipCheckAdvAddr bool

	Nopreempt    bool
	PreemptDelay time.Duration

	// NoAccept: VIP traffic is dropped with nftables while MASTER
	// (vrrp_strict or no_accept, without accept).
	NoAccept bool

	LowerPrioNoAdvert    bool
	HigherPrioSendAdvert bool
	DontTrackPrimary     bool
	// DownTimerAdverts is down_timer_adverts: the master-down timer is this
	// many advert intervals plus the skew (0: RFC's 3).
	DownTimerAdverts int

	// GARP schedule (keepalived's names). Repeat counts are per VIP.
	GarpMasterDelay         time.Duration // second burst after MASTER entry; 0 = none
	GarpMasterRepeat        int
	GarpMasterRefresh       time.Duration // periodic burst while MASTER; 0 = off
	GarpMasterRefreshRepeat int
	GarpLowerPrioDelay      time.Duration
	GarpLowerPrioRepeat     int
}

// TTLRange is an inclusive TTL / hop limit range.
type TTLRange struct{ Min, Max int }

// DefaultInstanceConfig returns keepalived 2.2.7's defaults for an instance.
// vrrp_min_garp changes them to GarpMasterRepeat 1, GarpMasterDelay 0.
func DefaultInstanceConfig() InstanceConfig {
	return InstanceConfig{
		Version:                 2,
		Priority:                100,
		AdvertInterval:          time.Second,
		GarpMasterDelay:         5 * time.Second,
		GarpMasterRepeat:        5,
		GarpMasterRefreshRepeat: 1,
		GarpLowerPrioRepeat:     5,
		GarpLowerPrioDelay:      5 * time.Second,
	}
}

// v2Interval is advert_int as VRRPv2 carries it: whole seconds, rounded.
func (c *InstanceConfig) v2Interval() uint8 {
	s := (c.AdvertInterval + time.Second/2) / time.Second
	if s < 1 {
		s = 1
	}
	if s > 255 {
		s = 255
	}
	return uint8(s)
}

// v3Interval is advert_int in centiseconds, 12 bits.
func (c *InstanceConfig) v3Interval() uint16 {
	cs := c.AdvertInterval / (10 * time.Millisecond)
	if cs < 1 {
		cs = 1
	}
	if cs > maxV3Inter {
		cs = maxV3Inter
	}
	return uint16(cs)
}

// wireInterval is the advert interval the instance really uses (v2 rounds to seconds).
func (c *InstanceConfig) wireInterval() time.Duration {
	if c.Version == 2 {
		return time.Duration(c.v2Interval()) * time.Second
	}
	return time.Duration(c.v3Interval()) * 10 * time.Millisecond
}

// sameIdentity says whether a reload keeps the instance running in its state:
// same virtual router on the same link and protocol.
func (c *InstanceConfig) sameIdentity(o *InstanceConfig) bool {
	return c.Name == o.Name && c.Interface == o.Interface && c.VRID == o.VRID &&
		c.Version == o.Version && c.IPv6 == o.IPv6
}

// allVIPs is every address the instance owns while MASTER.
func (c *InstanceConfig) allVIPs() []netip.Addr {
	if len(c.ExcludedVIPs) == 0 {
		return c.VIPs
	}
	return append(slices.Clip(c.VIPs), c.ExcludedVIPs...)
}

func vipsEqual(a, b []netip.Addr) bool { return slices.Equal(a, b) }
