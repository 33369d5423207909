package proxy

import "github.com/goha-lb/goha/proxy/http1"

// CaptureSlot is one capture slot of a frontend (`capture request header`,
// `declare capture`, `http-request capture ... len`): the header it takes
// (empty: a capture rule fills it) and the length it keeps.
type CaptureSlot struct {
	Header string
	Len    int
}

// captures are a transaction's captured values, one per slot; set has a
// bit per slot that holds a value (HAProxy's %hrl prints "-" for the
// others, and capture.req.hdr gives no sample).
type captures struct {
	vals  []string
	set   uint64
	slots []CaptureSlot // the frontend's, for the capture converters
}

func (c *captures) reset(slots []CaptureSlot) {
	clear(c.vals)
	c.vals, c.set, c.slots = c.vals[:0], 0, slots
	for range slots {
		c.vals = append(c.vals, "")
	}
}

func (c *captures) store(slot int, v string) {
	if slot < 0 || slot >= len(c.vals) {
		return
	}
	c.vals[slot] = v
	if slot < 64 {
		c.set |= 1 << slot
	}
}

// Capture is the value of capture slot of the request's (res false) or
// the response's captures, and whether it holds one.
func (r *RequestInfo) Capture(res bool, slot int) (string, bool) {
	c := &r.reqCaps
	if res {
		c = &r.resCaps
	}
	if slot < 0 || slot >= len(c.vals) || (slot < 64 && c.set&(1<<slot) == 0) {
		return "", false
	}
	return c.vals[slot], true
}

// SetCapture stores v, cut to the slot's length by the caller, in slot of
// the request's or the response's captures (a capture rule).
func (r *RequestInfo) SetCapture(res bool, slot int, v string) {
	if res {
		r.resCaps.store(slot, v)
	} else {
		r.reqCaps.store(slot, v)
	}
}

// CaptureInto is the capture-req/capture-res converter's store: v cut to
// the length of the frontend's slot (in declaration order); false when
// the frontend has no such slot (HAProxy's converter then has no sample).
func (r *RequestInfo) CaptureInto(res bool, slot int, v string) bool {
	c := &r.reqCaps
	if res {
		c = &r.resCaps
	}
	if slot < 0 || slot >= len(c.slots) || slot >= len(c.vals) {
		return false
	}
	c.store(slot, v[:min(len(v), c.slots[slot].Len)])
	return true
}

// HasCaptureSlot says whether the request's frontend has request (res
// false) or response capture slot n: a backend's capture ... id rule
// looks it up as it runs, before it fetches its sample.
func (r *RequestInfo) HasCaptureSlot(res bool, n int) bool {
	c := &r.reqCaps
	if res {
		c = &r.resCaps
	}
	return n >= 0 && n < len(c.slots) && n < len(c.vals)
}

// captureHeaders fills the header slots from hs as received, before any
// rule: each takes the last field of its name, cut to its length.
func captureHeaders(c *captures, slots []CaptureSlot, hs []http1.Header) {
	for i, sl := range slots {
		if sl.Header == "" {
			continue
		}
		for j := len(hs) - 1; j >= 0; j-- {
			if foldEqual(hs[j].Name, sl.Header) {
				v := hs[j].Value
				c.store(i, string(v[:min(len(v), sl.Len)]))
				break
			}
		}
	}
}
