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
)

// More fetches: constants (HAProxy's str(), int(), ...), process facts
// read once when the expression is compiled (env(), hostname: the
// environment does not change once the configuration is loaded), and
// request fetches built on the ones of fetch.go.
func init() {
	str, sint := haproxy.SampleStr, haproxy.SampleSInt
	rows := map[string]fetchDef{
		"str":  {out: str, layer4: true, build: constFetch(argAny)},
		"int":  {out: sint, layer4: true, build: constFetch(argInt)},
		"ipv4": {out: haproxy.SampleIPv4, layer4: true, build: constFetch(argAddr(true))},
		"ipv6": {out: haproxy.SampleIPv6, layer4: true, build: constFetch(argAddr(false))},
		"bool": {out: haproxy.SampleBool, layer4: true, build: constFetch(argBool)},
		"bin":  {out: haproxy.SampleBin, layer4: true, build: constFetch(argBin)},
		"meth": {out: haproxy.SampleMeth, layer4: true, build: constFetch(argMeth)},
		"env": {out: str, layer4: true, build: func(args []haproxy.Arg) (fetchFunc, error) {
			if len(args) != 1 || args[0].Str == "" {
				return nil, fmt.Errorf("expects one name")
			}
			v, ok := os.LookupEnv(args[0].Str)
			return func(*proxy.RequestInfo) ([]string, bool) { return []string{v}, ok }, nil
		}},
		"hostname": {out: str, layer4: true, build: func([]haproxy.Arg) (fetchFunc, error) {
			h, err := os.Hostname()
			return func(*proxy.RequestInfo) ([]string, bool) { return []string{h}, err == nil }, nil
		}},
		"nbproc": {out: sint, layer4: true, build: noArgs(func(*proxy.RequestInfo) ([]string, bool) { return []string{"1"}, true })},

		"src_port": {out: sint, layer4: true, build: noArgs(func(r *proxy.RequestInfo) ([]string, bool) {
			return []string{strconv.Itoa(int(r.Src.Port()))}, r.Src.IsValid()
		})},
		"pathq":         {out: str, build: noArgs(fetchPathQ)},
		"base32":        {out: sint, build: noArgs(fetchBase32)},
		"req.hdr_names": {out: str, build: hdrNames},
		"req.cook_cnt":  {out: sint, build: cookCount},
		"cook_cnt":      {out: sint, build: cookCount},
	}
	for k, v := range rows {
		fetches[k] = v
	}
}

// constFetch is the builder of a constant fetch: one argument, read by
// read (HAProxy's argument type and check), always the same value.
func constFetch(read func(string) (string, error)) func([]haproxy.Arg) (fetchFunc, error) {
	return func(args []haproxy.Arg) (fetchFunc, error) {
		if len(args) != 1 {
			return nil, fmt.Errorf("expects one argument")
		}
		v, err := read(args[0].Str)
		if err != nil {
			return nil, err
		}
		return func(*proxy.RequestInfo) ([]string, bool) { return []string{v}, true }, nil
	}
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
// scheme and authority.
func fetchPathQ(r *proxy.RequestInfo) ([]string, bool) {
	if r.Target == nil {
		return nil, false
	}
	t := string(r.Target)
	p := pathOf(r.Target)
	if _, q, ok := strings.Cut(t, "?"); ok {
		p += "?" + q
	}
	return []string{p}, true
}

// fetchBase32 is HAProxy's base32: the sdbm hash of the host then the
// path, avalanched by full_hash.
func fetchBase32(r *proxy.RequestInfo) ([]string, bool) {
	if r.Target == nil {
		return nil, false
	}
	h := uint32(0)
	for _, s := range []string{string(hostFor(r)), pathOf(r.Target)} {
		for i := 0; i < len(s); i++ {
			h = uint32(s[i]) + h<<6 + h<<16 - h
		}
	}
	return []string{strconv.FormatUint(uint64(fullHash(h)), 10)}, true
}

// hdrNames is req.hdr_names([<delim>]): the header names, lower-cased as
// HAProxy stores them, joined by delim (default ",").
func hdrNames(args []haproxy.Arg) (fetchFunc, error) {
	delim := ","
	if len(args) > 1 {
		return nil, fmt.Errorf("expects at most one delimiter")
	}
	if len(args) == 1 {
		delim = args[0].Str
	}
	return func(r *proxy.RequestInfo) ([]string, bool) {
		var b strings.Builder
		for i, h := range r.Headers() {
			if i > 0 {
				b.WriteString(delim)
			}
			b.WriteString(strings.ToLower(string(h.Name)))
		}
		return []string{b.String()}, true
	}, nil
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
	return func(r *proxy.RequestInfo) ([]string, bool) {
		n := 0
		for _, h := range r.Headers() {
			if !http1.EqualFold(h.Name, "cookie") {
				continue
			}
			for _, part := range strings.FieldsFunc(string(h.Value), func(c rune) bool { return c == ';' || c == ',' }) {
				k, _, ok := strings.Cut(strings.TrimSpace(part), "=")
				if ok && (name == "" || k == name) {
					n++
				}
			}
		}
		return []string{strconv.Itoa(n)}, true
	}, nil
}
