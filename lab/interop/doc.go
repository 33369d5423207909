// Package interop proves gokeepalived against the real keepalived 2.2.7 in
// throw-away network namespaces (package lab): crafted bad adverts injected
// on the lab bridge, mixed pairs (one side keepalived, the other
// gokeepalived) for VRRPv2, VRRPv3 and IPv6, the seed's active-active
// extension, and failover-gap measurements.
//
// The non-test code is the harness the tests and cmd/failover share:
//
//   - Pair (pair.go): a lab with lb1 (192.168.110.11), lb2 (.22) and an
//     injector host inj (.66), all on ens160; each VRRP daemon runs in its
//     host's network namespace and in a private mount namespace where the
//     host's own directories replace /run, /tmp and /etc/keepalived, so
//     pidfiles and the USR1/USR2 dumps never touch the machine's.
//   - Daemon (daemon.go): one keepalived or gokeepalived process tree,
//     stopped with SIGTERM or crashed with SIGKILL by PID.
//   - Frame and Injector (craft.go, inject.go): hand-made Ethernet/IPv4
//     frames carrying (possibly broken) VRRP adverts, sent raw on ens160.
//   - Adverts and DualMaster (wire.go): adverts decoded from a br0 capture
//     and the intervals during which two routers advertised at once.
package interop
