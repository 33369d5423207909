package haproxycfg

import (
	"strings"
	"testing"
)

const payloadConfig = `defaults
    mode tcp
    timeout connect 2s
    timeout client 3s
    timeout server 3s
frontend fe
    bind BIND
    tcp-request inspect-delay 600ms
    tcp-request content reject if { req.payload(0,3) -m bin 787878 }
    tcp-request content accept if { req.payload_lv(0,1) -m bin 616263 }
    tcp-request content accept if { payload_lv(0,2,+1) 6465 }
    tcp-request content accept if { payload_lv(1,1,6) -m bin 5757 }
    tcp-request content accept if { payload(5,0) 717171 } || { req.payload(5,0) -m bin 7171717171 }
    use_backend big if { req.payload(1,2) -m bin 6263 } || { payload(0,0),length gt 20 }
    default_backend small
backend big
    server s1 BIG
backend small
    server s1 SMALL
`

// TestPayloadDifferential: req.payload, payload, req.payload_lv and
// payload_lv (absolute and relative offset2) in tcp-request content
// rules and use_backend beside HAProxy 2.6: what each side answers,
// which server got which bytes, and whether the proxy waited for more
// bytes until the inspect delay ended.
func TestPayloadDifferential(t *testing.T) {
	ha, goha := startBoth(t, strings.NewReplacer("BIG", tcpNamed(t, "big"), "SMALL", tcpNamed(t, "small")).Replace(payloadConfig))
	cases := [][]string{
		{"xxxy"},
		{"\x03abcQ"},
		{"\x00\x02Zde"},
		{"abcdef"},
		{"a"},
		{"ab", "cx"},
		{"\x00\x02", "WWxxxxWW"},
		{"\x00\x00\x00\x00\x00qqq"},
		{"\x00\x00\x00\x00\x00qq", "q"},
		{"\x02" + strings.Repeat("z", 30)},
		{"\x00\x00"},
	}
	samePartsAnswers(t, ha, goha, cases, namedAnswer)
}
