// Package netio is the Linux edge of gokeepalived's VRRP engine: the thin
// adapters the runner (vrrp/daemon) uses to perform the pure state machine's
// actions and to feed it events. Nothing here knows VRRP's rules; it moves
// bytes and addresses exactly as keepalived 2.2.7 does.
//
//   - Conn (conn.go): a raw IP protocol 112 socket on one interface, IPv4 or
//     IPv6, multicast (224.0.0.18 / ff02::12 or a configured group) or
//     unicast. Send writes a marshalled VRRP payload with TTL / hop limit
//     255 and TOS / traffic class 0xc0; Recv returns a payload with the
//     metadata the receive checks need (source, destination, TTL, ifindex).
//   - Addrs (addrs.go): virtual addresses added to and removed from an
//     interface with netlink, the way keepalived adds them (secondary, no
//     broadcast unless asked, label, scope, IFA_F_NODAD for IPv6, link-local
//     IPv6 VIPs deprecated so they are never chosen as a source).
//   - Announcer (announce.go): keepalived's gratuitous ARP and unsolicited
//     neighbour advertisement frames, written on a packet socket.
//   - Firewall (firewall.go): keepalived's nftables `table ip keepalived` /
//     `table ip6 keepalived` with the `vips` drop set (vrrp_strict /
//     no_accept).
//   - LinkWatcher (linkwatch.go): up/down/removed events of one interface
//     from netlink, re-subscribing when the kernel drops the subscription.
//   - ProcEvents (procevents.go): the kernel's process events connector
//     (fork, exec, comm, exit of processes, threads left out), which only
//     the initial network namespace has.
//
// # Namespaces
//
// Every constructor binds its sockets to the network namespace of the
// calling OS thread at construction time, and never opens sockets later, so
// a value built inside lab.Host.Do (or in a process started inside a
// namespace) keeps working in that namespace from any goroutine.
package netio
