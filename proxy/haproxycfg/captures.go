package haproxycfg

import (
	"errors"
	"fmt"
	"strconv"

	"github.com/goha-lb/goha/parser/haproxy"
	"github.com/goha-lb/goha/proxy"
	"github.com/goha-lb/goha/proxy/acl"
)

// captureSlots numbers a frontend's capture slots as HAProxy 2.6 does:
// request and response slots apart, each in the order of the lines that
// make one (capture request|response header, declare capture, and each
// http-request or tcp-request content capture with len). ruleSlots gives
// the slot of each such capture ... len rule, by position.
func captureSlots(px *haproxy.Proxy) (req, res []proxy.CaptureSlot, ruleSlots map[haproxy.Pos]int) {
	type entry struct {
		pos  haproxy.Pos
		res  bool
		slot proxy.CaptureSlot
		rule bool
	}
	var es []entry
	for _, c := range px.Captures {
		es = append(es, entry{pos: c.Pos, res: c.Response, slot: proxy.CaptureSlot{Header: c.Header, Len: c.Len}})
	}
	for _, r := range append(px.TCPContentRules[:len(px.TCPContentRules):len(px.TCPContentRules)], px.HTTPRequestRules...) {
		if r.Action == "capture" && len(r.Args) == 3 && r.Args[1] == "len" {
			if n, err := strconv.Atoi(r.Args[2]); err == nil && n > 0 {
				es = append(es, entry{pos: r.Pos, slot: proxy.CaptureSlot{Len: n}, rule: true})
			}
		}
	}
	// The lines of one file are in order already; rules and capture
	// lines interleave by line.
	for i := 1; i < len(es); i++ {
		for j := i; j > 0 && es[j].pos.File == es[j-1].pos.File && es[j].pos.Line < es[j-1].pos.Line; j-- {
			es[j], es[j-1] = es[j-1], es[j]
		}
	}
	ruleSlots = map[haproxy.Pos]int{}
	for _, e := range es {
		switch {
		case e.res:
			res = append(res, e.slot)
		default:
			if e.rule {
				ruleSlots[e.pos] = len(req)
			}
			req = append(req, e.slot)
		}
	}
	return req, res, ruleSlots
}

// captureRule maps `http-request capture <sample> len <n> | id <n>` and
// `http-response capture <sample> id <n>`: the sample, as a string cut
// to the slot's length, goes to the slot.
func (b *builder) captureRule(r haproxy.HTTPRule, kw string, place acl.Place, fe *proxy.Frontend, ruleSlots map[haproxy.Pos]int) (proxy.HeaderRule, error) {
	res := kw != "http-request" // http-response, http-after-response: id only
	if len(r.Args) != 3 || (r.Args[1] != "id" && (r.Args[1] != "len" || res)) {
		return proxy.HeaderRule{}, fmt.Errorf("%s capture %v", kw, r.Args)
	}
	if fe == nil {
		return backendCaptureRule(r, res, place) // backend_actions.go
	}
	slots := fe.ReqCaptures
	if res {
		slots = fe.ResCaptures
	}
	slot := -1
	if r.Args[1] == "len" {
		if s, ok := ruleSlots[r.Pos]; ok {
			slot = s
		}
	} else if n, err := strconv.Atoi(r.Args[2]); err == nil && n >= 0 && n < len(slots) {
		slot = n
	}
	if slot < 0 {
		return proxy.HeaderRule{}, fmt.Errorf("%s capture: no capture slot %s", kw, r.Args[2])
	}
	e, err := acl.CompileExpr(haproxy.ParseSample(r.Args[0]))
	if err != nil {
		return proxy.HeaderRule{}, err
	}
	if msg := acl.FormatUnavailable("%["+r.Args[0]+"]", place); msg != "" {
		return proxy.HeaderRule{}, errors.New(msg)
	}
	n := slots[slot].Len
	return proxy.HeaderRule{Action: proxy.Capture, Exec: func(info *proxy.RequestInfo) {
		if v, ok := e.Text(info); ok {
			info.SetCapture(res, slot, v[:min(len(v), n)])
		}
	}}, nil
}
