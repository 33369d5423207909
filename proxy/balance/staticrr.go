package balance

import "sync"

// staticRR is `balance static-rr`: round robin over the weight map; weight
// changes only take effect through Update (HAProxy only allows 0% and 100%
// at run time for static algorithms).
type staticRR struct {
	mu sync.Mutex
	w  *weightMap
}

func (b *staticRR) Pick(*Request) *Server {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.w.nextRR()
}

func (b *staticRR) Update() {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.w.refresh()
}
