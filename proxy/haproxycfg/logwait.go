package haproxycfg

import (
	"github.com/goha-lb/goha/parser/haproxy"
	"github.com/goha-lb/goha/proxy"
)

// HAProxy 2.6 waits for a stream's end to log it only when its log-format
// holds a tag that needs the end (LW_BYTES in log.c: the byte counts,
// timers, connection counts, termination state); otherwise a tcp-mode
// stream is logged once its server connection is up, as `option logasap`
// does (stream.c, sess_establish), with the samples of the log-format read
// then: what tcp-response rules set later is not in the line (measured:
// TestTCPRuleActionsDifferential).
var logWaitTags = map[string]bool{
	"B": true, "U": true, "ID": true, "Ta": true, "Tc": true, "Th": true, "Ti": true, "Tq": true, "Tr": true, "TR": true,
	"Td": true, "Tt": true, "Tw": true, "ac": true, "bc": true, "bq": true, "fc": true, "rc": true, "sc": true, "sq": true, "ts": true,
}

// logASAP is whether a frontend logs its streams early: option logasap,
// or a tcp-mode one whose log-format has no tag that waits for the end.
func logASAP(px *haproxy.Proxy) bool {
	if px.Options["logasap"] {
		return true
	}
	return mode(px) == proxy.ModeTCP && px.LogFormat != "" && !logFormatWaits(px.LogFormat)
}

// logFormatWaits tells whether format names one of logWaitTags.
func logFormatWaits(format string) bool {
	for i := 0; i < len(format); i++ {
		if format[i] != '%' {
			continue
		}
		i++
		if i < len(format) && format[i] == '{' { // %{+Q}tag
			for i < len(format) && format[i] != '}' {
				i++
			}
			i++
		}
		if i >= len(format) || format[i] == '%' {
			continue
		}
		if format[i] == '[' { // a sample: skip to its ']'
			for i < len(format) && format[i] != ']' {
				i++
			}
			continue
		}
		j := i
		for j < len(format) && (format[j] >= 'a' && format[j] <= 'z' || format[j] >= 'A' && format[j] <= 'Z' || format[j] >= '0' && format[j] <= '9') {
			j++
		}
		if logWaitTags[format[i:j]] {
			return true
		}
		i = j - 1
	}
	return false
}
