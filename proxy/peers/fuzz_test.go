package peers

import (
	"errors"
	"os"
	"testing"
	"time"
)

// FuzzSessionMessages feeds arbitrary bytes to an established session, as a
// peer could send them: the session must never panic, and a message it
// cannot decode must end that session (after a protocol or size error)
// and nothing else.
func FuzzSessionMessages(f *testing.F) {
	if raw, err := os.ReadFile("testdata/haproxy26-updates.bin"); err == nil {
		f.Add(raw)
	}
	d := ipDef()
	d.ID = 3
	d.Types |= 1<<DTServerKey | 1<<DTGPCRate | 1<<DTServerID
	d.NbElem[DTGPCRate], d.Period[DTGPCRate] = 3, 1000
	var seed []byte
	seed = AppendDefine(seed, &d)
	u := Update{HasID: true, ID: 9, Timed: true, Expire: 100, Key: []byte{1, 2, 3, 4}, Values: []Value{
		{Type: DTServerID, Num: []uint64{1<<64 - 1}},
		{Type: DTConnCur, Num: []uint64{1}},
		{Type: DTHTTPReqCnt, Num: []uint64{2}},
		{Type: DTHTTPReqRate, Freq: []FreqCtr{{1, 2, 3}}},
		{Type: DTServerKey, Dict: DictRef{Present: true, ID: 1, HasValue: true, Value: []byte("s1")}},
		{Type: DTGPC, Num: []uint64{4, 5}},
		{Type: DTGPCRate, Freq: []FreqCtr{{1, 1, 1}, {2, 2, 2}, {3, 3, 3}}},
	}}
	seed = AppendUpdate(seed, &d, &u)
	seed = AppendSwitch(seed, 3)
	seed = AppendAck(seed, Ack{TableID: 1, Update: 9})
	seed = AppendControl(seed, CtrlResyncReq)
	f.Add(seed)
	f.Add([]byte{ClassStickTable, StktDefine, 3, 1, 2, 's'})
	f.Add([]byte{ClassReserved, 0})
	f.Fuzz(func(t *testing.T, data []byte) {
		p := newPair(t)
		p.pump()
		p.b.Feed(p.c.t, data, false)
		closed, err := p.b.Closed()
		if closed && err != nil && (errors.Is(err, ErrMalformed) || errors.Is(err, ErrTooLarge)) {
			out := p.b.Output()
			if len(out) < 2 || out[len(out)-2] != ClassError {
				t.Fatalf("decode error %v closed without an error message: % x", err, out)
			}
		}
		if !p.a.Established() {
			t.Fatal("the other session was touched")
		}
		p.c.add(time.Second)
		p.b.Tick(p.c.t)
	})
}

// FuzzDecoders runs each decoder on arbitrary data against definitions
// with every data type: errors, never panics, never reading past the data.
func FuzzDecoders(f *testing.F) {
	f.Add([]byte{0x01, 0x02, 'f', 'e', 0x04, 0x04, 0x00})
	f.Add([]byte{0, 0, 0, 1, 7, 7, 7, 7, 0xf0, 0x80})
	f.Fuzz(func(t *testing.T, data []byte) {
		if fr, n, err := ParseFrame(data); err == nil && n > len(data) || len(fr.Data) > MaxPayload {
			t.Fatalf("frame of %d bytes from %d", n, len(data))
		}
		DecodeDefine(data)
		DecodeAck(data)
		DecodeSwitch(data)
		all := TableDef{KeyType: KeyStr, KeyLen: 8, Types: 1<<NumDataTypes - 1}
		all.NbElem[DTGPT], all.NbElem[DTGPC], all.NbElem[DTGPCRate] = 2, 1, 3
		for _, typ := range []uint8{StktUpdate, StktIncUpdate, StktUpdateTimed, StktIncUpdateTimed} {
			for _, kt := range []KeyType{KeyStr, KeySInt, KeyIPv6, KeyBin} {
				all.KeyType = kt
				if u, err := DecodeUpdate(typ, data, &all); err == nil && len(u.Key) > 16 {
					t.Fatalf("key of %d bytes", len(u.Key))
				}
			}
		}
	})
}
