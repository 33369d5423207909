package proxy

import (
	"net/netip"

	"github.com/goha-lb/goha/proxy/http1"
)

// OriginalTo is `option originalto [except NET] [header NAME]`: the
// request a server gets says which address the client connected to.
type OriginalTo struct {
	Enabled bool
	Except  netip.Prefix // destinations inside it get no header (zero = none)
	Header  string       // the header's name; required when Enabled
}

// appendOriginalTo adds the X-Original-To header of HAProxy 2.6's
// http_process_request: on when the frontend or the backend asks for it,
// named by the backend's option when it has one, left out when either
// side's except network holds the destination.
func appendOriginalTo(out []byte, fe, be *OriginalTo, dst netip.Addr, skip string) []byte {
	if !fe.Enabled && !be.Enabled {
		return out
	}
	if !dst.IsValid() || fe.excepts(dst) || be.excepts(dst) {
		return out
	}
	name := be.Header
	if !be.Enabled {
		name = fe.Header
	}
	if skip != "" && http1.EqualFold([]byte(name), skip) {
		return out // http-send-name-header replaces it
	}
	n := len(out)
	out = append(out, name...)
	http1.LowerInPlace(out[n:])
	out = append(out, ':', ' ')
	out = dst.AppendTo(out)
	return append(out, '\r', '\n')
}

func (o *OriginalTo) excepts(a netip.Addr) bool {
	return o.Enabled && o.Except.IsValid() && o.Except.Contains(a)
}

// appendServerName adds `http-send-name-header`'s header naming the
// server (the client's own fields of that name were left out).
func appendServerName(out []byte, name, server string) []byte {
	n := len(out)
	out = append(out, name...)
	http1.LowerInPlace(out[n:])
	out = append(out, ':', ' ')
	out = append(out, server...)
	return append(out, '\r', '\n')
}
