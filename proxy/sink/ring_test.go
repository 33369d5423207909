package sink

import (
	"strings"
	"testing"
)

// TestVarintBytes: HAProxy's varint lengths (1 byte below 240, then 4
// more bits in the first byte and 7 in each next one).
func TestVarintBytes(t *testing.T) {
	for v, want := range map[int]int{0: 1, 239: 1, 240: 2, 240 + 2047: 2, 240 + 2048: 3} {
		if got := varintBytes(v); got != want {
			t.Errorf("varintBytes(%d) = %d, want %d", v, got, want)
		}
	}
}

// TestMsgRingAccounting: a 16384-byte ring keeps what HAProxy 2.6's
// keeps (one counter byte, then varint length + message + counter byte
// each): 136 messages of 118 bytes (16321 bytes), and the oldest give
// way to new ones; a started reader that has not sent the oldest pins
// it: the new message is dropped and counted, then announced.
func TestMsgRingAccounting(t *testing.T) {
	r := NewMsgRing("r", "r", 16384)
	msg := func(i int) []byte { return []byte(strings.Repeat(string(rune('a'+i%26)), 118)) }
	for i := 0; i < 137; i++ {
		if !r.Write(msg(i)) {
			t.Fatalf("message %d refused", i)
		}
	}
	if n := strings.Count(r.Dump(), "\n"); n != 136 {
		t.Fatalf("%d messages kept, want 136", n)
	}
	if !strings.HasPrefix(r.Dump(), string(msg(1))) {
		t.Errorf("oldest kept is not message 1")
	}
	rd := r.newReader()
	r.pending(rd) // started, nothing sent: it pins the oldest
	r.WriteAnnounced(msg(200), func(n int) []byte { return []byte(DroppedText(n)) })
	if r.Dropped() != 1 {
		t.Fatalf("dropped %d, want 1", r.Dropped())
	}
	r.advance(rd, r.first+10)
	r.WriteAnnounced([]byte("x"), func(n int) []byte { return []byte(DroppedText(n)) })
	if d := r.Dump(); !strings.HasSuffix(d, "1 event dropped\nx\n") || r.Dropped() != 0 {
		t.Errorf("after the reader moved: dropped %d, ring ends %q", r.Dropped(), d[len(d)-40:])
	}
}

// TestMsgRingTooLarge: a message that cannot fit an empty ring (varint,
// message and the two counter bytes) is refused.
func TestMsgRingTooLarge(t *testing.T) {
	r := NewMsgRing("r", "r", 16384)
	if r.Write(make([]byte, 16384-3)) { // 3-byte varint: 16381+3+2 > 16384
		t.Error("a message of 16381 bytes was kept")
	}
	if !r.Write(make([]byte, 16384-5)) { // 16379 + 3 + 2 = 16384
		t.Error("a message of 16379 bytes was refused")
	}
}
