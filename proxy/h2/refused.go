package h2

// isNewStream reports a stream id above every one seen: a HEADERS that
// opens a stream, not trailers.
func (c *Conn) isNewStream(id uint32) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return id%2 == 1 && id > c.seenID && c.streams[id] == nil
}

// refused tells Options.Refused of a stream whose request head was
// refused.
func (c *Conn) refused() {
	if c.opt.Refused != nil {
		c.opt.Refused()
	}
}
