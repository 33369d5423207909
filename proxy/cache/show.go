package cache

import (
	"fmt"
	"sort"
	"strings"
)

// Show is the cache's part of the runtime API's `show cache`, in HAProxy
// 2.6's format: a line for the cache (its available blocks), then one per
// live entry in the order of their 32-bit hashes. The addresses HAProxy
// prints are the objects' own here; the vary key is the entry's
// secondary key (vary.go), zero without Vary.
func (c *Cache) Show() string {
	var b strings.Builder
	now := c.now().Unix()
	c.mu.Lock()
	defer c.mu.Unlock()
	fmt.Fprintf(&b, "%p: %s (shctx:%p, available blocks:%d)\n", c, c.name, &c.entries, c.blocks)
	// HAProxy walks its tree by 32-bit hash, one node per hash: of the
	// entries of one key (process-vary) only the first stored is listed.
	live := make([]*Entry, 0, len(c.entries))
	for _, list := range c.entries {
		if e := list[0]; e.expire > now {
			live = append(live, e)
		}
	}
	sort.Slice(live, func(i, j int) bool { return ShortHash(live[i].key) < ShortHash(live[j].key) })
	for _, e := range live {
		nblk := e.nblk
		if !e.complete {
			nblk = (e.size + BlockSize - 1) / BlockSize
		}
		fmt.Fprintf(&b, "%p hash:%d vary:0x%x size:%d (%d blocks), refcount:0, expire:%d\n",
			e, ShortHash(e.key), e.sec[:], e.size, nblk, e.expire-now)
	}
	return b.String()
}
