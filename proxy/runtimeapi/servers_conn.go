package runtimeapi

import (
	"fmt"
	"net"
	"strings"
)

// FormatServersConn renders `show servers conn [backend]` in HAProxy
// 2.6's layout: goha's idle connections, unsafe (only a session's first
// request carried) and safe, are kept in one pool (shown on the first
// thread); no pool-max-conn (idle_lim -1).
func FormatServersConn(proxies []Proxy, backend string, threads int) (string, bool) {
	threads = max(threads, 1)
	var b strings.Builder
	fmt.Fprintf(&b, "# bkname/svname bkid/svid addr port - purge_delay used_cur used_max need_est unsafe_nb safe_nb idle_lim idle_cur idle_per_thr[%d]\n", threads)
	found := backend == ""
	for i := range proxies {
		px := &proxies[i]
		px.defaultID(i)
		if px.Backend == nil || (backend != "" && px.Name != backend) {
			continue
		}
		found = true
		for j := range px.Backend.Servers {
			sv := &px.Backend.Servers[j]
			host, port, err := net.SplitHostPort(sv.Addr)
			if err != nil {
				host, port = sv.Addr, "0"
			}
			fmt.Fprintf(&b, "%s/%s %d/%d %s %s - %d %d %d %d %d %d %d %d", px.Name, sv.Name, px.id(), sv.ID, host, port,
				purgeDelayMS(sv.PurgeDelayMS), sv.SCur, sv.UsedMax, sv.NeedConns, sv.IdleUnsafe, sv.IdleConns-sv.IdleUnsafe, -1, sv.IdleConns)
			for t := 0; t < threads; t++ {
				n := 0
				if t == 0 {
					n = sv.IdleConns
				}
				fmt.Fprintf(&b, " %d", n)
			}
			b.WriteByte('\n')
		}
	}
	return b.String(), found
}

func cmdShowServersConn(s *Session, args []string) string {
	out, ok := FormatServersConn(s.src.Stats(), argAt(args, 3), s.src.Info().Nbthread)
	if !ok {
		return "Can't find backend.\n"
	}
	return out
}

// Resolvers is a `resolvers` section as `show resolvers` reports it: the
// configuration's sections, then the "default" one HAProxy 2.6 makes from
// /etc/resolv.conf when the configuration has none of that name.
type Resolvers struct {
	Name        string
	Nameservers []string // ids: the configured names, or resolv.conf's addresses
	// Counters are each nameserver's counts, in `show resolvers` order
	// (nil: all 0).
	Counters [][]int64
}

// ResolversLister is a Source that lists its resolvers sections.
type ResolversLister interface {
	Resolvers() []Resolvers
}

var resolverCounters = []string{"sent", "snd_error", "valid", "update", "cname", "cname_error", "any_err", "nx", "timeout",
	"refused", "other", "invalid", "too_big", "truncated", "outdated"}

func cmdShowResolvers(s *Session, args []string) string {
	var all []Resolvers
	if rl, ok := s.src.(ResolversLister); ok {
		all = rl.Resolvers()
	}
	name := argAt(args, 2)
	var b strings.Builder
	found := name == ""
	for _, r := range all {
		if name != "" && r.Name != name {
			continue
		}
		found = true
		fmt.Fprintf(&b, "Resolvers section %s\n", r.Name)
		for i, ns := range r.Nameservers {
			fmt.Fprintf(&b, " nameserver %s:\n", ns)
			for j, c := range resolverCounters {
				var n int64
				if i < len(r.Counters) && j < len(r.Counters[i]) {
					n = r.Counters[i][j]
				}
				fmt.Fprintf(&b, "  %-12s %d\n", c+":", n)
			}
		}
	}
	if !found {
		return "Can't find that resolvers section\n"
	}
	return b.String()
}

// purgeDelayMS is a server's pool-purge-delay as the listing shows it: 0
// stands for HAProxy's default, 5s, and a negative one for 0.
func purgeDelayMS(ms int64) int64 {
	switch {
	case ms == 0:
		return 5000
	case ms < 0:
		return 0
	}
	return ms
}
