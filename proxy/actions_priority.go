package proxy

// set-priority-class and set-priority-offset (HAProxy 2.6 queue.c): a
// rule's Exec sets RequestInfo.PrioClass or PrioOffset, within HAProxy's
// bounds, and the request takes its place in a backend queue with them
// (queue.go).

// Bounds of the two values, as queue_limit_class and queue_limit_offset
// clamp them.
const (
	MaxPrioClass  = 0x7ff
	MaxPrioOffset = 0x7ffff
)

// SetPrioClass clamps class to HAProxy's range and makes it the stream's.
func (r *RequestInfo) SetPrioClass(class int64) {
	r.PrioClass = int(min(max(class, -MaxPrioClass), MaxPrioClass))
}

// SetPrioOffset clamps offset (ms) to HAProxy's range and makes it the
// stream's.
func (r *RequestInfo) SetPrioOffset(offset int64) {
	r.PrioOffset = int(min(max(offset, -MaxPrioOffset), MaxPrioOffset))
}

// prio is the queue place of the request the connection is for.
func (c clientAddrs) prio() queuePrio {
	if c.info == nil {
		return queuePrio{}
	}
	return queuePrio{c.info.PrioClass, c.info.PrioOffset}
}
