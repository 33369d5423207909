package haproxycmd

import "testing"

// TestStreamFetchLogsMatchHAProxy: cur_server_timeout, cur_tunnel_timeout,
// cpu_calls and the cpu_ns/lat_ns figures in log-format lines, against
// HAProxy 2.6's lines: a served request, one denied before any server
// (no timeout in force yet, one call). A request whose server refuses
// every attempt is left out: HAProxy's stream is woken 8 or 9 times for
// its retries depending on timing (both measured under load), so its
// cpu_calls cannot be compared line for line; TestStreamFigures covers it.
func TestStreamFetchLogsMatchHAProxy(t *testing.T) {
	reqs := []string{
		"GET /a HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n",
		"GET /deny HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n",
	}
	extra := "    http-request deny if { path /deny }\n    use_backend dead if { path /dead }\n"
	formats := []string{"%ST %[cur_server_timeout] %[cur_tunnel_timeout] %[cpu_calls] %[cpu_ns_avg] %[cpu_ns_tot] %[lat_ns_avg] %[lat_ns_tot]"}
	compareFormatLogs(t, extra, formats, reqs, nil)
}
