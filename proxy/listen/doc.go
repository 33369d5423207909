// Package listen turns a bind address into a listening socket the way
// HAProxy 2.6 does, including sockets gohaproxy did not open itself:
//
//   - "fd@N": a descriptor inherited from the parent (test harnesses,
//     supervisors, `fd@${NAME}` after the parser's environment expansion).
//     It must be a stream socket of family inet or inet6; a socket that is
//     bound but not yet listening is put in listening state, as HAProxy
//     does. Anything else is a startup error naming the descriptor, in
//     HAProxy's words.
//   - systemd socket activation (LISTEN_PID, LISTEN_FDS, LISTEN_FDNAMES):
//     the descriptors start at 3, so `bind fd@3` works unchanged, and each
//     named one is also published as the environment variable
//     LISTEN_FD_<NAME> for `bind "fd@${LISTEN_FD_<NAME>}"` (HAProxy expands
//     variables inside double quotes only).
//   - "sockpair@N" (connections received as descriptors over a socketpair)
//     is reported as not supported.
//   - A Registry of listeners handed over by a previous worker or the
//     master, keyed by the bind address as written, so a new worker reuses
//     the very same sockets (same accept queue: no connection is refused
//     or lost during a reload) instead of binding again.
//
// A socket this package opens gets the bind line's socket options
// (SockOpts: v4v6/v6only, defer-accept, tcp-ut, interface, namespace) as
// HAProxy sets them, and is plain TCP on the family of its address.
//
// Set is what a running worker exports again: the listeners it uses, by
// bind address, as files to put in exec.Cmd.ExtraFiles (Encode), to send
// to the master over a unix socket with SCM_RIGHTS and their bind
// addresses (Send/Receive), or to hand to a new process asking
// "_getsocks" on a `stats socket ... expose-fd listeners` (ServeGetSocks,
// FetchGetSocks for `-x`). That last transfer is HAProxy 2.6's own layout,
// so a gohaproxy can take over a running HAProxy's sockets and the other
// way round; such sockets are matched to bind lines by local address.
package listen
