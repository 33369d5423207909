package acl

import (
	"fmt"

	"github.com/goha-lb/goha/parser/haproxy"
	"github.com/goha-lb/goha/proxy/sink"
)

// debug([<prefix>][,<sink>]) passes its sample on unchanged and writes a
// capture of it to an event sink (proxy/sink: buf0 by default, stdout or
// stderr), in HAProxy 2.6's words: "[debug] <prefix>: type=<type> <text>"
// where text is the sample cast to a string with every byte isprint(3)
// refuses shown as '.', or "(undisplayable)" when no cast to string
// exists.
func init() {
	register(map[string]convDef{
		"debug": {in: haproxy.SampleAny, out: haproxy.SampleAny, args: []argKind{argStr, argStr}, keep: true, build: buildDebug},
	})
}

func buildDebug(a convArgs) (convFunc, error) {
	prefix, name := a.strs[0], "buf0"
	if a.has(1) { // given empty, it names no sink
		name = a.strs[1]
	}
	if !sink.Known(name) {
		return nil, fmt.Errorf("No such sink '%s'", name)
	}
	return func(v *value) bool {
		sink.Write(name, debugLine(prefix, *v))
		return true
	}, nil
}

// debugLine is the converter's message for v (a copy: the cast is the
// message's only).
func debugLine(prefix string, v value) string {
	head := "[debug] " + prefix + ": type=" + v.t.String() + " "
	if !v.cast(haproxy.SampleStr) {
		return head + "(undisplayable)"
	}
	b := make([]byte, 0, len(head)+len(v.s)+2)
	b = append(append(b, head...), '<')
	for i := 0; i < len(v.s); i++ {
		c := v.s[i]
		if c < 0x20 || c > 0x7e {
			c = '.'
		}
		b = append(b, c)
	}
	return string(append(b, '>'))
}
