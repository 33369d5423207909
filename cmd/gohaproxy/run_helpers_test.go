package main

import (
	"fmt"
	"os"
	"regexp"
	"testing"
)

// httplogRe matches one RFC3164 datagram carrying HAProxy's httplog line
// for a GET / answered 200 by servers/<server>.
func httplogRe(pid int, server string) *regexp.Regexp {
	return regexp.MustCompile(fmt.Sprintf(`^<150>[A-Z][a-z]{2} [ 0-9]\d \d\d:\d\d:\d\d haproxy\[%d\]: 127\.0\.0\.1:\d+ \[\d\d/[A-Z][a-z]{2}/\d{4}:\d\d:\d\d:\d\d\.\d{3}\] main servers/%s \d+/\d+/\d+/\d+/\d+ 200 \d+ - - ---- \d+/\d+/\d+/\d+/0 0/0 "GET / HTTP/1\.1"\n$`, pid, server))
}

// skipOrFail skips a test whose environment is missing, except under
// CI=true where the environment is promised (make deps, root).
func skipOrFail(t *testing.T, why string) {
	t.Helper()
	if os.Getenv("CI") == "true" {
		t.Fatal(why)
	}
	t.Skip(why)
}
