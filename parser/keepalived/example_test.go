package keepalived_test

import (
	"fmt"

	ka "github.com/goha-lb/goha/parser/keepalived"
)

// Lint is `gokeepalived -t`: keepalived's messages for the file, and its
// exit status. The priority's range comes from the keyword's row.
func ExampleLint() {
	conf := `vrrp_instance VI_1 {
    interface eth0
    virtual_router_id 51
    priority 300
    virtual_ipaddress {
        192.168.1.10/24
    }
}
`
	r := ka.Lint(ka.Options{File: "keepalived.conf", Data: []byte(conf), ConfigID: "lb1", Interfaces: []string{"lo", "eth0"}})
	fmt.Print(ka.Format(r.Diagnostics))
	fmt.Println("exit status", r.LintExitCode)
	fmt.Println("priority", r.Config.Instances[0].Priority)
	// Output:
	// (keepalived.conf: Line 4) number '300' outside range [1, 255]
	// (keepalived.conf: Line 4) (VI_1) Priority not valid! must be between 1 & 255. Using default 100
	//   hint: priority is 1..255 (255 = address owner)
	// exit status 5
	// priority 100
}

// The parser types route lines; the daemon installs the values.
func ExampleParseRoute() {
	r, err := ka.ParseRoute([]string{"10.50.0.0/16", "via", "192.168.110.254", "dev", "eth0", "table", "200"})
	fmt.Println(r.Dst, r.Via, r.Dev, r.Table, err)
	_, err = ka.ParseRoute([]string{"10.0.0.0/8", "nexthop", "via", "10.0.0.1"})
	fmt.Println(err)
	// Output:
	// 10.50.0.0/16 192.168.110.254 eth0 200 <nil>
	// option "nexthop" is not supported by gokeepalived
}
