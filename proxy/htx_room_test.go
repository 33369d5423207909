package proxy

import (
	"strings"
	"testing"

	"github.com/goha-lb/goha/proxy/http1"
)

// TestHTXLayoutBoundaries replays rule sequences on a request head
// "GET <path> HTTP/1.1" with host, x-a (n bytes) and x-b fields, and
// checks the last x-a size whose rules all fit, as measured on HAProxy
// 2.6.12 (TestStrictModeRemovedFieldsDifferential compares the same
// points against the daemon).
func TestHTXLayoutBoundaries(t *testing.T) {
	type step struct {
		del  string // a field to remove, or
		add  string // a field to add: "copy" adds x-copy with x-a's value
		copy bool
	}
	cases := []struct {
		path  string
		steps []step
		last  int
	}{
		{"/", []step{{add: "x-copy", copy: true}, {add: "x-after"}}, 8109},
		{"/db", []step{{del: "x-b"}, {add: "x-copy", copy: true}, {add: "x-after"}}, 8110},
		{"/sb", []step{{del: "x-b"}, {add: "x-b"}, {add: "x-copy", copy: true}, {add: "x-after"}}, 8104},
		{"/ac", []step{{add: "x-c"}, {del: "x-c"}, {add: "x-copy", copy: true}, {add: "x-after"}}, 8104},
		{"/copy2", []step{{add: "x-copy", copy: true}, {del: "x-copy"}, {add: "x-copy", copy: true}, {add: "x-after"}}, 8103},
	}
	fits := func(path string, steps []step, n int) bool {
		a := strings.Repeat("a", n)
		var e editedHeaders
		e.start([]http1.Header{{Name: []byte("Host"), Value: []byte("h")}, {Name: []byte("x-a"), Value: []byte(a)},
			{Name: []byte("x-b"), Value: []byte("1")}})
		for _, s := range steps {
			if s.del != "" {
				e.del(s.del)
				continue
			}
			v := []byte("1")
			if s.add == "x-after" {
				v = []byte("yes")
			} else if s.add == "x-b" {
				v = []byte("2")
			}
			if s.copy {
				v = []byte(a)
			}
			data := int(htxHeadSize([]byte("GET"), []byte(path), []byte("HTTP/1.1"), e.list))
			if !e.room.fits(defaultBufLimits.htxRoom, data, htxHeadBlocks(e.list), len(s.add)+len(v)) {
				return false
			}
			e.add(s.add, v)
		}
		return true
	}
	for _, c := range cases {
		if !fits(c.path, c.steps, c.last) || fits(c.path, c.steps, c.last+1) {
			t.Errorf("%s: %d fits %v, %d fits %v; want true, false", c.path, c.last, fits(c.path, c.steps, c.last),
				c.last+1, fits(c.path, c.steps, c.last+1))
		}
	}
}

// TestHTXLayoutCompaction: a field that fits the free space but not
// between the last payload and the block table compacts the buffer, and
// the unused blocks and holes stop counting.
func TestHTXLayoutCompaction(t *testing.T) {
	var l htxLayout
	l.reset(3)
	l.remove(1, 8003) // a large field: a hole, an unused block
	if l.unused != 1 || l.holes != 8003 {
		t.Fatalf("after remove: %+v", l)
	}
	if !l.fits(defaultBufLimits.htxRoom, 100, 4, 8200) {
		t.Fatal("8200 bytes should fit the free space")
	}
	if l.unused != 0 || l.holes != 0 {
		t.Errorf("after compaction: %+v", l)
	}
	l.place(8200)
	l.remove(2, 8200) // the last placed payload: taken back, block unused
	if l.unused != 1 || l.holes != 0 || len(l.placed) != 0 {
		t.Errorf("after removing the last placed: %+v", l)
	}
}
