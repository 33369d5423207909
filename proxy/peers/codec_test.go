package peers

import (
	"bytes"
	"fmt"
	"os"
	"reflect"
	"testing"
)

// testdata/haproxy26-updates.bin holds the bytes HAProxy 2.6.12 sent a peer
// (after the handshake of haproxy26-hello.txt and a "resync finished" from
// that peer) while two requests went through the frontend of
// haproxy26-capture.cfg: a resync request, the confirm, the table
// definition and two updates. Decoding them gives the values of the
// configuration, and encoding the decoded messages gives back HAProxy's
// bytes exactly.
func TestDecodeHAProxyCapture(t *testing.T) {
	hello, err := os.ReadFile("testdata/haproxy26-hello.txt")
	if err != nil {
		t.Fatal(err)
	}
	if want := AppendHello(nil, Hello{Major: 2, Minor: 1, Remote: "goha", Local: "hap", PID: 13874, RelPID: 1}); !bytes.Equal(hello, want) {
		t.Errorf("hello %q, AppendHello %q", hello, want)
	}
	raw, err := os.ReadFile("testdata/haproxy26-updates.bin")
	if err != nil {
		t.Fatal(err)
	}
	var frames []Frame
	var re []byte
	var def TableDef
	var ups []Update
	for b := raw; len(b) > 0; {
		f, n, err := ParseFrame(b)
		if err != nil || n == 0 {
			t.Fatalf("frame at %d: n=%d err=%v", len(raw)-len(b), n, err)
		}
		frames = append(frames, f)
		switch {
		case f.Class == ClassControl:
			re = AppendControl(re, f.Type)
		case f.Type == StktDefine:
			if def, err = DecodeDefine(f.Data); err != nil {
				t.Fatal(err)
			}
			re = AppendDefine(re, &def)
		case IsUpdateType(f.Type):
			u, err := DecodeUpdate(f.Type, f.Data, &def)
			if err != nil {
				t.Fatal(err)
			}
			ups = append(ups, u)
			re = AppendUpdate(re, &def, &u)
		default:
			t.Fatalf("unexpected frame %+v", f)
		}
		b = b[n:]
	}
	if !bytes.Equal(re, raw) {
		t.Errorf("re-encoded\n% x\nHAProxy sent\n% x", re, raw)
	}
	if frames[0].Class != ClassControl || frames[0].Type != CtrlResyncReq || frames[1].Type != CtrlResyncConfirm {
		t.Errorf("first frames %+v %+v", frames[0], frames[1])
	}
	want := TableDef{ID: 1, Name: "fe", KeyType: KeyIPv4, KeyLen: 4, Expire: 30000}
	for _, dt := range []DataType{DTServerID, DTGPT0, DTConnCnt, DTConnCur, DTHTTPReqCnt, DTHTTPReqRate, DTBytesInCnt, DTGPC, DTGPCRate} {
		want.Types |= 1 << dt
	}
	want.Period[DTHTTPReqRate] = 10000
	want.NbElem[DTGPC], want.NbElem[DTGPCRate], want.Period[DTGPCRate] = 2, 2, 5000
	if !reflect.DeepEqual(def, want) {
		t.Errorf("definition\n%+v\nwant\n%+v", def, want)
	}
	if len(ups) != 2 {
		t.Fatalf("%d updates", len(ups))
	}
	// The second request: conn_cnt 2, http_req_cnt 2, both requests in the
	// current rate period, gpc[1] incremented twice by sc-inc-gpc(1,0).
	u := ups[1]
	if !u.HasID || u.Timed || !bytes.Equal(u.Key, []byte{127, 0, 0, 1}) {
		t.Errorf("update header %+v", u)
	}
	got := map[DataType]string{}
	for _, v := range u.Values {
		got[v.Type] = valueString(v)
	}
	for dt, w := range map[DataType]string{
		DTConnCnt: "[2]", DTHTTPReqCnt: "[2]", DTGPC: "[0 2]", DTServerID: "[0]",
	} {
		if got[dt] != w {
			t.Errorf("%s = %s, want %s", dt, got[dt], w)
		}
	}
	if r := u.Values[5]; r.Type != DTHTTPReqRate || r.Freq[0].Curr != 2 || r.Freq[0].Prev != 0 {
		t.Errorf("http_req_rate %+v", r)
	}
}

func valueString(v Value) string {
	if v.Type.Std() == StdFreq {
		return fmt.Sprint(v.Freq)
	}
	return fmt.Sprint(v.Num)
}

// testdata/haproxy26-defines.bin: what HAProxy 2.6.12 sent after a resync
// request for the tables of haproxy26-defines.cfg (a peers section's own
// "table" lines). It fixes the facts a definition must match for HAProxy
// to accept it: the name of a peers-section table is "/<table>" (not
// "<section>/<table>"), a string key's length is len+1 when "len" is given
// and 32 when not, a binary key's is len (32 when not given), an integer's
// 4, an ipv6's 16.
func TestHAProxyDefinitions(t *testing.T) {
	raw, err := os.ReadFile("testdata/haproxy26-defines.bin")
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]TableDef{}
	for b := raw; len(b) > 0; {
		f, n, err := ParseFrame(b)
		if err != nil || n == 0 {
			t.Fatalf("frame: %v", err)
		}
		if f.Type == StktDefine {
			d, err := DecodeDefine(f.Data)
			if err != nil {
				t.Fatal(err)
			}
			got[d.Name] = d
			if re := AppendDefine(nil, &d); !bytes.Equal(re, b[:n]) {
				t.Errorf("%s re-encoded % x, HAProxy sent % x", d.Name, re, b[:n])
			}
		}
		b = b[n:]
	}
	bin := TableDef{Name: "/tbin", KeyType: KeyBin, KeyLen: 20, Types: 1<<DTServerID | 1<<DTServerKey | 1<<DTGPT | 1<<DTGPC | 1<<DTGPCRate}
	bin.NbElem[DTGPT], bin.NbElem[DTGPC], bin.NbElem[DTGPCRate], bin.Period[DTGPCRate] = 2, 3, 2, 1000
	for _, w := range []TableDef{
		{Name: "/tstr", KeyType: KeyStr, KeyLen: 33, Types: 1 << DTGPC0},
		{Name: "/tstr0", KeyType: KeyStr, KeyLen: 32},
		{Name: "/tint", KeyType: KeySInt, KeyLen: 4, Types: 1 << DTGPC0, Expire: 60000},
		{Name: "/tip6", KeyType: KeyIPv6, KeyLen: 16},
		bin,
		{Name: "/tbin0", KeyType: KeyBin, KeyLen: 32},
	} {
		g, ok := got[w.Name]
		g.ID = 0
		if !ok || !reflect.DeepEqual(g, w) {
			t.Errorf("%s: got %+v\nwant %+v", w.Name, g, w)
		}
	}
}
