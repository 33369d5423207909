package balance

import (
	"strings"
	"testing"

	"github.com/goha-lb/goha/parser/haproxy"
)

// servers builds web1..webN with the given weights, all Up.
func servers(weights ...int) []*Server {
	var out []*Server
	for i, w := range weights {
		out = append(out, &Server{Name: "web" + string(rune('1'+i)), ID: i + 1, Weight: w, Up: true})
	}
	return out
}

func mustNew(t testing.TB, algo string, args []string, srv []*Server, o Options) Balancer {
	t.Helper()
	spec := specOf(t, algo, args)
	spec.Options = o
	b, err := Build(spec, srv)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// specOf is the Spec of the line "balance <algo> <args>" as the tests
// write it (the same words the differential tests hand HAProxy): the
// parser reads the words into its typed Balance, which is copied field by
// field the way proxy/haproxycfg maps it (with the few fetches of `balance
// hash` this package supports).
func specOf(t testing.TB, algo string, args []string) Spec {
	t.Helper()
	line := strings.TrimSpace(algo + " " + strings.Join(args, " "))
	r := haproxy.CheckBytes("t.cfg", []byte("backend b\n    mode http\n    balance "+line+"\n    server s 127.0.0.1:1\n"), nil)
	if r.Exit == 1 || len(r.Config.Backends) != 1 {
		t.Fatalf("balance %s: the parser refuses it: %v", line, r.Diags.List)
	}
	pb := r.Config.Backends[0].Balance
	spec := Spec{Algorithm: pb.Algorithm, URI: URIParams(pb.URI), URLParam: URLParamParams(pb.URLParam),
		Header: HeaderParams(pb.Header), Draws: pb.Draws, RDPCookie: pb.RDPCookie}
	if pb.Algorithm == "hash" {
		smp := haproxy.ParseSample(pb.Expr)
		spec.Hash.Fetch = map[string]SampleFetch{"src": FetchSrc, "path": FetchPath, "url": FetchURL,
			"urlp": FetchURLParam, "url_param": FetchURLParam, "req.hdr": FetchReqHdr, "hdr": FetchReqHdr}[smp.Fetch.Name]
		if len(smp.Fetch.Args) > 0 {
			spec.Hash.Param = smp.Fetch.Args[0].Str
		}
	}
	return spec
}

// sequence returns the names of n picks joined by spaces ("-" for nil).
func sequence(b Balancer, r *Request, n int) string {
	var names []string
	for range n {
		s := b.Pick(r)
		if s == nil {
			names = append(names, "-")
			continue
		}
		names = append(names, s.Name)
	}
	return strings.Join(names, " ")
}

// counts tallies n picks by server name.
func counts(b Balancer, r func(i int) *Request, n int) map[string]int {
	c := map[string]int{}
	for i := range n {
		s := b.Pick(r(i))
		if s == nil {
			c["-"]++
			continue
		}
		c[s.Name]++
	}
	return c
}
