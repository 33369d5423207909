package balance

import (
	"fmt"
	"math"
	"net/netip"
	"strings"
	"sync"
	"testing"
)

// Sequences checked against haproxy 2.6.12 by the differential tests; kept
// here so the pure logic is pinned without haproxy installed.
func TestPickSequences(t *testing.T) {
	cases := []struct {
		algo    string
		weights []int
		want    string
	}{
		{"roundrobin", []int{1, 1, 1}, "web1 web2 web3 web1 web2 web3 web1"},
		{"roundrobin", []int{1, 2, 3}, "web3 web2 web3 web1 web3 web2 web3 web2 web3 web1 web3 web2"},
		{"roundrobin", []int{1, 0, 2}, "web3 web3 web1 web3 web3 web1"},
		{"roundrobin", []int{0, 0, 0}, "- - -"},
		{"static-rr", []int{1, 1, 1}, "web1 web2 web3 web1 web2 web3 web1"},
		{"static-rr", []int{1, 2, 3}, "web1 web3 web2 web3 web2 web3 web1 web3"},
		{"static-rr", []int{4, 2, 6}, "web1 web3 web1 web3 web2 web3 web1 web3"},
		{"leastconn", []int{1, 1, 1}, "web1 web2 web3 web1 web2 web3"},
		{"leastconn", []int{1, 2, 3}, "web1 web2 web3 web1 web2 web3"},
		{"first", []int{1, 1, 1}, "web1 web1 web1"},
		{"first", []int{0, 1, 1}, "web2 web2 web2"},
	}
	for _, tc := range cases {
		t.Run(fmt.Sprint(tc.algo, tc.weights), func(t *testing.T) {
			b := mustNew(t, tc.algo, nil, servers(tc.weights...), Options{})
			if got := sequence(b, nil, len(strings.Fields(tc.want))); got != tc.want {
				t.Errorf("got  %s\nwant %s", got, tc.want)
			}
		})
	}
}

var allAlgos = []struct {
	algo string
	args []string
	opts Options
}{
	{"roundrobin", nil, Options{}},
	{"static-rr", nil, Options{}},
	{"leastconn", nil, Options{}},
	{"first", nil, Options{}},
	{"random", nil, Options{}},
	{"random(3)", nil, Options{}},
	{"source", nil, Options{}},
	{"source", nil, Options{Consistent: true, Avalanche: true}},
	{"uri", []string{"whole"}, Options{}},
	{"uri", nil, Options{Consistent: true, Func: WT6}},
	{"url_param", []string{"id"}, Options{}},
	{"hdr(host)", nil, Options{Func: CRC32}},
	{"hdr(host)", []string{"use_domain_only"}, Options{Consistent: true, Func: DJB2}},
}

func varied(i int) *Request {
	return &Request{
		Src: netip.AddrFrom4([4]byte{10, byte(i >> 16), byte(i >> 8), byte(i)}),
		URI: fmt.Sprintf("/obj/%d?id=%d", i, i*7),
		Header: func(string) (string, bool) {
			return fmt.Sprintf("h%d.example.com", i), true
		},
	}
}

// Down servers, weight 0 and backups while actives are usable are never
// picked, by any algorithm.
func TestNeverPicksUnusable(t *testing.T) {
	for _, a := range allAlgos {
		t.Run(a.algo+strings.Join(a.args, ","), func(t *testing.T) {
			srv := servers(1, 0, 2, 3, 1)
			srv[3].Up = false
			srv[4].Backup = true
			b := mustNew(t, a.algo, a.args, srv, a.opts)
			for i := range 500 {
				s := b.Pick(varied(i))
				if s == nil || s.Name == "web2" || s.Name == "web4" || s.Name == "web5" {
					t.Fatalf("pick %d: %v", i, s)
				}
			}
			// Everything down but the backup: only it.
			srv[0].Up, srv[2].Up = false, false
			b.Update()
			for i := range 50 {
				if s := b.Pick(varied(i)); s == nil || s.Name != "web5" {
					t.Fatalf("pick %d with actives down: %v", i, s)
				}
			}
			srv[4].Up = false
			b.Update()
			if s := b.Pick(varied(1)); s != nil {
				t.Fatalf("nothing usable, picked %s", s.Name)
			}
		})
	}
}

func TestBackups(t *testing.T) {
	for _, algo := range []string{"roundrobin", "static-rr", "leastconn", "first", "source", "random"} {
		for _, all := range []bool{false, true} {
			t.Run(fmt.Sprint(algo, " allbackups=", all), func(t *testing.T) {
				srv := servers(1, 1, 1, 1)
				srv[0].Up = false
				srv[1].Backup, srv[2].Backup, srv[3].Backup = true, true, true
				srv[1].Up = false // the first usable backup is web3
				b := mustNew(t, algo, nil, srv, Options{AllBackups: all})
				c := counts(b, varied, 300)
				if !all && c["web3"] != 300 {
					t.Errorf("first backup only: %v", c)
				}
				if all && (c["web3"] == 0 || c["web4"] == 0) && algo != "first" && algo != "source" {
					t.Errorf("allbackups should use both: %v", c)
				}
				if c["web1"]+c["web2"]+c["-"] != 0 {
					t.Errorf("unusable picked: %v", c)
				}
				srv[0].Up = true // an active server is back: backups idle
				b.Update()
				if c := counts(b, varied, 50); c["web1"] != 50 {
					t.Errorf("active back: %v", c)
				}
			})
		}
	}
}

// Over many picks each server's share is proportional to its weight.
func TestFairShares(t *testing.T) {
	weights := []int{1, 2, 3, 10, 4}
	total := 0
	for _, w := range weights {
		total += w
	}
	for _, tc := range []struct {
		algo string
		opts Options
		tol  float64 // relative tolerance of a share
		n    int
	}{
		{"roundrobin", Options{}, 0.001, total * 16 * 50},
		{"static-rr", Options{}, 0.001, total * 100},
		// The ring has only 16 points per unit of weight (as HAProxy's),
		// so consistent hashing and random spread coarsely: a weight-1
		// server of this backend gets about 1.5x its share, in HAProxy too.
		{"random", Options{Rand: splitmix(1)}, 0.6, 60000},
		{"source", Options{}, 0.06, 60000},
		{"source", Options{Consistent: true, Avalanche: true}, 0.6, 60000},
		{"uri", Options{}, 0.06, 60000},
		{"uri", Options{Consistent: true, Avalanche: true}, 0.6, 60000},
	} {
		t.Run(fmt.Sprint(tc.algo, tc.opts.Consistent), func(t *testing.T) {
			b := mustNew(t, tc.algo, []string{"whole"}[:boolInt(tc.algo == "uri")], servers(weights...), tc.opts)
			c := counts(b, varied, tc.n)
			for i, w := range weights {
				want := float64(tc.n) * float64(w) / float64(total)
				got := float64(c[fmt.Sprintf("web%d", i+1)])
				if math.Abs(got-want) > tc.tol*want+1 {
					t.Errorf("web%d weight %d: %v picks, want about %.0f (%v)", i+1, w, got, want, c)
				}
			}
		})
	}
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// splitmix returns a deterministic 32-bit generator for `random`.
func splitmix(seed uint64) func() uint32 {
	return func() uint32 {
		seed += 0x9e3779b97f4a7c15
		z := seed
		z = (z ^ z>>30) * 0xbf58476d1ce4e5b9
		z = (z ^ z>>27) * 0x94d049bb133111eb
		return uint32(z ^ z>>31)
	}
}

// With consistent hashing, a server going down moves only the keys it
// had (about 1/n of them), and they come back when it returns.
func TestConsistentMovesOnlyLostKeys(t *testing.T) {
	const n, keys = 5, 20000
	for _, algo := range []string{"source", "uri"} {
		t.Run(algo, func(t *testing.T) {
			srv := servers(1, 1, 1, 1, 1)
			b := mustNew(t, algo, nil, srv, Options{Consistent: true, Avalanche: true})
			before := make([]string, keys)
			for i := range before {
				before[i] = b.Pick(varied(i)).Name
			}
			srv[2].Up = false
			b.Update()
			moved := 0
			for i := range before {
				after := b.Pick(varied(i)).Name
				if after != before[i] {
					moved++
					if before[i] != "web3" {
						t.Fatalf("key %d moved from %s to %s though web3 went down", i, before[i], after)
					}
				}
			}
			if frac := float64(moved) / keys; frac < 0.5/n || frac > 1.6/n {
				t.Errorf("%.3f of keys moved, want about %.3f", frac, 1.0/n)
			}
			srv[2].Up = true
			b.Update()
			for i := range before {
				if s := b.Pick(varied(i)).Name; s != before[i] {
					t.Fatalf("key %d: %s after web3 came back, was %s", i, s, before[i])
				}
			}
		})
	}
}

// Map-based hashing remaps most keys when the server count changes: the
// reason consistent hashing exists (documented HAProxy behaviour).
func TestMapBasedIsStableWithoutChanges(t *testing.T) {
	b1 := mustNew(t, "uri", nil, servers(1, 2, 3), Options{})
	b2 := mustNew(t, "uri", nil, servers(1, 2, 3), Options{})
	for i := range 1000 {
		if a, b := b1.Pick(varied(i)).Name, b2.Pick(varied(i)).Name; a != b {
			t.Fatalf("key %d: %s vs %s", i, a, b)
		}
	}
}

func TestDeterminism(t *testing.T) {
	for _, a := range allAlgos {
		o := a.opts
		o.Rand = splitmix(7)
		b1 := mustNew(t, a.algo, a.args, servers(3, 1, 2), o)
		o.Rand = splitmix(7)
		b2 := mustNew(t, a.algo, a.args, servers(3, 1, 2), o)
		for i := range 300 {
			if x, y := b1.Pick(varied(i%17)), b2.Pick(varied(i%17)); x.Name != y.Name {
				t.Fatalf("%s: pick %d differs: %s vs %s", a.algo, i, x.Name, y.Name)
			}
		}
	}
}

func TestLeastConn(t *testing.T) {
	srv := servers(1, 1, 2)
	b := mustNew(t, "leastconn", nil, srv, Options{})
	srv[0].Conns.Store(3)
	srv[1].Conns.Store(1)
	srv[2].Conns.Store(2) // (2+1)*4096/32 = 384 < (1+1)*4096/16 = 512
	if s := b.Pick(nil); s.Name != "web3" {
		t.Errorf("weighted least connections: %s", s.Name)
	}
	srv[2].Conns.Store(5)
	if s := b.Pick(nil); s.Name != "web2" {
		t.Errorf("fewest connections: %s", s.Name)
	}
	srv[1].MaxConn = 1
	if s := b.Pick(nil); s.Name != "web1" && s.Name != "web3" {
		t.Errorf("server at maxconn picked: %s", s.Name)
	}
	srv[0].MaxConn, srv[2].MaxConn = 3, 5
	if s := b.Pick(nil); s != nil {
		t.Errorf("all full, picked %s", s.Name)
	}
}

func TestFirstFillsInIDOrder(t *testing.T) {
	srv := servers(1, 1, 1)
	for _, s := range srv {
		s.MaxConn = 2
	}
	b := mustNew(t, "first", nil, srv, Options{})
	var got []string
	for range 7 {
		s := b.Pick(nil)
		if s == nil {
			got = append(got, "-")
			continue
		}
		s.Conns.Add(1)
		got = append(got, s.Name)
	}
	if want := "web1 web1 web2 web2 web3 web3 -"; strings.Join(got, " ") != want {
		t.Errorf("got %v want %s", got, want)
	}
	srv[0].Conns.Add(-1)
	if s := b.Pick(nil); s == nil || s.Name != "web1" {
		t.Errorf("slot freed on web1, got %v", s)
	}
}

func TestRoundRobinSkipsSaturated(t *testing.T) {
	srv := servers(1, 1, 1)
	srv[1].MaxConn = 1
	srv[1].Conns.Store(1)
	b := mustNew(t, "roundrobin", nil, srv, Options{})
	if got := sequence(b, nil, 4); got != "web1 web3 web1 web3" {
		t.Errorf("got %s", got)
	}
	srv[1].Conns.Store(0)
	got := sequence(b, nil, 6)
	if strings.Count(got, "web2") != 2 {
		t.Errorf("web2 free again: %s", got)
	}
	for _, s := range srv {
		s.MaxConn, s.Conns = 1, atomicOne()
	}
	if s := b.Pick(nil); s != nil {
		t.Errorf("all saturated: %s", s.Name)
	}
}

func TestStaticRRSkipsSaturated(t *testing.T) {
	srv := servers(1, 1, 1)
	srv[0].MaxConn = 1
	srv[0].Conns.Store(1)
	b := mustNew(t, "static-rr", nil, srv, Options{})
	if got := sequence(b, nil, 4); got != "web2 web3 web2 web3" {
		t.Errorf("got %s", got)
	}
}

func TestRandomDrawsPreferLessLoaded(t *testing.T) {
	srv := servers(1, 1)
	srv[0].Conns.Store(100)
	b := mustNew(t, "random(4)", nil, srv, Options{Rand: splitmix(3)})
	c := counts(b, func(int) *Request { return nil }, 1000)
	// web1 only wins when all four draws land on it: ~1/16.
	if c["web1"] > 120 || c["web2"] < 880 {
		t.Errorf("draws ignore load: %v", c)
	}
	b1 := mustNew(t, "random(1)", nil, srv, Options{Rand: splitmix(3)})
	if c := counts(b1, func(int) *Request { return nil }, 1000); c["web1"] < 400 {
		t.Errorf("one draw is plain random: %v", c)
	}
}

func TestHashFallbackWithoutKey(t *testing.T) {
	for _, consistent := range []bool{false, true} {
		b := mustNew(t, "url_param", []string{"user"}, servers(1, 1, 1), Options{Consistent: consistent})
		c := counts(b, func(int) *Request { return &Request{URI: "/no/param"} }, 300)
		for _, n := range []string{"web1", "web2", "web3"} {
			// the ring walk visits points, which interleave unevenly
			if !consistent && c[n] != 100 || consistent && (c[n] < 70 || c[n] > 130) {
				t.Errorf("consistent=%v: round robin fallback uneven: %v", consistent, c)
			}
		}
	}
}

func TestCheckPostReadsBody(t *testing.T) {
	b := mustNew(t, "url_param", []string{"user", "check_post"}, servers(1, 1, 1, 1, 1, 1, 1), Options{})
	viaURI := b.Pick(&Request{URI: "/login?user=alice"})
	for range 10 {
		if s := b.Pick(&Request{URI: "/login", Body: []byte("x=1&user=alice&y=2")}); s != viaURI {
			t.Fatalf("body parameter hashed differently: %s vs %s", s.Name, viaURI.Name)
		}
	}
}

// Build takes typed parameters and defaults none: a zero value an
// algorithm needs is an error (proxy/haproxycfg fills HAProxy's defaults;
// the words HAProxy refuses are refused by the parser or reported by
// proxy/haproxycfg, TestBalanceWordsRefused).
func TestBuildErrors(t *testing.T) {
	for _, spec := range []Spec{
		{},
		{Algorithm: "weird"},
		{Algorithm: "hdr"},
		{Algorithm: "random"},
		{Algorithm: "random", Draws: -1},
		{Algorithm: "url_param"},
		{Algorithm: "url_param", URLParam: URLParamParams{CheckPost: true}},
		{Algorithm: "uri", URI: URIParams{Depth: -1}},
		{Algorithm: "uri", URI: URIParams{Len: -1}},
		{Algorithm: "hash"},
		{Algorithm: "hash", Hash: HashSample{Fetch: FetchURLParam}},
		{Algorithm: "hash", Hash: HashSample{Fetch: FetchReqHdr}},
		{Algorithm: "hash", Hash: HashSample{Fetch: SampleFetch(99)}},
		{Algorithm: "rdp-cookie"},
	} {
		if _, err := Build(spec, servers(1)); err == nil {
			t.Errorf("Build(%+v) accepted", spec)
		}
	}
	for _, spec := range []Spec{
		{Algorithm: "random", Draws: 1},
		{Algorithm: "hdr", Header: HeaderParams{Name: "Host", UseDomainOnly: true}},
		{Algorithm: "url_param", URLParam: URLParamParams{Name: "session_id", CheckPost: true}},
		{Algorithm: "uri", URI: URIParams{Len: 0, Depth: 3, Whole: true}},
		{Algorithm: "hash", Hash: HashSample{Fetch: FetchSrc}},
	} {
		if _, err := Build(spec, servers(1)); err != nil {
			t.Errorf("Build(%+v): %v", spec, err)
		}
	}
	// Lines haproxy 2.6 -c accepts, as the parser types them.
	for _, line := range [][]string{{"url_param", "session_id", "check_post", "64"}, {"random", "draws", "3"}, {"hdr(Host)", "use_domain_only"}} {
		if _, err := Build(specOf(t, line[0], line[1:]), servers(1)); err != nil {
			t.Errorf("Build(balance %q): %v", line, err)
		}
	}
}

func TestDynamic(t *testing.T) {
	for _, tc := range []struct {
		algo       string
		consistent bool
		want       bool
	}{
		{"roundrobin", false, true}, {"", false, true}, {"leastconn", false, true}, {"first", false, true},
		{"random", false, true}, {"static-rr", false, false}, {"source", false, false}, {"source", true, true},
		{"uri", false, false}, {"hdr", false, false}, {"hdr", true, true}, {"url_param", true, true},
		{"hash", false, false}, {"hash", true, true}, {"rdp-cookie", false, false},
	} {
		if got := (Spec{Algorithm: tc.algo, Options: Options{Consistent: tc.consistent}}).Dynamic(); got != tc.want {
			t.Errorf("Dynamic(%q, consistent=%v) = %v", tc.algo, tc.consistent, got)
		}
	}
}

// In tcp mode there is no URI or header: the HTTP hashes fall back to
// round robin instead of sending everything to one server.
func TestHTTPHashesWithoutHTTP(t *testing.T) {
	for _, algo := range []string{"uri", "hdr(host)", "url_param"} {
		args := []string(nil)
		if algo == "url_param" {
			args = []string{"id"}
		}
		b := mustNew(t, algo, args, servers(1, 1, 1), Options{})
		if got := sequence(b, &Request{}, 3); got != "web1 web2 web3" {
			t.Errorf("%s without HTTP: %s", algo, got)
		}
	}
}

// Picks run concurrently with Updates (the proxy picks without holding the
// lock its UpdateServer writers take); run with -race.
func TestConcurrentPickAndUpdate(t *testing.T) {
	for _, a := range allAlgos {
		srv := servers(1, 2, 3, 4)
		b := mustNew(t, a.algo, a.args, srv, a.opts)
		done := make(chan struct{})
		var wg sync.WaitGroup
		for g := range 3 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := 0; ; i++ {
					select {
					case <-done:
						return
					default:
					}
					if s := b.Pick(varied(i + g)); s != nil {
						s.Conns.Add(1)
						s.Conns.Add(-1)
					}
				}
			}()
		}
		for i := range 200 {
			s := srv[i%4]
			s.Up = i%3 != 0
			s.Weight = 1 + i%5
			b.Update()
		}
		close(done)
		wg.Wait()
	}
}

// hash-balance-factor: a key whose server is over its bounded share moves
// to the next server on the ring, and comes back when the load drops.
func TestHashBalanceFactor(t *testing.T) {
	srv := servers(1, 1)
	b := mustNew(t, "uri", nil, srv, Options{Consistent: true, Avalanche: true, HashBalanceFactor: 125})
	r := &Request{URI: "/k"}
	home := b.Pick(r)
	home.Conns.Store(5)
	// served 5: slots ceil(6*125/100) = 8 over 32 units of weight, 4 each
	if s := b.Pick(r); s == home {
		t.Fatalf("%s over its share still picked", s.Name)
	}
	home.Conns.Store(0)
	if s := b.Pick(r); s != home {
		t.Fatalf("back under its share, got %s", s.Name)
	}
	plain := mustNew(t, "uri", nil, srv, Options{Consistent: true, Avalanche: true})
	if s := plain.Pick(r); s != home {
		t.Fatal("without the factor the load is ignored")
	}
}

// balance hash <expr>: the fetches supported, what is refused, and the
// fallbacks (the picks themselves are compared with HAProxy in
// TestDifferentialAgainstHAProxy).
func TestHashExpression(t *testing.T) {
	// Which expressions map to a HashSample is proxy/haproxycfg's
	// TestBalanceHashSample; here the typed samples the parser's words give.
	for expr, want := range map[string]HashSample{
		"src": {Fetch: FetchSrc}, "path": {Fetch: FetchPath}, "url": {Fetch: FetchURL},
		"urlp(id)": {FetchURLParam, "id"}, "url_param(id)": {FetchURLParam, "id"},
		"req.hdr(X-Key)": {FetchReqHdr, "X-Key"}, "hdr(host)": {FetchReqHdr, "host"},
	} {
		if got := specOf(t, "hash", []string{expr}).Hash; got != want {
			t.Errorf("hash %s: %+v, want %+v", expr, got, want)
		}
	}
	// A tcp session (no URI) and a request without the parameter have no
	// sample: round robin, which walks the servers.
	for _, args := range [][]string{{"path"}, {"url"}, {"urlp(id)"}} {
		b := mustNew(t, "hash", args, servers(1, 1, 1), Options{})
		seen := map[string]bool{}
		for i := 0; i < 3; i++ {
			seen[b.Pick(&Request{Src: netip.MustParseAddr("10.0.0.1")}).Name] = true
		}
		if len(seen) != 3 {
			t.Errorf("hash %v without a sample: picks %v, want round robin over 3", args, seen)
		}
	}
	// req.hdr hashes the last value of the last occurrence.
	h := mustNew(t, "hash", []string{"req.hdr(X-Key)"}, servers(1, 1, 1, 1, 1), Options{})
	for _, v := range []string{"k7", "first, k7", "a,b, k7 ", "x,\tk7"} {
		want := h.Pick(&Request{LastHeader: func(string) (string, bool) { return "k7", true }}).Name
		if got := h.Pick(&Request{LastHeader: func(string) (string, bool) { return v, true }}).Name; got != want {
			t.Errorf("req.hdr value %q went to %s, %q to %s", v, got, "k7", want)
		}
	}
	// The same key, the same server.
	b := mustNew(t, "hash", []string{"urlp(id)"}, servers(1, 1, 1), Options{})
	first := b.Pick(&Request{URI: "/?id=42"}).Name
	for i := 0; i < 5; i++ {
		if got := b.Pick(&Request{URI: "/x?a=1&id=42"}).Name; got != first {
			t.Errorf("urlp(id)=42 went to %s then %s", first, got)
		}
	}
}

func TestSpec(t *testing.T) {
	for _, tc := range []struct {
		spec    Spec
		name    string
		dynamic bool
	}{
		{Spec{Algorithm: "roundrobin"}, "roundrobin", true},
		{Spec{Algorithm: "static-rr"}, "static-rr", false},
		{specOf(t, "hdr(host)", nil), "hdr", false},
		{Spec{Algorithm: "hdr", Header: HeaderParams{Name: "host"}, Options: Options{Consistent: true}}, "hdr", true},
		{specOf(t, "random(3)", nil), "random", true},
	} {
		if got := tc.spec.Name(); got != tc.name {
			t.Errorf("%+v: Name() = %q, want %q", tc.spec, got, tc.name)
		}
		if got := tc.spec.Dynamic(); got != tc.dynamic {
			t.Errorf("%+v: Dynamic() = %v, want %v", tc.spec, got, tc.dynamic)
		}
	}
	if got := specOf(t, "random(3)", nil).Draws; got != 3 {
		t.Errorf("random(3): draws %d", got)
	}
	b, err := Build(Spec{Algorithm: "static-rr"}, servers(1, 2))
	if err != nil || sequence(b, nil, 3) != "web1 web2 web2" {
		t.Errorf("Build(static-rr): %v", err)
	}
	if _, err := Build(Spec{Algorithm: "rdp-cookie"}, servers(1)); err == nil {
		t.Error("Build(rdp-cookie) accepted without a cookie name")
	}
}
