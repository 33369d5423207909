package acl

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/goha-lb/goha/parser/haproxy"
	"github.com/goha-lb/goha/proxy"
	"github.com/goha-lb/goha/proxy/clienthello"
)

// The raw payload fetches of tcp-mode content inspection (HAProxy's
// payload.c): payload/req.payload(<offset>,<length>) and
// payload_lv/req.payload_lv(<offset1>,<length>[,<offset2>]) read the
// bytes the client sent so far, res.payload and res.payload_lv those the
// server sent so far, in tcp-response content rules. Short of bytes while
// more may come, a rule waits (RequestInfo.PayloadShort,
// ResPayloadShort); a slice past the buffer's size never has a value. An
// HTTP stream's buffers are HAProxy's HTX: there they have no value.
func init() {
	req := payloadSide{data: func(r *proxy.RequestInfo) []byte { return r.Payload }, short: (*proxy.RequestInfo).PayloadShort}
	raw := fetchDef{out: haproxy.SampleBin, payloadOnly: true, build: buildPayload(req)}
	lv := fetchDef{out: haproxy.SampleBin, payloadOnly: true, build: buildPayloadLV(req)}
	for _, k := range []string{"payload", "req.payload"} {
		fetches[k] = raw
		fetches[k+"_lv"] = lv
	}
	res := payloadSide{data: func(r *proxy.RequestInfo) []byte { return r.ResPayload() }, short: (*proxy.RequestInfo).ResPayloadShort}
	fetches["res.payload"] = fetchDef{out: haproxy.SampleBin, layer4: true, resPayload: true, use: useResBuffer, build: buildPayload(res)}
	fetches["res.payload_lv"] = fetchDef{out: haproxy.SampleBin, layer4: true, resPayload: true, use: useResBuffer, build: buildPayloadLV(res)}
	// res.ssl_hello_type (and its old name rep_ssl_hello_type) reads the
	// server's first bytes as req.ssl_hello_type reads the client's
	// (HAProxy's one smp_fetch_ssl_hello_type, on the response channel):
	// 2 for a ServerHello, once its whole handshake message is there. On
	// an HTTP stream HAProxy reads its HTX buffer, whose first byte (of
	// the buffer's size) is no record type: no value, as res.payload.
	helloType := fetchDef{out: haproxy.SampleSInt, layer4: true, resPayload: true, use: useResBuffer,
		build: noArgs(func(r *proxy.RequestInfo, yield func(value) bool) bool {
			p := r.ResPayload()
			if p == nil {
				return false
			}
			v, st := clienthello.HelloType(p)
			if st == clienthello.Short {
				r.ResPayloadShort()
			}
			return st == clienthello.OK && yield(value{t: haproxy.SampleSInt, i: int64(v)})
		})}
	fetches["res.ssl_hello_type"] = helloType
	fetches["rep_ssl_hello_type"] = helloType
	// res.len is what the server sent so far, a value that may still
	// grow (as req.len). On an HTTP stream HAProxy gives its HTX size,
	// not modelled: refused there (tcpOnly).
	fetches["res.len"] = fetchDef{out: haproxy.SampleSInt, layer4: true, resPayload: true, tcpOnly: true, use: useResBuffer,
		build: noArgs(func(r *proxy.RequestInfo, yield func(value) bool) bool {
			p := r.ResPayload()
			if p == nil {
				return false
			}
			r.ResPayloadShort()
			return yield(value{t: haproxy.SampleSInt, i: int64(len(p))})
		})}
}

// payloadSide is the buffer a payload fetch reads (nil: none here) and
// how it says it is short of bytes.
type payloadSide struct {
	data  func(r *proxy.RequestInfo) []byte
	short func(r *proxy.RequestInfo)
}

// binACLs are the ACL keywords matching hex patterns by default
// (HAProxy's payload and payload_lv ACL keywords: req.payload* with
// PAT_MATCH_BIN).
var binACLs = map[string]bool{"payload": true, "payload_lv": true}

// payloadLimit is HAProxy's tune.bufsize, which no slice may pass.
const payloadLimit = proxy.InspectBufSize

func intArgs(args []haproxy.Arg, n int) ([]int64, error) {
	out := make([]int64, n)
	for i := 0; i < n; i++ {
		v, err := strconv.ParseInt(strings.TrimSpace(args[i].Str), 10, 64)
		if err != nil {
			return nil, fmt.Errorf("failed to parse '%s' as type 'signed integer' at position %d", args[i].Str, i+1)
		}
		out[i] = v
	}
	return out, nil
}

// buildPayload is payload(<offset>,<length>): length bytes from offset,
// or (length 0) everything buffered from offset on, a value that may
// still grow.
func buildPayload(side payloadSide) func(args []haproxy.Arg) (fetchFunc, error) {
	return func(args []haproxy.Arg) (fetchFunc, error) { return buildPayloadOn(side, args) }
}

func buildPayloadOn(side payloadSide, args []haproxy.Arg) (fetchFunc, error) {
	if len(args) != 2 {
		return nil, fmt.Errorf("expects 2 arguments")
	}
	v, err := intArgs(args, 2)
	if err != nil {
		return nil, err
	}
	// HAProxy reads both as unsigned.
	off, size := uint64(uint32(v[0])), uint64(uint32(v[1]))
	return func(r *proxy.RequestInfo, yield func(value) bool) bool {
		p := side.data(r)
		if p == nil || size > payloadLimit || off+size > payloadLimit {
			return false
		}
		if off+size > uint64(len(p)) {
			side.short(r)
			return false
		}
		end := off + size
		if size == 0 {
			end = uint64(len(p))
			side.short(r) // more may come
		}
		return yield(value{t: haproxy.SampleBin, s: bstr(p[off:end])})
	}, nil
}

// buildPayloadLV is payload_lv(<offset1>,<length>[,<offset2>]): a
// big-endian length of length bytes at offset1, then that many bytes
// right after it, or at offset2 (relative to the end of the length when
// it starts with '+' or '-').
func buildPayloadLV(side payloadSide) func(args []haproxy.Arg) (fetchFunc, error) {
	return func(args []haproxy.Arg) (fetchFunc, error) { return buildPayloadLVOn(side, args) }
}

func buildPayloadLVOn(side payloadSide, args []haproxy.Arg) (fetchFunc, error) {
	if len(args) < 2 || len(args) > 3 {
		return nil, fmt.Errorf("expects 2 or 3 arguments")
	}
	v, err := intArgs(args, 2)
	if err != nil {
		return nil, err
	}
	if v[0] < 0 {
		return nil, fmt.Errorf("payload offset1 must be positive")
	}
	if v[1] == 0 {
		return nil, fmt.Errorf("payload length must be > 0")
	}
	lenOff, lenSize := uint64(uint32(v[0])), uint64(uint32(v[1]))
	var off2 int64
	has2, relative := false, false
	if len(args) == 3 && args[2].Str != "" {
		s := args[2].Str
		relative = s[0] == '+' || s[0] == '-'
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return nil, fmt.Errorf("payload offset2 is not a number")
		}
		if v[0]+v[1]+n < 0 {
			return nil, fmt.Errorf("payload offset2 too negative")
		}
		off2, has2 = n, true
	}
	return func(r *proxy.RequestInfo, yield func(value) bool) bool {
		p := side.data(r)
		if p == nil {
			return false
		}
		if lenOff+lenSize > uint64(len(p)) {
			side.short(r)
			return false
		}
		var size uint32
		for i := uint64(0); i < lenSize; i++ {
			size = size<<8 | uint32(p[lenOff+i])
		}
		start := uint32(lenOff + lenSize)
		if has2 {
			if relative {
				start += uint32(off2)
			} else {
				start = uint32(off2)
			}
		}
		if size == 0 || size > payloadLimit || uint64(start)+uint64(size) > payloadLimit {
			return false
		}
		if uint64(start)+uint64(size) > uint64(len(p)) {
			side.short(r)
			return false
		}
		return yield(value{t: haproxy.SampleBin, s: bstr(p[start : start+size])})
	}, nil
}
