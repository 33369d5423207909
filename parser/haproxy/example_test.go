package haproxy_test

import (
	"fmt"

	"github.com/goha-lb/goha/parser/haproxy"
)

// A configuration checked as `haproxy -c` checks it: HAProxy's exit code
// and its messages, with file and line (haproxy -c adds its summary
// alerts, "Error(s) found in configuration file", around them).
func ExampleCheckBytes() {
	cfg := `frontend main
    bind 127.0.0.1:8080
    default_backend servers
    timeout client 30s
backend servers
    balance leastconn
    server web1 127.0.0.1:8081
    timeout connect 5s
    timeout server 30s
    no-such-keyword
`
	r := haproxy.CheckBytes("haproxy.cfg", []byte(cfg), nil)
	fmt.Println("exit", r.Exit)
	for _, d := range r.Diags.List {
		fmt.Println(d.Severity.Tag(), d.Text)
	}
	// Output:
	// exit 1
	// [ALERT]    config : parsing [haproxy.cfg:10] : unknown keyword 'no-such-keyword' in 'backend' section
}
