package acl

import (
	"encoding/hex"
	"fmt"
	"net/netip"
	"os"
	"strconv"
	"strings"

	"github.com/goha-lb/goha/parser/haproxy"
	"github.com/goha-lb/goha/proxy"
	"github.com/goha-lb/goha/proxy/http1"
	"github.com/goha-lb/goha/proxy/internal/hashfn"
)

// More fetches: constants (HAProxy's str(), int(), ...), process facts
// read once when the expression is compiled (env(), hostname: the
// environment does not change once the configuration is loaded), and
// request fetches built on the ones of fetch.go.
func init() {
	str, sint := haproxy.SampleStr, haproxy.SampleSInt
	rows := map[string]fetchDef{
		"str":  {out: str, layer4: true, build: constFetch(str, argAny)},
		"int":  {out: sint, layer4: true, build: constFetch(sint, argInt)},
		"ipv4": {out: haproxy.SampleIPv4, layer4: true, build: constFetch(haproxy.SampleIPv4, argAddr(true))},
		"ipv6": {out: haproxy.SampleIPv6, layer4: true, build: constFetch(haproxy.SampleIPv6, argAddr(false))},
		"bool": {out: haproxy.SampleBool, layer4: true, build: constFetch(haproxy.SampleBool, argBool)},
		"bin":  {out: haproxy.SampleBin, layer4: true, build: constFetch(haproxy.SampleBin, argBin)},
		"meth": {out: haproxy.SampleMeth, layer4: true, build: constFetch(haproxy.SampleMeth, argMeth)},
		"env": {out: str, layer4: true, build: func(args []haproxy.Arg) (fetchFunc, error) {
			if len(args) != 1 || args[0].Str == "" {
				return nil, fmt.Errorf("expects one name")
			}
			v, ok := os.LookupEnv(args[0].Str)
			return func(_ *proxy.RequestInfo, yield func(value) bool) bool { return ok && yield(strValue(v)) }, nil
		}},
		"hostname": {out: str, layer4: true, build: func([]haproxy.Arg) (fetchFunc, error) {
			h, err := os.Hostname()
			return func(_ *proxy.RequestInfo, yield func(value) bool) bool { return err == nil && yield(strValue(h)) }, nil
		}},
		"nbproc": {out: sint, layer4: true, build: noArgs(func(_ *proxy.RequestInfo, yield func(value) bool) bool {
			return yield(value{t: haproxy.SampleSInt, i: 1})
		})},

		"src_port": {out: sint, layer4: true, build: noArgs(func(r *proxy.RequestInfo, yield func(value) bool) bool {
			return r.Src.IsValid() && yield(value{t: haproxy.SampleSInt, i: int64(r.Src.Port())})
		})},
		"pathq":         {out: str, build: noArgs(fetchPathQ)},
		"base32":        {out: sint, build: noArgs(fetchBase32)},
		"req.hdr_names": {out: str, build: hdrNames},
		"req.cook_cnt":  {out: sint, build: cookCount},
		// req.ver: the version without "HTTP/" ("1.1"), as HAProxy gives it.
		"req.ver": {out: str, build: noArgs(func(r *proxy.RequestInfo, yield func(value) bool) bool {
			v, ok := strings.CutPrefix(bstr(r.Version()), "HTTP/")
			return ok && yield(strValue(v))
		})},
		"cook_cnt": {out: sint, build: cookCount},
	}
	for k, v := range rows {
		fetches[k] = v
	}
}

// constFetch is the builder of a constant fetch of type t: one argument,
// read by read (HAProxy's argument type and check) into the text of the
// value, always the same value.
func constFetch(t haproxy.SampleType, read func(string) (string, error)) func([]haproxy.Arg) (fetchFunc, error) {
	return func(args []haproxy.Arg) (fetchFunc, error) {
		if len(args) != 1 {
			return nil, fmt.Errorf("expects one argument")
		}
		text, err := read(args[0].Str)
		if err != nil {
			return nil, err
		}
		v, ok := fromText(t, text)
		if !ok {
			return nil, fmt.Errorf("'%s' is not a %s", args[0].Str, t)
		}
		return constant(v), nil
	}
}

// constant is a fetch that always yields v.
func constant(v value) fetchFunc {
	return func(_ *proxy.RequestInfo, yield func(value) bool) bool { return yield(v) }
}

func argAny(s string) (string, error) { return s, nil }

func argInt(s string) (string, error) {
	n, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
	if err != nil {
		return "", fmt.Errorf("failed to parse '%s' as type 'integer'", s)
	}
	return strconv.FormatInt(n, 10), nil
}

func argAddr(v4 bool) func(string) (string, error) {
	return func(s string) (string, error) {
		a, err := netip.ParseAddr(s)
		if err != nil || a.Is4() != v4 || a.Zone() != "" {
			return "", fmt.Errorf("failed to parse '%s' as an address", s)
		}
		return a.String(), nil
	}
}

// argBool is HAProxy's smp_check_const_bool.
func argBool(s string) (string, error) {
	switch strings.ToLower(s) {
	case "true", "1":
		return "1", nil
	case "false", "0":
		return "0", nil
	}
	return "", fmt.Errorf("Expects 'true', 'false', '0' or '1'")
}

// argBin reads bin()'s hexadecimal string (HAProxy's parse_binary).
func argBin(s string) (string, error) {
	b, err := hex.DecodeString(s)
	if err != nil {
		return "", fmt.Errorf("'%s' is not a valid hexadecimal binary string", s)
	}
	return string(b), nil
}

// argMeth accepts a method token (HAProxy's smp_check_const_meth).
func argMeth(s string) (string, error) {
	if s == "" || !http1.IsToken(s) {
		return "", fmt.Errorf("expects valid method.")
	}
	return s, nil
}

// fetchPathQ is HAProxy's pathq: the path and query of the target, without
// scheme and authority; none when the target has no path (parsePath).
func fetchPathQ(r *proxy.RequestInfo, yield func(value) bool) bool {
	if r.Target == nil {
		return false
	}
	p, ok := parsePath(bstr(r.Target))
	return ok && yield(strValue(p))
}

// fetchBase32 is HAProxy's base32: the sdbm hash of the host then the
// path, avalanched by full_hash.
func fetchBase32(r *proxy.RequestInfo, yield func(value) bool) bool {
	if r.Target == nil {
		return false
	}
	p, _ := pathOf(bstr(r.Target))
	h := hashfn.SDBMFrom(hashfn.SDBM(bstr(hostFor(r))), p)
	return yield(value{t: haproxy.SampleSInt, i: int64(hashfn.FullHash(h))})
}

// hdrNames is req.hdr_names([<delim>]): the header names, lower-cased as
// HAProxy stores them, joined by delim (default ",").
func hdrNames(args []haproxy.Arg) (fetchFunc, error) {
	return headerNames(args, (*proxy.RequestInfo).Headers)
}

// resHdrNames is res.hdr_names([<delim>]), hdrNames over the response.
func resHdrNames(args []haproxy.Arg) (fetchFunc, error) {
	return headerNames(args, (*proxy.RequestInfo).ResponseHeaders)
}

// headerNames joins the names of the fields heads gives. HAProxy joins them
// with the first byte of its argument only ("(;:)" joins with ';'), and an
// empty argument ("()") with a NUL byte (measured on 2.6.12).
func headerNames(args []haproxy.Arg, heads func(*proxy.RequestInfo) []http1.Header) (fetchFunc, error) {
	delim := byte(',')
	if len(args) > 1 {
		return nil, fmt.Errorf("expects at most one delimiter")
	}
	if len(args) == 1 {
		delim = 0
		if args[0].Str != "" {
			delim = args[0].Str[0]
		}
	}
	return func(r *proxy.RequestInfo, yield func(value) bool) bool {
		var b strings.Builder
		first := true
		for _, h := range heads(r) {
			if http1.EqualFold(h.Name, "connection") && onlyHopTokens(bstr(h.Value)) {
				continue // HAProxy's H1 parser keeps no such field (measured)
			}
			if !first {
				b.WriteByte(delim)
			}
			first = false
			b.WriteString(strings.ToLower(string(h.Name)))
		}
		return yield(strValue(b.String()))
	}, nil
}

// onlyHopTokens reports whether a Connection value lists nothing but
// close and keep-alive, the tokens HAProxy's H1 parser takes out of the
// message (dropping a field left empty).
func onlyHopTokens(v string) bool {
	for _, tok := range strings.Split(v, ",") {
		tok = strings.ToLower(strings.Trim(tok, " \t"))
		if tok != "" && tok != "close" && tok != "keep-alive" {
			return false
		}
	}
	return true
}

// cookCount is req.cook_cnt([<name>]): how many cookies of that name (of
// any name without one) the Cookie headers carry.
func cookCount(args []haproxy.Arg) (fetchFunc, error) {
	name := ""
	if len(args) > 1 {
		return nil, fmt.Errorf("expects at most one name")
	}
	if len(args) == 1 {
		name = args[0].Str
	}
	return func(r *proxy.RequestInfo, yield func(value) bool) bool {
		n := 0
		forEachCookie(r, name, func(string) bool {
			n++
			return false
		})
		return yield(value{t: haproxy.SampleSInt, i: int64(n)})
	}, nil
}
