// Package vrrp is the protocol core of gokeepalived, free of I/O and clocks:
//
//   - the advert codec (advert.go): VRRPv2 (RFC 3768, auth none/PASS) and
//     VRRPv3 (RFC 5798, IPv4 and IPv6, pseudo-header checksum), byte-identical
//     to keepalived 2.2.7 — proven against captures of the real daemon in
//     testdata/vrrp/*.pcap (regenerate with scripts/capture-vrrp-goldens.sh);
//   - keepalived's receive checks as a pure function (Validate) returning a
//     DropReason, counted per reason in Counters;
//   - the per-instance state machine (Instance) and vrrp_sync_group (SyncGroup).
//
// # Running an Instance
//
// A runner (the Linux edge) owns one Instance per vrrp_instance and feeds it
// events stamped with a monotonic time offset (Now). It performs the returned
// actions in order:
//
//   - SetTimer{Kind, At}: (re-)arm the one-shot slot Kind for time At, then
//     deliver TimerExpired{Now, Kind}; CancelTimer stops the slot. Stale or
//     early expiries are ignored by the machine, so races are harmless.
//   - SendAdvert: marshal Advert with Advert.AppendMarshal(buf, src, dst),
//     src = the instance's source address, dst = 224.0.0.18 / ff02::12 or each
//     unicast peer; use ChecksumDst instead of dst for the checksum when it is
//     valid (peer speaks keepalived ≤1.3.6's unicast VRRPv3 checksum). Send with
//     IP TTL/hop limit 255 and TOS/traffic class 0xc0 like keepalived.
//   - AddVIPs/DelVIPs: netlink address changes (ignore "exists"/"not found").
//   - FirewallAddVIPs/FirewallDelVIPs: the nftables `vips` set (no-accept).
//   - SendGratuitous{Addrs, Count}: Count GARPs (IPv4) or unsolicited NAs
//     (IPv6) per address, paced by vrrp_garp_interval / vrrp_gna_interval,
//     logging "Sending gratuitous ARP on IF for VIP" per packet as keepalived.
//   - Notify: notify_* scripts, generic notify and FIFO.
//   - Log: print as is (keepalived's exact words, "(name) " prefix included).
//
// Received adverts go to the instance whose VRID matches (PeekVRID) as
// AdvertReceived with the IP source, destination and TTL/hop limit (-1 if
// unknown). Link changes are InterfaceDown/InterfaceUp, the summed tracker
// state is TrackChanged, SIGTERM is Shutdown, SIGHUP is Reload per instance.
//
// # Transcripts
//
// The scenarios of testdata/transcripts/*.txt (the seed pair and its
// instances alone, the address owner, priority 0, preemption, nopreempt
// and preempt_delay, fault and recovery, shutdown, reloads, VRRPv3 over
// IPv6, sync groups) are data: steps (start, fire a timer, an advert
// received, a link or tracker change, a reload, shutdown) each followed by
// the actions (with the bytes of each advert sent), state and priority
// they produce, run by one driver (transcript_test.go); go test ./vrrp
// -run Transcripts -update rewrites the expected output.
package vrrp
