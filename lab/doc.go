// Package lab builds throw-away network topologies out of Linux network
// namespaces for integration tests and for `make demo`.
//
// A Lab is one "switch" namespace holding a bridge br0 that has no link to
// any interface of the root namespace and no route out, plus one namespace
// per host. Every host gets a veth pair whose host end is called ens160
// (the seed configs name that interface) and whose peer end is enslaved to
// br0. Nothing is ever created in the root namespace: veth pairs are created
// directly inside the host namespace and their peer is moved straight into
// the switch namespace, so a seed address such as 192.168.110.11 can never
// leak onto the machine's real network.
//
// Namespaces are named <prefix>-<pid>-<host> so that parallel test binaries
// never collide and so that CleanupStale can recognise the leftovers of a
// run whose process is gone.
//
// # /etc overlay
//
// `ip netns exec NAME cmd` unshares a mount namespace and, for every entry
// E directly under /etc/netns/NAME/, bind-mounts /etc/netns/NAME/E over
// /etc/E (iproute2 does this only for top-level entries and only when the
// target /etc/E already exists; a missing target is reported on stderr and
// skipped). Host.EtcFile relies on that: writing /etc/keepalived/keepalived.conf
// for a host creates /etc/netns/NAME/keepalived/keepalived.conf, and inside
// that host the whole /etc/keepalived directory is replaced by the overlay
// directory (other files of the real /etc/keepalived are hidden there). The
// overlay is visible only to processes started through Host.Run/Host.Start,
// not to Go code run with Host.Do (that only switches the network namespace).
package lab
