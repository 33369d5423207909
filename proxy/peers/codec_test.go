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
