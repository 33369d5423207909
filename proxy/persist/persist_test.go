package persist

import (
	"net/netip"
	"strings"
	"testing"
)

func TestDateCoding(t *testing.T) {
	for _, tc := range []struct {
		v    int64
		want string
	}{
		{0, "AAAAA"}, {1, "AAAAB"}, {63, "AAAA/"}, {64, "AAABA"}, {1<<30 - 1, "/////"},
		{0x12345678, "SNFZ4"}, // 010010 001101 000101 011001 111000
	} {
		got := string(appendDate(nil, tc.v))
		if got != tc.want {
			t.Errorf("appendDate(%d) = %q, want %q", tc.v, got, tc.want)
		}
		if back := readDate([]byte(got)); back != tc.v&(1<<30-1) {
			t.Errorf("readDate(%q) = %d, want %d", got, back, tc.v)
		}
	}
	for _, bad := range []string{"AAAA|", "AA AA", "AAAA-"} {
		if v := readDate([]byte(bad)); v != -1 {
			t.Errorf("readDate(%q) = %d, want -1", bad, v)
		}
	}
	if got := date32(1<<30 - 1); got != -4 {
		t.Errorf("date32 of the largest date = %d, want -4 (HAProxy's int wraps)", got)
	}
}

func TestDelValue(t *testing.T) {
	for _, tc := range []struct {
		h          string
		from, next int
		want       string
	}{
		{"a=1; b=2; c=3", 0, 3, "b=2; c=3"},    // first value
		{"a=1; b=2; c=3", 3, 8, "a=1; c=3"},    // middle value
		{"a=1; b=2", 3, 8, "a=1"},              // last value
		{"a=1 ;b=2;c=3", 4, 8, "a=1; c=3"},     // spaces before the old delimiter
		{"a=1;b=2;c=3", 3, 7, "a=1; c=3"},      // a space where the value was
		{"a=1;  b=2;   c=3", 3, 9, "a=1; c=3"}, // spaces after the new one
		{"a=1;;c=3", 3, 4, "a=1;c=3"},          // no room for a space
	} {
		got, _, _ := delValue([]byte(tc.h), tc.from, tc.next)
		if string(got) != tc.want {
			t.Errorf("delValue(%q, %d, %d) = %q, want %q", tc.h, tc.from, tc.next, got, tc.want)
		}
	}
}

var twoServers = []Server{{Cookie: "one", Up: true}, {Cookie: "two", Up: true}}

const now = 1796543210

// TestScan: which server a request's cookie designates, what the state
// says and which Cookie fields the server receives (rules observed with
// HAProxy 2.6 in TestCookiePersistenceMatchesHAProxy).
func TestScan(t *testing.T) {
	ins := Cookie{Name: "SRV", Mode: Insert}
	insInd := Cookie{Name: "SRV", Mode: Insert, Indirect: true}
	pfx := Cookie{Name: "SRV", Mode: Prefix}
	dates := Cookie{Name: "SRV", Mode: Insert, Indirect: true, MaxIdle: 1800, MaxLife: 7200}
	recent := string(appendDate(nil, (now-60)>>2))
	old := string(appendDate(nil, (now-3600)>>2))
	down := []Server{{Cookie: "one"}, {Cookie: "two", Up: true}}
	shared := []Server{{Cookie: "one"}, {Cookie: "one", Up: true}}
	for _, tc := range []struct {
		name    string
		c       Cookie
		servers []Server
		ignore  bool
		persist bool
		in      []string
		out     []string // "<nil>" = header removed
		server  int
		state   State
	}{
		{"no cookie", ins, twoServers, false, false, []string{"a=1"}, []string{"a=1"}, -1, NoCookie},
		{"valid", ins, twoServers, false, false, []string{"SRV=two"}, []string{"SRV=two"}, 1, Valid},
		{"indirect removes it", insInd, twoServers, false, false, []string{"SRV=two"}, []string{"<nil>"}, 1, Valid},
		{"indirect keeps the others", insInd, twoServers, false, false, []string{"a=1; SRV=two; b=2"}, []string{"a=1; b=2"}, 1, Valid},
		{"indirect, last", insInd, twoServers, false, false, []string{"a=1;SRV=one"}, []string{"a=1"}, 0, Valid},
		{"indirect, first", insInd, twoServers, false, false, []string{"SRV=two; other=x"}, []string{"other=x"}, 1, Valid},
		{"unknown value", ins, twoServers, false, false, []string{"SRV=nope"}, []string{"SRV=nope"}, -1, Invalid},
		{"empty value", insInd, twoServers, false, false, []string{"SRV="}, []string{"<nil>"}, -1, Invalid},
		{"spaces around '='", ins, twoServers, false, false, []string{" SRV = two ; x = 2"}, []string{" SRV=two ; x=2"}, 1, Valid},
		{"$ attributes", insInd, twoServers, false, false, []string{"$Version=1; SRV=one; $Path=/; x=2"}, []string{"$Version=1; x=2"}, 0, Valid},
		{"no '=' kept", insInd, twoServers, false, false, []string{"noeq; SRV=one; y"}, []string{"noeq; y"}, 0, Valid},
		{"comma delimits", ins, twoServers, false, false, []string{"SRV=one, z=3"}, []string{"SRV=one, z=3"}, 0, Valid},
		{"second one unused", ins, twoServers, false, false, []string{"SRV=two", "x=1; SRV=one"}, []string{"SRV=two", "x=1; SRV=one"}, 1, Valid},
		{"server down", insInd, down, false, false, []string{"SRV=one"}, []string{"<nil>"}, -1, Down},
		{"server down, persist", insInd, down, false, true, []string{"SRV=one"}, []string{"<nil>"}, 0, Down},
		{"shared value: the running one", insInd, shared, false, false, []string{"SRV=one"}, []string{"<nil>"}, 1, Valid},
		{"ignore-persist", insInd, twoServers, true, false, []string{"SRV=one"}, []string{"<nil>"}, -1, Unused},
		{"prefix stripped", pfx, twoServers, false, false, []string{"SRV=one~app; k=v"}, []string{"SRV=app; k=v"}, 0, Valid},
		{"prefix, empty app value", pfx, twoServers, false, false, []string{"SRV=two~"}, []string{"SRV="}, 1, Valid},
		{"prefix without '~'", pfx, twoServers, false, false, []string{"SRV=one"}, []string{"SRV=one"}, 0, Valid},
		{"recent date", dates, twoServers, false, false, []string{"SRV=two|" + recent}, []string{"<nil>"}, 1, Valid},
		{"idle too long", dates, twoServers, false, false, []string{"SRV=two|" + old + "|" + old}, []string{"<nil>"}, -1, Expired},
		{"too old", dates, twoServers, false, false, []string{"SRV=one|" + recent + "|AAAAB"}, []string{"<nil>"}, -1, Old},
		{"far future", dates, twoServers, false, false, []string{"SRV=one|/////"}, []string{"<nil>"}, -1, Expired},
		{"dates ignored without maxidle", ins, twoServers, false, false, []string{"SRV=one|AAAAB"}, []string{"SRV=one|AAAAB"}, 0, Valid},
	} {
		t.Run(tc.name, func(t *testing.T) {
			vals := make([][]byte, len(tc.in))
			for i, v := range tc.in {
				vals[i] = []byte(v)
			}
			out, r := tc.c.Scan(vals, Facts{Servers: tc.servers, Now: now, Ignore: tc.ignore, Persist: tc.persist})
			var got []string
			for _, v := range out {
				if v == nil {
					got = append(got, "<nil>")
				} else {
					got = append(got, string(v))
				}
			}
			if strings.Join(got, "\n") != strings.Join(tc.out, "\n") {
				t.Errorf("headers %q, want %q", got, tc.out)
			}
			if r.Server != tc.server || r.State != tc.state {
				t.Errorf("server %d state %c, want %d %c", r.Server, r.State.Char(), tc.server, tc.state.Char())
			}
			if r.Direct != (tc.server >= 0) {
				t.Errorf("direct %v with server %d", r.Direct, r.Server)
			}
		})
	}
}

// TestResponse: the server's Set-Cookie edits and the inserted cookie.
func TestResponse(t *testing.T) {
	full := Cookie{Name: "SRV", Mode: Insert, Indirect: true, NoCache: true, HTTPOnly: true, Secure: true,
		Domain: ".a.example; domain=b.example", Attrs: "SameSite=Lax; x=y"}
	for _, tc := range []struct {
		name      string
		c         Cookie
		req       Request
		server    string
		post      bool
		cacheable bool
		setCookie []string // from the server
		wantSC    []string // what goes to the client ("<nil>" removed)
		insert    string
		private   bool
		state     SetState
	}{
		{"insert all attributes", full, Request{Server: -1}, "one", false, true, nil, nil,
			"SRV=one; path=/; domain=.a.example; domain=b.example; HttpOnly; Secure; SameSite=Lax; x=y", true, Inserted},
		{"valid cookie: nothing", full, Request{Server: 0, Direct: true, State: Valid}, "one", false, true, nil, nil, "", false, NoSetCookie},
		{"server without cookie value", Cookie{Name: "SRV", Mode: Insert}, Request{Server: -1}, "", false, false, nil, nil,
			"SRV=; Expires=Thu, 01-Jan-1970 00:00:01 GMT; path=/", false, Inserted},
		{"insert deletes the server's", Cookie{Name: "SRV", Mode: Insert}, Request{Server: -1}, "two", false, false,
			[]string{"SRV=app; path=/app", "other=1"}, []string{"<nil>", "other=1"}, "SRV=two; path=/", false, Inserted},
		{"preserve keeps it and inserts none", Cookie{Name: "SRV", Mode: Insert, Preserve: true}, Request{Server: -1}, "two", false, false,
			[]string{"SRV=app; path=/app"}, []string{"SRV=app; path=/app"}, "", false, Found},
		{"postonly, GET", Cookie{Name: "SRV", Mode: Insert, PostOnly: true}, Request{Server: -1}, "one", false, false, nil, nil, "", false, NoSetCookie},
		{"postonly, POST", Cookie{Name: "SRV", Mode: Insert, PostOnly: true}, Request{Server: -1}, "one", true, false, nil, nil, "SRV=one; path=/", false, Inserted},
		{"rewrite", Cookie{Name: "SRV", Mode: Rewrite}, Request{Server: -1}, "two", false, false,
			[]string{"SRV=app; path=/app"}, []string{"SRV=two; path=/app"}, "", false, Replaced},
		{"prefix", Cookie{Name: "SRV", Mode: Prefix}, Request{Server: -1}, "two", false, false,
			[]string{"SRV = app; path=/app"}, []string{"SRV=two~app; path=/app"}, "", false, Replaced},
		{"passive indirect deletes on direct", Cookie{Name: "SRV", Indirect: true, Preserve: true}, Request{Server: 1, Direct: true}, "two", false, false,
			[]string{"SRV=app"}, []string{"SRV=app"}, "", false, Found},
		{"passive found", Cookie{Name: "SRV"}, Request{Server: -1}, "two", false, false,
			[]string{"SRV=app"}, []string{"SRV=app"}, "", false, Found},
		{"ignore-persist: untouched", Cookie{Name: "SRV", Mode: Insert}, Request{Server: -1, Ignore: true}, "two", false, false,
			[]string{"SRV=app"}, []string{"SRV=app"}, "", false, NoSetCookie},
		{"maxidle: dates added", Cookie{Name: "SRV", Mode: Insert, MaxIdle: 600}, Request{Server: -1}, "one", false, false, nil, nil,
			"SRV=one|" + string(appendDate(nil, (now+3)>>2)) + "; path=/", false, Inserted},
		{"maxidle: valid and fresh", Cookie{Name: "SRV", Mode: Insert, MaxIdle: 600}, Request{Server: 0, Direct: true, LastDate: now + 2}, "one", false, false, nil, nil, "", false, NoSetCookie},
		{"maxidle: refreshed", Cookie{Name: "SRV", Mode: Insert, MaxIdle: 600}, Request{Server: 0, Direct: true, LastDate: now - 60}, "one", false, false, nil, nil,
			"SRV=one|" + string(appendDate(nil, (now+3)>>2)) + "; path=/", false, Updated},
		{"maxlife keeps the first date", Cookie{Name: "SRV", Mode: Insert, MaxIdle: 1800, MaxLife: 7200}, Request{Server: 0, Direct: true, LastDate: now - 60, FirstDate: now - 600}, "one", false, false, nil, nil,
			"SRV=one|" + string(appendDate(nil, (now+3)>>2)) + "|" + string(appendDate(nil, (now-600)>>2)) + "; path=/", false, Updated},
		{"first date without maxlife: rewritten", Cookie{Name: "SRV", Mode: Insert}, Request{Server: 0, Direct: true, FirstDate: now - 600}, "one", false, false, nil, nil, "SRV=one; path=/", false, Updated},
		{"far-future date wrapped negative: refreshed", Cookie{Name: "SRV", Mode: Insert}, Request{Server: 0, Direct: true, LastDate: -4}, "one", false, false, nil, nil, "SRV=one; path=/", false, Updated},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rs := Response{Server: tc.server, HasServer: true, Now: now, Post: tc.post, Cacheable: tc.cacheable}
			st := NoSetCookie
			var got []string
			for _, v := range tc.setCookie {
				out, keep := tc.c.SetCookie([]byte(v), &tc.req, &rs, &st)
				if !keep {
					got = append(got, "<nil>")
				} else {
					got = append(got, string(out))
				}
			}
			if strings.Join(got, "\n") != strings.Join(tc.wantSC, "\n") {
				t.Errorf("set-cookie %q, want %q", got, tc.wantSC)
			}
			ins, private := tc.c.Insert(&tc.req, &rs, &st)
			if string(ins) != tc.insert || private != tc.private {
				t.Errorf("insert %q private %v, want %q %v", ins, private, tc.insert, tc.private)
			}
			if st != tc.state {
				t.Errorf("state %c, want %c", st.Char(), tc.state.Char())
			}
		})
	}
}

func TestCacheable(t *testing.T) {
	h := func(kv ...string) []Header {
		var out []Header
		for i := 0; i < len(kv); i += 2 {
			out = append(out, Header{[]byte(kv[i]), []byte(kv[i+1])})
		}
		return out
	}
	for _, tc := range []struct {
		name string
		hdrs []Header
		want bool
	}{
		{"nothing: no freshness, no validator", nil, false},
		{"public alone", h("Cache-Control", "public"), false},
		{"max-age", h("Cache-Control", "max-age=60"), true},
		{"max-age then private", h("Cache-Control", "max-age=60, private"), false},
		{"etag", h("ETag", `"x"`), true},
		{"last-modified", h("Last-Modified", "Thu, 01 Jan 2026 00:00:00 GMT"), true},
		{"expires", h("Expires", "Thu, 01 Jan 2099 00:00:00 GMT"), true},
		{"pragma no-cache", h("Pragma", "no-cache", "ETag", `"x"`), false},
		{"no-store", h("Cache-Control", "no-store", "ETag", `"x"`), false},
		{"s-maxage=0", h("cache-control", "S-MAXAGE=0", "ETag", `"x"`), false},
	} {
		if got := Cacheable(true, tc.hdrs); got != tc.want {
			t.Errorf("%s: %v, want %v", tc.name, got, tc.want)
		}
	}
	for _, m := range []string{"GET", "HEAD", "OPTIONS", "TRACE"} {
		if !CacheableMethod([]byte(m)) {
			t.Errorf("%s not cacheable", m)
		}
	}
	if CacheableMethod([]byte("POST")) || CacheableStatus(302) || !CacheableStatus(404) {
		t.Error("POST or 302 cacheable, or 404 not")
	}
}

// TestDynamicCookie: the value HAProxy 2.6.12 inserted for a server at
// 127.0.0.1:38190 with `dynamic-cookie-key s3cr3t` (observed).
func TestDynamicCookie(t *testing.T) {
	if got := DynamicCookie("s3cr3t", netip.MustParseAddrPort("127.0.0.1:38190")); got != "c0bd424e69b7b4a9" {
		t.Errorf("got %s, want c0bd424e69b7b4a9", got)
	}
}

// TestSetCookie2: several cookies in one field; a deletion in the middle
// leaves HAProxy 2.6.12's stale tail (observed).
func TestSetCookie2(t *testing.T) {
	ins := Cookie{Name: "SRV", Mode: Insert}
	rs := Response{Server: "one", HasServer: true, Now: now}
	for _, tc := range []struct {
		c    Cookie
		in   string
		want string // "<nil>": field removed
		st   SetState
	}{
		{ins, `a=1, SRV=app; Version=1, b="x,y"`, `a=1, b="x,y"; Version=1, b="x,y"`, Deleted},
		{ins, "SRV=x, c=3;Version=1,d=4", "c=3;Version=1,d=4n=1,d=4", Deleted},
		{ins, "SRV = app; Version=1", "<nil>", Deleted},
		{ins, "a=1, b=2", "a=1, b=2", NoSetCookie},
		{Cookie{Name: "SRV", Mode: Rewrite}, "a=1, SRV=app; Version=1", "a=1, SRV=one; Version=1", Replaced},
		{Cookie{Name: "SRV", Mode: Prefix}, "SRV=app, b=2", "SRV=one~app, b=2", Replaced},
	} {
		st := NoSetCookie
		r := Request{Server: -1}
		out, keep := tc.c.SetCookie2([]byte(tc.in), &r, &rs, &st)
		got := string(out)
		if !keep {
			got = "<nil>"
		}
		if got != tc.want || st != tc.st {
			t.Errorf("%q: %q %c, want %q %c", tc.in, got, st.Char(), tc.want, tc.st.Char())
		}
	}
}
