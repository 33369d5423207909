package balance_test

import (
	"fmt"
	"strings"

	"github.com/goha-lb/goha/proxy/balance"
)

// A backend's `balance static-rr` over two servers of weights 1 and 2.
func ExampleBuild() {
	servers := []*balance.Server{
		{Name: "web1", ID: 1, Weight: 1, Up: true},
		{Name: "web2", ID: 2, Weight: 2, Up: true},
	}
	spec := balance.Spec{Algorithm: "static-rr"}
	b, err := balance.Build(spec, servers)
	if err != nil {
		panic(err)
	}
	var picks []string
	for range 3 {
		picks = append(picks, b.Pick(&balance.Request{}).Name)
	}
	fmt.Println(strings.Join(picks, " "))
	fmt.Println(spec.Name(), "takes weight changes:", spec.Dynamic())
	// Output:
	// web1 web2 web2
	// static-rr takes weight changes: false
}
