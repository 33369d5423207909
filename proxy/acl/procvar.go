package acl

import (
	"fmt"
	"strings"

	"github.com/goha-lb/goha/parser/haproxy"
	"github.com/goha-lb/goha/proxy"
)

// ProcVar reads a process-wide variable for the runtime API's "get var":
// its type name and value as HAProxy prints them; false when the name is
// not "proc.<name>" or the variable is not set.
func ProcVar(name string) (typ, val string, ok bool) {
	rest, isProc := strings.CutPrefix(name, "proc.")
	if !isProc || rest == "" {
		return "", "", false
	}
	varSlots.mu.Lock()
	slot, known := varSlots.slots[fmt.Sprintf("%d:%s", proxy.ScopeProc, rest)]
	varSlots.mu.Unlock()
	if !known {
		return "", "", false
	}
	var tmp proxy.Var
	if !(&proxy.RequestInfo{}).LoadVar(proxy.ScopeProc, slot, &tmp) {
		return "", "", false
	}
	v := fromVar(&tmp)
	switch v.t {
	case haproxy.SampleBool, haproxy.SampleSInt: // a boolean prints as 0 or 1
		val = fmt.Sprint(v.i)
	case haproxy.SampleIPv4, haproxy.SampleIPv6:
		val = v.a.String()
	default:
		val = v.s
	}
	return v.t.String(), val, true
}
