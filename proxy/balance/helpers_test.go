package balance

import (
	"strings"
	"testing"
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
	b, err := New(algo, args, srv, o)
	if err != nil {
		t.Fatal(err)
	}
	return b
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
