package proxy

import (
	"sync/atomic"

	"github.com/goha-lb/goha/proxy/stick"
)

// compRates are the process-wide compression rates and their limit,
// global `maxcomprate` (or `set rate-limit http-compression global`), as
// HAProxy 2.6's compression filter keeps them: comp_bps_in counts the
// body bytes a compressor (not identity, not level 0) takes in, as they
// go through, comp_bps_out what it puts out. A response is compressed
// only while the input rate over the last second is at most the limit
// (select_compression_response_header reads it when the response's
// headers come, and leaves the response as it is above it); one under
// way goes on. HAProxy's libslz build has no level to lower as zlib's
// does, so the limit decides nothing else (TestMaxCompRateMatchesHAProxy).
type compRates struct {
	limit   atomic.Int64 // bytes per second (0: none)
	in, out stick.FreqCtr
}

// over says whether the input rate is above the limit: the next
// response is not compressed.
func (c *compRates) over() bool {
	lim := c.limit.Load()
	return lim > 0 && int64(c.in.Read(ratePeriod, StickNow())) > lim
}

// count adds a batch a compressor took in and put out.
func (c *compRates) count(in, out int64) {
	now := StickNow()
	c.in.Add(ratePeriod, now, uint32(in))
	c.out.Add(ratePeriod, now, uint32(out))
}

// CompressionRates are show info's CompressBpsIn, CompressBpsOut and
// CompressBpsRateLim.
func (p *Proxy) CompressionRates() (in, out, limit int64) {
	now := StickNow()
	return int64(p.comp.in.Read(ratePeriod, now)), int64(p.comp.out.Read(ratePeriod, now)), p.comp.limit.Load()
}

// SetCompressionRateLimit is `set rate-limit http-compression global`,
// in bytes per second (0: none).
func (p *Proxy) SetCompressionRateLimit(bps int64) { p.comp.limit.Store(bps) }
