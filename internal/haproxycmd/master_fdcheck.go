package haproxycmd

import (
	"github.com/goha-lb/goha/parser/haproxy"
	"github.com/goha-lb/goha/proxy/listen"
)

// checkInheritedFDs makes HAProxy's parse-time check of `bind fd@N` and
// `bind sockpair@N`: N must be an open stream socket of this process. The
// parser itself never touches descriptors; gohaproxy (-c and run alike, as
// HAProxy) calls this on a configuration that parsed without errors, and
// words failures as HAProxy does:
//
//	config : parsing [f.cfg:11] : 'bind' : cannot use file descriptor '3' : Bad file descriptor.
//	config : Error(s) found in configuration file : f.cfg
//	config : Fatal errors found in configuration.
func checkInheritedFDs(res *haproxy.Result) {
	if res == nil || res.Config == nil || res.Exit == 1 {
		return
	}
	var files []string
	seen := map[string]bool{}
	for _, p := range res.Config.Proxies {
		for _, b := range p.Binds {
			for _, a := range b.Addrs {
				if a.Family != "fd" && a.Family != "sockpair" {
					continue
				}
				if err := listen.CheckFD(a.FD); err != nil {
					res.Diags.Alertf(b.Pos.File, b.Pos.Line, "'bind' : %s", err)
					if !seen[b.Pos.File] {
						seen[b.Pos.File] = true
						files = append(files, b.Pos.File)
					}
				}
			}
		}
	}
	if len(files) == 0 {
		return
	}
	for _, f := range files {
		res.Diags.Raw(haproxy.Alert, "", 0, "config : Error(s) found in configuration file : "+f)
	}
	res.Diags.Raw(haproxy.Alert, "", 0, "config : Fatal errors found in configuration.")
	res.Exit = 1
	res.Stdout = nil
}
