package stickpeer

import (
	"testing"

	"github.com/goha-lb/goha/proxy/peers"
	"github.com/goha-lb/goha/proxy/stick"
)

func newTable(t *testing.T, name string) *stick.Table {
	t.Helper()
	st, err := stick.New(stick.Config{Name: name, Key: stick.KeyIP, Size: 100, Expire: 30000,
		Stores: []stick.Store{{Type: stick.HTTPReqRate, Period: 10000}, {Type: stick.GPC0}}})
	if err != nil {
		t.Fatal(err)
	}
	return st
}

// TestDefMatchesHAProxy: the definition is the one HAProxy 2.6 announces
// for "stick-table type ip ... store http_req_rate(10s),gpc0".
func TestDefMatchesHAProxy(t *testing.T) {
	a, ok := New(newTable(t, "fe"), "fe", "ip", 0, func() uint32 { return 0 })
	if !ok {
		t.Fatal("not adapted")
	}
	d := a.Def()
	want := peers.TableDef{Name: "fe", KeyType: peers.KeyIPv4, KeyLen: 4, Expire: 30000,
		Types: 1<<peers.DTGPC0 | 1<<peers.DTHTTPReqRate}
	want.Period[peers.DTHTTPReqRate] = 10000
	if d != want {
		t.Fatalf("def %+v, want %+v", d, want)
	}
}

// TestLocalChangeReachesPeerTable: an entry tracked in one table is listed
// as an update, applied to another through the adapter without becoming a
// local change there, and taught by that one's snapshot with its times aged.
func TestLocalChangeReachesPeerTable(t *testing.T) {
	var now uint32 = 1000
	clock := func() uint32 { return now }
	src, dst := newTable(t, "fe"), newTable(t, "fe")
	as, _ := New(src, "fe", "ip", 0, clock)
	ad, _ := New(dst, "fe", "ip", 0, clock)
	key := []byte{10, 0, 0, 1}
	ref, ok := src.Track(key, now)
	if !ok {
		t.Fatal("track")
	}
	for range 4 {
		ref.Add(stick.HTTPReqRate, 0, 1, now)
	}
	ref.Add(stick.GPC0, 0, 1, now)
	ref.Release(true, now)
	ups := as.UpdatesAfter(0, 10)
	if len(ups) != 1 || ups[0].Update != as.LastUpdate() {
		t.Fatalf("updates %+v (last %d)", ups, as.LastUpdate())
	}
	now += 500
	ad.Apply(ups[0])
	// (proxy/stick's creation moves the table's counter, but the entry
	// keeps no id: the session skips it, as it skips expired ones.)
	if len(ad.UpdatesAfter(0, 10)) != 0 {
		t.Fatal("a learned entry became a local change")
	}
	r, ok := dst.Acquire(key, false, now)
	if !ok {
		t.Fatal("entry not learned")
	}
	if v, _ := r.Value(stick.HTTPReqRate, 0, now); v != 4 {
		t.Errorf("learned http_req_rate %d, want 4", v)
	}
	if v, _ := r.Value(stick.GPC0, 0, now); v != 1 {
		t.Errorf("learned gpc0 %d, want 1", v)
	}
	r.Release(false, now)
	now += 1000
	snap := ad.Snapshot()
	if len(snap) != 1 {
		t.Fatalf("snapshot %+v", snap)
	}
	e := snap[0]
	if e.Expire != ups[0].Expire-1000 {
		t.Errorf("taught expire %d, want %d", e.Expire, ups[0].Expire-1000)
	}
	v, _ := e.ValueOf(peers.DTHTTPReqRate)
	if len(v.Freq) != 1 || v.Freq[0].Curr != 4 || v.Freq[0].Age != ups[0].Values[1].Freq[0].Age+1000 {
		t.Errorf("taught rate %+v (sent %+v)", v, ups[0].Values)
	}
}

// TestServerKeyCarried: a table stick rules use (server_id, server_key)
// is announced with both types, as HAProxy announces it; an entry's
// server_key goes as a dictionary value ("no entry" when unset) and is
// learned by the other side.
func TestServerKeyCarried(t *testing.T) {
	mk := func() *stick.Table {
		st, err := stick.New(stick.Config{Name: "be", Key: stick.KeyIP, Size: 10, Expire: 30000,
			Stores: []stick.Store{{Type: stick.ServerID}, {Type: stick.ServerKey}}})
		if err != nil {
			t.Fatal(err)
		}
		return st
	}
	clock := func() uint32 { return 1000 }
	src, dst := mk(), mk()
	as, ok := New(src, "be", "ip", 0, clock)
	ad, _ := New(dst, "be", "ip", 0, clock)
	if !ok || as.Def().Types != 1<<peers.DTServerID|1<<peers.DTServerKey {
		t.Fatalf("def %+v", as.Def())
	}
	for i, name := range []string{"s2", ""} {
		r, _ := src.Acquire([]byte{10, 0, 0, byte(i + 1)}, true, 1000)
		r.Set(stick.ServerID, 0, 2, 1000)
		if name != "" {
			r.SetString(stick.ServerKey, name, 1000)
		}
		r.Release(false, 1000)
	}
	ups := as.UpdatesAfter(0, 10)
	if len(ups) != 2 {
		t.Fatalf("updates %+v", ups)
	}
	for _, u := range ups {
		v, _ := u.ValueOf(peers.DTServerKey)
		set := u.Key[3] == 1
		if v.Dict.Present != set || set && string(v.Dict.Value) != "s2" {
			t.Errorf("key %v: server_key %+v", u.Key, v.Dict)
		}
		ad.Apply(u)
	}
	r, ok := dst.Acquire([]byte{10, 0, 0, 1}, false, 1000)
	if !ok {
		t.Fatal("not learned")
	}
	defer r.Release(false, 1000)
	if s, _ := r.String(stick.ServerKey); s != "s2" {
		t.Errorf("learned server_key %q", s)
	}
}
