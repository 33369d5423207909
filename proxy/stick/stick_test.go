package stick

import (
	"net/netip"
	"regexp"
	"strings"
	"testing"
)

// The freq counter against HAProxy's arithmetic, worked by hand from
// update_freq_ctr_period/read_freq_ctr_period for a 10 s period.
func TestFreqCounter(t *testing.T) {
	const p = 10000
	type ev struct {
		at   uint32
		inc  uint32 // 0: read only
		want uint32 // the read after the event
	}
	cases := []struct {
		name string
		evs  []ev
	}{
		{"one period", []ev{{100000, 1, 1}, {100500, 1, 2}, {101000, 1, 3}, {109999, 0, 3}}},
		// 4 events in [100000,110000); at 115000 the sliding window keeps
		// half of them: 0 + 4*5000/10000.
		{"slides", []ev{{100000, 4, 4}, {115000, 0, 2}, {117500, 0, 1}, {119999, 0, 0}, {120000, 0, 0}}},
		// A new event in the next period: curr 1, prev 4, remain 5000.
		{"next period", []ev{{100000, 4, 4}, {115000, 1, 3}, {119000, 0, 1}}},
		// Two periods over: all history forgotten, the period restarts.
		{"two periods", []ev{{100000, 4, 4}, {125001, 1, 1}, {134000, 0, 1}}},
		// Below one event a period reads the previous count (no flapping).
		{"low rate", []ev{{100000, 1, 1}, {119000, 0, 1}}},
		// The start tick is even: an event at an odd ms starts the period
		// one ms before.
		{"odd start", []ev{{100001, 3, 3}, {110000, 0, 3}, {110001, 1, 3}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			w := make([]uint32, 3)
			for _, e := range c.evs {
				if e.inc > 0 {
					freqUpdate(w, p, e.at, e.inc)
				}
				if got := freqRead(w, p, e.at); got != e.want {
					t.Fatalf("at %d: read %d, want %d (w=%v)", e.at, got, e.want, w)
				}
			}
		})
	}
}

func ipKey(t *testing.T, tb *Table, s string) []byte {
	t.Helper()
	k, err := tb.Config().KeyFromAddr(netip.MustParseAddr(s))
	if err != nil {
		t.Fatal(err)
	}
	return k
}

var ptrRE = regexp.MustCompile(`(?m)^0x[0-9a-f]+:`)

func dump(tb *Table, now uint32) string {
	out := tb.AppendHeader(nil)
	out = tb.AppendEntries(out, nil, nil, now)
	return ptrRE.ReplaceAllString(string(out), "0x:")
}

func TestTrackAndShow(t *testing.T) {
	tb, err := New(Config{Name: "f", Key: KeyIP, Size: 102400, Expire: 30000,
		Stores: []Store{{Type: HTTPReqRate, Period: 10000}, {Type: ConnCur}, {Type: GPC0}}})
	if err != nil {
		t.Fatal(err)
	}
	now := uint32(5000000)
	for range 7 {
		r, ok := tb.Track(ipKey(t, tb, "127.0.0.1"), now)
		if !ok {
			t.Fatal("track failed")
		}
		r.AddPair(HTTPReqCnt, HTTPReqRate, 1, now)
		if v, _ := r.Value(ConnCur, 0, now); v != 1 {
			t.Fatalf("conn_cur while tracked = %d", v)
		}
		r.Release(true, now)
		now += 10
	}
	got := dump(tb, now+6000)
	want := "# table: f, type: ip, size:102400, used:1\n" +
		"0x: key=127.0.0.1 use=0 exp=23990 gpc0=0 conn_cur=0 http_req_rate(10000)=7\n"
	if got != want {
		t.Fatalf("got\n%s\nwant\n%s", got, want)
	}
}

func TestShowFormats(t *testing.T) {
	tb, _ := New(Config{Name: "bs", Key: KeyString, KeyLen: 8, Size: 10,
		Stores: []Store{{Type: GPC, Count: 2}, {Type: GPCRate, Count: 2, Period: 5000}, {Type: GPT, Count: 2},
			{Type: ServerID}, {Type: BytesInCnt}, {Type: ConnCnt}}})
	for _, k := range []string{"abc", `a"b`, "a b=c\x01toolongkey"} {
		key, _ := tb.Config().ParseKey(k)
		r, _ := tb.Acquire(key, true, 1000)
		r.Set(ServerID, 0, uint64(^uint64(0)), 1000) // -1
		r.Add(BytesInCnt, 0, 1<<33, 1000)
		r.Release(false, 1000)
	}
	got := dump(tb, 1000)
	want := "# table: bs, type: string, size:10, used:3\n" +
		`0x: key=a\ b\=c\x01to use=0 exp=0 server_id=-1 conn_cnt=0 bytes_in_cnt=8589934592 gpt0=0 gpt1=0 gpc0=0 gpc1=0 gpc0_rate(5000)=0 gpc1_rate(5000)=0` + "\n" +
		`0x: key=a"b use=0 exp=0 server_id=-1 conn_cnt=0 bytes_in_cnt=8589934592 gpt0=0 gpt1=0 gpc0=0 gpc1=0 gpc0_rate(5000)=0 gpc1_rate(5000)=0` + "\n" +
		`0x: key=abc use=0 exp=0 server_id=-1 conn_cnt=0 bytes_in_cnt=8589934592 gpt0=0 gpt1=0 gpc0=0 gpc1=0 gpc0_rate(5000)=0 gpc1_rate(5000)=0` + "\n"
	if got != want {
		t.Fatalf("got\n%s\nwant\n%s", got, want)
	}
	ti, _ := New(Config{Name: "bi", Key: KeyInteger, Size: 10, Expire: 60000, Stores: []Store{{Type: GPC1}, {Type: GPC1Rate, Period: 1000}}})
	for _, k := range []string{"300", "42", "7"} {
		key, err := ti.Config().ParseKey(k)
		if err != nil {
			t.Fatal(err)
		}
		r, _ := ti.Acquire(key, true, 1000)
		r.Release(false, 1000)
	}
	if got := dump(ti, 3788); !strings.Contains(got, "key=7 use=0 exp=57212 gpc1=0 gpc1_rate(1000)=0\n0x: key=42 ") {
		t.Fatalf("integer order or expiry: %s", got)
	}
}

func TestEvictionAndExpiry(t *testing.T) {
	tb, _ := New(Config{Name: "t", Key: KeyIP, Size: 3, Expire: 1000, Stores: []Store{{Type: GPC0}}})
	now := uint32(100)
	var held Ref
	for i, a := range []string{"10.0.0.1", "10.0.0.2", "10.0.0.3"} {
		r, _ := tb.Acquire(ipKey(t, tb, a), true, now+uint32(i))
		if i == 0 {
			held = r // the oldest is tracked: never evicted
		} else {
			r.Release(false, now+uint32(i))
		}
	}
	r4, ok := tb.Acquire(ipKey(t, tb, "10.0.0.4"), true, now+5)
	if !ok {
		t.Fatal("full table did not evict")
	}
	r4.Release(false, now+5)
	if _, ok := tb.Acquire(ipKey(t, tb, "10.0.0.2"), false, now+5); ok {
		t.Fatal("10.0.0.2, the oldest unreferenced, should be gone")
	}
	if _, ok := tb.Acquire(ipKey(t, tb, "10.0.0.1"), false, now+5); !ok {
		t.Fatal("the tracked entry was evicted")
	}
	// Expiry: everything unreferenced goes after 1 s; 10.0.0.1 stays
	// while held, then lives 1 s after its release.
	if n := tb.Purge(now + 5000); n != 2 || tb.Used() != 1 {
		t.Fatalf("purged %d, used %d", n, tb.Used())
	}
	held.Release(false, now+5000)
	held.Release(false, now+5000) // the second Acquire above
	if n := tb.Purge(now + 5999); n != 0 {
		t.Fatalf("purged %d before its date", n)
	}
	if n := tb.Purge(now + 6000); n != 1 || tb.Used() != 0 {
		t.Fatalf("purged %d at its date, used %d", n, tb.Used())
	}
	// nopurge: a full table refuses.
	np, _ := New(Config{Name: "n", Key: KeyIP, Size: 1, NoPurge: true})
	r, _ := np.Acquire(ipKey(t, np, "1.1.1.1"), true, 1)
	r.Release(false, 1)
	if _, ok := np.Acquire(ipKey(t, np, "1.1.1.2"), true, 2); ok {
		t.Fatal("nopurge table accepted a new key when full")
	}
}

func TestFiltersAndClear(t *testing.T) {
	tb, _ := New(Config{Name: "t", Key: KeyIP, Size: 10, Stores: []Store{{Type: GPC0}, {Type: HTTPReqRate, Period: 10000}}})
	for i, a := range []string{"10.0.0.1", "10.0.0.2", "10.0.0.3"} {
		r, _ := tb.Acquire(ipKey(t, tb, a), true, 1)
		r.Set(GPC0, 0, uint64(i), 1)
		r.Release(false, 1)
	}
	f, err := tb.ParseFilter("data.gpc0", "ge", "1")
	if err != nil {
		t.Fatal(err)
	}
	if got := string(tb.AppendEntries(nil, nil, []Filter{f}, 1)); strings.Count(got, "\n") != 2 || strings.Contains(got, "10.0.0.1 ") {
		t.Fatalf("filtered: %s", got)
	}
	for _, bad := range [][3]string{{"data.nope", "eq", "1"}, {"data.conn_cur", "eq", "1"}, {"data.gpc0", "xx", "1"}, {"data.gpc0", "eq", "x"}} {
		if _, err := tb.ParseFilter(bad[0], bad[1], bad[2]); err == nil {
			t.Fatalf("%v accepted", bad)
		}
	}
	if n := tb.Clear(nil, []Filter{f}, 1); n != 2 || tb.Used() != 1 {
		t.Fatalf("cleared %d, used %d", n, tb.Used())
	}
}

func TestExportApply(t *testing.T) {
	a, _ := New(Config{Name: "t", Key: KeyIP, Size: 10, Expire: 30000, Stores: []Store{{Type: HTTPReqRate, Period: 10000}, {Type: GPC0}}})
	b, _ := New(*a.Config())
	r, _ := a.Track(ipKey(t, a, "10.0.0.9"), 1000)
	r.AddPair(HTTPReqCnt, HTTPReqRate, 3, 1000)
	r.Add(GPC0, 0, 2, 1000)
	r.Release(true, 1000)
	ups := a.Updates(0, 10, 1500)
	if len(ups) != 1 {
		t.Fatalf("%d updates", len(ups))
	}
	if !b.Apply(ups[0], 7000) {
		t.Fatal("apply failed")
	}
	if got, want := dump(b, 7000), strings.Replace(dump(a, 1500), "exp=29500", "exp=29500", 1); got != want {
		t.Fatalf("after apply:\n%s\nwant\n%s", got, want)
	}
	if len(b.Updates(0, 10, 7000)) != 0 {
		t.Fatal("a remote update is sent back")
	}
	if len(a.Updates(ups[0].Update, 10, 1500)) != 0 {
		t.Fatal("nothing new after the last id")
	}
}
