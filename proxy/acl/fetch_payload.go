package acl

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/goha-lb/goha/parser/haproxy"
	"github.com/goha-lb/goha/proxy"
	"github.com/goha-lb/goha/proxy/clienthello"
	"github.com/goha-lb/goha/proxy/http1"
	"github.com/goha-lb/goha/proxy/rdpcookie"
)

// The ClientHello and RDP cookie fetches of tcp-mode content inspection:
// they read the bytes the client sent so far (RequestInfo.Payload) with
// HAProxy's rules (proxy/clienthello, proxy/rdpcookie). Short of bytes, they give no value and tell
// the rule to wait for more while the inspect delay runs.
func init() {
	sint, str := haproxy.SampleSInt, haproxy.SampleStr
	helloType := fetchDef{out: sint, build: noArgs(func(r *proxy.RequestInfo, yield func(value) bool) bool {
		v, st := clienthello.HelloType(r.Payload)
		return payloadValue(r, st) && yield(value{t: haproxy.SampleSInt, i: int64(v)})
	})}
	version := fetchDef{out: sint, build: noArgs(func(r *proxy.RequestInfo, yield func(value) bool) bool {
		v, st := clienthello.Version(r.Payload, proxy.InspectBufSize)
		return payloadValue(r, st) && yield(value{t: haproxy.SampleSInt, i: int64(v)})
	})}
	sni := fetchDef{out: str, build: noArgs(func(r *proxy.RequestInfo, yield func(value) bool) bool {
		v, st := clienthello.SNI(r.Payload)
		return payloadValue(r, st) && yield(strValue(v))
	})}
	reqLen := fetchDef{out: sint, payloadOnly: true, build: noArgs(func(r *proxy.RequestInfo, yield func(value) bool) bool {
		if r.Payload == nil {
			return false
		}
		r.PayloadShort()
		return yield(value{t: sint, i: int64(len(r.Payload))})
	})}
	rows := map[string]fetchDef{
		"req.ssl_hello_type": helloType,
		"req_ssl_hello_type": helloType,
		"req.ssl_ver":        version,
		"req_ssl_ver":        version,
		"req.ssl_sni":        sni,
		"req_ssl_sni":        sni,
		// Each protocol the client offers, in its order (a sample takes
		// the first).
		"req.ssl_alpn": {out: str, build: noArgs(func(r *proxy.RequestInfo, yield func(value) bool) bool {
			l, st := clienthello.ALPN(r.Payload)
			if !payloadValue(r, st) {
				return false
			}
			for _, p := range l {
				if yield(strValue(p)) {
					return true
				}
			}
			return false
		})},
		// The bytes buffered so far; the value may still grow while the
		// inspect delay runs (HAProxy's SMP_F_MAY_CHANGE): a condition
		// it fails waits for more. No value outside tcp content
		// inspection (an HTTP stream's HTX size is not modelled).
		"req.len": reqLen,
		"req_len": reqLen,
		// wait_end: true once the content is final, else no value (the
		// rule waits for the inspect delay to end).
		"wait_end": {out: haproxy.SampleBool, layer4: true, build: noArgs(func(r *proxy.RequestInfo, yield func(value) bool) bool {
			if !r.ContentFinal() {
				r.PayloadShort()
				return false
			}
			return yield(boolValue(true))
		})},
		"req.proto_http": protoHTTP,
		"req_proto_http": protoHTTP,
		"req.ssl_ec_ext": {out: haproxy.SampleBool, build: noArgs(func(r *proxy.RequestInfo, yield func(value) bool) bool {
			ok, st := clienthello.ECExt(r.Payload)
			return payloadValue(r, st) && ok && yield(boolValue(true))
		})},
		"req.ssl_st_ext": {out: sint, build: noArgs(func(r *proxy.RequestInfo, yield func(value) bool) bool {
			v, st := clienthello.STExt(r.Payload)
			return payloadValue(r, st) && yield(value{t: sint, i: int64(v)})
		})},
	}
	for k, v := range rows {
		fetches[k] = v
	}
	rdp := fetchDef{out: str, build: rdpCookie(false)}
	rdpCnt := fetchDef{out: sint, build: rdpCookie(true)}
	for _, k := range []string{"req.rdp_cookie", "rdp_cookie", "req_rdp_cookie"} {
		fetches[k] = rdp
		fetches[k+"_cnt"] = rdpCnt
	}
}

// rdpCookie builds req.rdp_cookie([name]) (the value of the RDP cookie,
// any name without one) or, cnt, req.rdp_cookie_cnt([name]): 1 when it is
// there, 0 when it never will be; short of bytes, neither has a value.
func rdpCookie(cnt bool) func([]haproxy.Arg) (fetchFunc, error) {
	return func(args []haproxy.Arg) (fetchFunc, error) {
		if len(args) > 1 {
			return nil, fmt.Errorf("expects at most 1 argument")
		}
		name := ""
		if len(args) == 1 {
			name = args[0].Str
		}
		return func(r *proxy.RequestInfo, yield func(value) bool) bool {
			v, st := rdpcookie.Value(r.Payload, name)
			if st == rdpcookie.Short {
				r.PayloadShort()
				return false
			}
			if cnt {
				return yield(value{t: haproxy.SampleSInt, i: b2i(st == rdpcookie.OK)})
			}
			return st == rdpcookie.OK && yield(strValue(string(v)))
		}, nil
	}
}

// payloadValue: a value is there (OK); short of bytes, the rule is told.
func payloadValue(r *proxy.RequestInfo, st clienthello.Status) bool {
	if st == clienthello.Short {
		r.PayloadShort()
	}
	return st == clienthello.OK
}

// dottedVersionACLs are the ACL keywords whose patterns are versions
// "major[.minor]" (HAProxy's pat_parse_dotted_ver), ranges with ':' or
// '-' included, matched as major<<16|minor.
var dottedVersionACLs = map[string]bool{"req_ssl_ver": true, "req.ssl_ver": true}

// dottedVersions turns version patterns into the integer patterns the
// int matcher reads; operator words pass through.
func dottedVersions(pats []string) ([]string, error) {
	out := make([]string, 0, len(pats))
	one := func(s string) (string, error) {
		maj, min, dot := strings.Cut(s, ".")
		a, err := strconv.ParseUint(maj, 10, 16)
		if err != nil {
			return "", fmt.Errorf("'%s' is not a dotted number", s)
		}
		b := uint64(0)
		if dot {
			if b, err = strconv.ParseUint(min, 10, 16); err != nil {
				return "", fmt.Errorf("'%s' is not a dotted number", s)
			}
		}
		return strconv.FormatUint(a<<16|b, 10), nil
	}
	for _, p := range pats {
		switch p {
		case "eq", "ge", "gt", "le", "lt":
			out = append(out, p)
			continue
		}
		i := strings.IndexAny(p, ":-")
		if i < 0 {
			v, err := one(p)
			if err != nil {
				return nil, err
			}
			out = append(out, v)
			continue
		}
		lo, hi := p[:i], p[i+1:]
		var err error
		if lo != "" {
			if lo, err = one(lo); err != nil {
				return nil, err
			}
		}
		if hi != "" {
			if hi, err = one(hi); err != nil {
				return nil, err
			}
		}
		out = append(out, lo+":"+hi)
	}
	return out, nil
}

// protoHTTP is req.proto_http: true for an HTTP request (always, in an
// HTTP frontend: the request is parsed before the rules run); in tcp-mode
// content inspection, whether the bytes buffered parse as a whole HTTP/1
// request head, waiting while the head is incomplete and more may come.
var protoHTTP = fetchDef{out: haproxy.SampleBool, build: noArgs(func(r *proxy.RequestInfo, yield func(value) bool) bool {
	if r.Version() != nil {
		return yield(boolValue(true))
	}
	if len(r.Payload) == 0 && !r.ContentFinal() {
		r.PayloadShort()
		return false
	}
	var req http1.Request
	var pe *http1.Error
	switch err := req.Parse(r.Payload); {
	case err == http1.ErrIncomplete && !r.ContentFinal():
		r.PayloadShort()
		return false
	case errors.As(err, &pe) && pe.Preface:
		// the HTTP/2 preface is a whole HTTP/1 head to HAProxy's parser
		// (measured: a tcp frontend's `use_backend web if HTTP` sends an
		// HTTP/2 client there)
		return yield(boolValue(true))
	case err != nil:
		return yield(boolValue(false))
	}
	return yield(boolValue(true))
})}
