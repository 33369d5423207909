// Package seedlab runs the seed scenario of ../../testdata/seed (the
// tutorial this project was created from) in a throw-away lab: hosts
// backend (192.168.110.33), lb1 (.11), lb2 (.22) and client (.44), each
// with interface ens160 on one isolated bridge.
//
// Every daemon runs in its host's network namespace and in a private mount
// namespace of its own (`unshare --mount --propagation private` inside
// `ip netns exec`), in which per-host directories of the lab are
// bind-mounted over /run, /var/lib/haproxy, /etc/keepalived and
// /etc/haproxy (and /etc/nginx, /usr/share/nginx on the backend). So the
// seed configs work unchanged at their usual paths, with their own
// pidfiles, chroot and stats socket, and nothing is written to the
// machine's own /etc or /run. Daemons that fork into the background
// (haproxy's `daemon`) are found again through their pidfile in the
// private /run and killed by PID.
//
// A Seed can run either implementation on each load balancer: the
// reference daemons (Debian's keepalived 2.2.7 and HAProxy 2.6) or goha's
// gokeepalived and gohaproxy, which makes mixed pairs possible.
//
// The client side is a bounded request loop (Loop) run inside the client
// namespace; Summarize turns its samples into the service gap and the
// number of failed requests, the figures `make compare` publishes.
package seedlab
