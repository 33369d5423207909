package haproxycfg

import (
	"errors"
	"strings"

	"github.com/goha-lb/goha/parser/haproxy"
	"github.com/goha-lb/goha/proxy"
	"github.com/goha-lb/goha/proxy/acl"
)

// mapActionRule maps http-request/http-response add-acl, del-acl,
// set-map and del-map (proxy/acl map_actions.go): a rule that decides
// nothing and changes the pattern reference the runtime API shows.
func (b *builder) mapActionRule(r haproxy.HTTPRule, kw string, place acl.Place) (proxy.HeaderRule, bool) {
	verb, file, _ := haproxy.ParseMapAction(r.Action)
	full := strings.TrimSpace(kw + " " + r.Action + " " + strings.Join(r.Args, " "))
	want := 1
	if verb == "set-map" {
		want = 2
	}
	if len(r.Args) != want {
		b.unsupported(r.Pos, full)
		return proxy.HeaderRule{}, false
	}
	value := ""
	if want == 2 {
		value = r.Args[1]
	}
	exec, err := acl.CompileMapAction(verb, file, r.Args[0], value)
	for _, a := range r.Args {
		if msg := acl.FormatUnavailable(a, place); err == nil && msg != "" {
			err = errors.New(msg)
		}
	}
	if err != nil {
		b.unsupported(r.Pos, full+": "+err.Error())
		return proxy.HeaderRule{}, false
	}
	return proxy.HeaderRule{Action: proxy.SetVar, Exec: exec}, true
}
