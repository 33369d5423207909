// Package daemon runs the vrrp_instances of a keepalived.conf: the runner
// between the pure state machine (package vrrp) and the Linux edge
// (package vrrp/netio), used by gokeepalived's daemon (internal/keepalivedcmd).
//
//   - MapConfig (mapconfig.go) turns the parser's typed configuration into
//     a Config: one effective vrrp.InstanceConfig per instance with the
//     rules keepalived applies at start (advert source = unicast_src_ip,
//     mcast_src_ip or the interface's primary address; IPv6 → VRRPv3;
//     vrrp_min_garp; no-accept), plus VIP options, multicast group,
//     trackers, notify scripts and sync groups.
//   - Runner (runner.go) owns every instance in one event loop: it arms the
//     machine's timer slots as deadlines of one Clock timer, feeds received
//     adverts by VRID (PeekVRID; adverts for a VRID nobody runs are counted
//     per socket), link changes, tracker sums and sync-group moves, and
//     performs the actions through an Edge (perform.go). Starting
//     (start.go), the shared sockets (conn.go) and stopping (stop.go) are
//     beside it. Instances with the same interface, family, group and
//     source share one socket.
//   - GARP/NA pacing (garp.go): per physical interface (or per garp_group,
//     whose interfaces share one pace) and family, one frame per
//     vrrp_garp_interval / vrrp_gna_interval or the group's interval (0 =
//     all at once); the rounds that must wait collapse into one pending
//     announcement per address, sent in VIP order as keepalived's ARP
//     thread does; pending ones of addresses the instance gives up are dropped.
//   - Trackers (track.go, trackfile.go): track_interface from link events,
//     vrrp_script checks with interval, timeout, rise/fall, weight and
//     reverse, track_file watched with fsnotify on its directory as
//     keepalived does with inotify (written or moved in: read again once
//     settled; deleted or moved away: 0); weights summed as keepalived
//     does (positive while fine, negative while failing, 0 = FAULT).
//     vrrp_track_process (trackprocess.go, procmatch.go): matching
//     processes counted from /proc, then followed through the process
//     events connector (netio), or /proc rescans where there is none.
//   - Notify (notify.go): notify_master/backup/fault/stop, generic notify
//     with `INSTANCE name STATE priority` (`GROUP name STATE 0` for sync
//     groups once all members agree) and the notify FIFO line.
//   - Reload/Status/Data/Stats (control.go) and JSON (json.go): SIGHUP in
//     place (an unchanged socket keeps the instance and its state, no VIP
//     flap), the USR1 data dump, the USR2 statistics with a line per drop
//     reason and the signal-36 JSON dump.
//   - Snapshot (snapshot.go): a read-only copy of every instance's state and
//     of the counters the stats dump prints, for the Prometheus exporter
//     (vrrp/daemon/metrics, gokeepalived --metrics-address).
//   - Host networking (hostnet.go, routes.go): use_vmac macvlans created
//     before the sockets and deleted on stop, virtual_routes/rules while
//     MASTER (set after the VIPs, removed before them), static_* for the
//     daemon's lifetime; route and rule lines come typed from parser/keepalived.
//   - LinuxEdge (linux.go, linux_hostnet.go): the Edge over vrrp/netio,
//     netlink and exec.
//
// The clock is injected (Options.Clock, clock.go): the loop's deadlines,
// script intervals and timeouts and the time of a state change all read
// it, and every host effect goes through Edge, so runner_test.go drives
// the loop synchronously with a fake clock and a recording edge, and
// clock_test.go runs Run itself on a fake clock. The *_lab_test.go files run the real binary in
// network namespaces: the seed pair, the process signals, and mixed pairs
// with the real keepalived 2.2.7.
package daemon
