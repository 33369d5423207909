package logfmt_test

import (
	"fmt"
	"log"
	"net/netip"
	"time"

	"github.com/goha-lb/goha/proxy/logfmt"
)

// A log-format compiled once and appended per transaction into a reused
// buffer; proxy.LogEntry converts to *Entry without a copy.
func ExampleCompile() {
	f, err := logfmt.Compile(`%ci:%cp [%tr] %ft %b/%s %ST %{+Q}r`)
	if err != nil {
		log.Fatal(err)
	}
	start := time.Date(2026, time.November, 25, 9, 4, 44, 465e6, time.UTC)
	e := &logfmt.Entry{
		Client: netip.MustParseAddrPort("127.0.0.1:41502"), Accept: start, Start: start,
		Frontend: "main", Backend: "servers", Server: "web2", Status: 200,
		Method: []byte("GET"), Target: []byte("/"), Minor: 1,
	}
	env := &logfmt.Env{PID: 25286, Location: time.UTC}
	var buf []byte
	buf = f.Append(buf[:0], e, env)
	fmt.Println(string(buf))
	// Output:
	// 127.0.0.1:41502 [25/Nov/2026:09:04:44.465] main servers/web2 200 "GET / HTTP/1.1"
}
