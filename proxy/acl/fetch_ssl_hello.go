package acl

import (
	"fmt"
	"strings"

	"github.com/goha-lb/goha/parser/haproxy"
	"github.com/goha-lb/goha/proxy"
	"github.com/goha-lb/goha/proxy/clienthello"
	"github.com/goha-lb/goha/proxy/tlsconf"
)

// The fetches of the client's ClientHello that HAProxy 2.6 keeps with
// tune.ssl.capture-buffer-size (proxy.TLSCapture): no value without it.
// The declared types are HAProxy's (its _bin fetches declare a string
// and give binary, its _hex one the reverse).
func init() {
	str, sint, bin := haproxy.SampleStr, haproxy.SampleSInt, haproxy.SampleBin
	list := func(pick func(*clienthello.Capture) []byte, out haproxy.SampleType, format func([]byte) value) fetchDef {
		return fetchDef{out: out, build: func(args []haproxy.Arg) (fetchFunc, error) {
			grease, err := greaseArg(args)
			if err != nil {
				return nil, err
			}
			return func(r *proxy.RequestInfo, yield func(value) bool) bool {
				if r.TLS == nil || r.FrontHello == nil {
					return false
				}
				b := pick(r.FrontHello)
				if grease {
					b = clienthello.WithoutGREASE(b)
				}
				return yield(format(b))
			}, nil
		}}
	}
	asBin := func(b []byte) value { return value{t: bin, s: string(b)} }
	ciphers := func(c *clienthello.Capture) []byte { return c.Ciphers }
	rows := map[string]fetchDef{
		"ssl_fc_cipherlist_bin": list(ciphers, str, asBin),
		"ssl_fc_cipherlist_hex": list(ciphers, bin, func(b []byte) value { return value{t: bin, s: fmt.Sprintf("%X", b)} }),
		"ssl_fc_cipherlist_str": list(ciphers, str, func(b []byte) value { return strValue(cipherNames(b)) }),
		"ssl_fc_extlist_bin":    list(func(c *clienthello.Capture) []byte { return c.Extensions }, str, asBin),
		"ssl_fc_eclist_bin":     list(func(c *clienthello.Capture) []byte { return c.Groups }, str, asBin),
		"ssl_fc_ecformats_bin": {out: str, build: noArgs(func(r *proxy.RequestInfo, yield func(value) bool) bool {
			return r.TLS != nil && r.FrontHello != nil && yield(asBin(r.FrontHello.Formats))
		})},
		"ssl_fc_cipherlist_xxh": {out: sint, build: noArgs(func(r *proxy.RequestInfo, yield func(value) bool) bool {
			return r.TLS != nil && r.FrontHello != nil && yield(value{t: sint, i: int64(r.FrontHello.CipherHash)})
		})},
		"ssl_fc_protocol_hello_id": {out: sint, build: noArgs(func(r *proxy.RequestInfo, yield func(value) bool) bool {
			return r.TLS != nil && r.FrontHello != nil && yield(value{t: sint, i: int64(r.FrontHello.Version)})
		})},
	}
	for k, v := range rows {
		fetches[k] = v
	}
}

// greaseArg reads the optional filter option: 0 (default) the whole
// list, anything else without GREASE values.
func greaseArg(args []haproxy.Arg) (bool, error) {
	switch {
	case len(args) == 0 || strings.TrimSpace(args[0].Str) == "":
		return false, nil
	case len(args) > 1:
		return false, fmt.Errorf("too many arguments")
	case args[0].Kind != haproxy.ArgSInt:
		return false, fmt.Errorf("filter option %q is not an integer", args[0].Str)
	}
	return args[0].Int != 0, nil
}

// cipherNames is ssl_fc_cipherlist_str: OpenSSL's name of each suite,
// comma-separated, "UNKNOWN(<4 hex digits>)" for one it does not know;
// an odd last byte is left out.
func cipherNames(b []byte) string {
	var sb strings.Builder
	for i := 0; i+1 < len(b); i += 2 {
		if i > 0 {
			sb.WriteByte(',')
		}
		id := uint16(b[i])<<8 | uint16(b[i+1])
		if n, ok := tlsconf.CipherIDName(id); ok {
			sb.WriteString(n)
		} else {
			fmt.Fprintf(&sb, "UNKNOWN(%04x)", id)
		}
	}
	return sb.String()
}
