package keepalived

import (
	"math"
	"net/netip"
	"strconv"
	"strings"
)

// Health-checker blocks of a real_server (TCP_CHECK, HTTP_GET, ...):
// keepalived 2.2.7's messages for refused values and for checkers it drops
// at their closing brace. gokeepalived runs none of them (IPVS is not
// supported); they are only linted.

// healthCheck lints one checker block c of real server rs. It reports false
// when keepalived stops parsing (a missing parameter).
func (t *typer) healthCheck(c *Node, vs *VirtualServer, rs *RealServer) bool {
	kind := c.Name()
	var urls, paths int
	var minReply, maxReply int64 = -1, -1
	hasMiscPath, hasTrackFile, hasName := false, false, false
	for _, k := range c.Children {
		if t.aborted {
			return false
		}
		if t.checkerCommon(k) {
			continue
		}
		switch k.Name() {
		case "url":
			urls++
			if t.httpURL(k) {
				paths++
			}
		case "nb_get_retry":
			t.add(k.Pos, ClassDeprecated, "use `retry`", "nb_get_retry is deprecated - please use 'retry'")
		case "http_protocol":
			if !t.need(k, 1) {
				return false
			}
			switch k.Arg(0) {
			case "1.0", "1.1", "1.0C", "1.0c":
			default:
				t.errorf(k.Pos, "Invalid http_protocol version %s", k.Arg(0))
			}
		case "enable_sni", "fast_recovery":
			t.optionalBool(k)
		case "payload", "require_reply":
			what := "payload"
			if k.Name() == "require_reply" {
				what = "reply"
			}
			if !validHexString(strings.Join(argsText(k), " ")) {
				t.errorf(k.Pos, "Invalid hex string for UDP_CHECK %s", what)
			}
		case "min_reply_length", "max_reply_length":
			if !t.need(k, 1) {
				return false
			}
			v, msg := readUnsigned(k.Arg(0), 0, 65535)
			if msg != "" {
				t.number(k.Pos, msg)
				t.errorf(k.Pos, "UDP_CHECK %s length %s not valid - must be between 0 & 65535", strings.TrimSuffix(k.Name(), "_reply_length"), k.Arg(0))
				continue
			}
			if k.Name() == "min_reply_length" {
				minReply = int64(v)
			} else {
				maxReply = int64(v)
			}
		case "type":
			if !t.need(k, 1) {
				return false
			}
			switch strings.ToUpper(k.Arg(0)) {
			case "A", "NS", "CNAME", "SOA", "MX", "TXT", "AAAA":
			default:
				t.errorf(k.Pos, "Unknown DNS check type %s - ignoring", k.Arg(0))
			}
		case "name":
			if !t.need(k, 1) {
				return false
			}
			hasName = true
		case "misc_path":
			hasMiscPath = true
		case "misc_timeout":
			if !t.need(k, 1) {
				return false
			}
			if _, msg := readUnsigned(k.Arg(0), 0, math.MaxUint32); msg != "" {
				t.number(k.Pos, msg)
				t.errorf(k.Pos, "Invalid misc_timeout value '%s'", k.Arg(0))
			}
		case "track_file":
			hasTrackFile = true
		case "helo_name":
			if len(k.Args) == 0 {
				t.errorf(k.Pos, "SMTP_CHECK helo name missing")
			}
		case "host":
			// an SMTP host carries its own connection settings
			for _, h := range k.Children {
				t.checkerCommon(h)
				if t.aborted {
					return false
				}
			}
		}
	}
	if t.aborted {
		return false
	}
	end := c.End
	if end.Line == 0 {
		end = c.Pos
	}
	switch kind {
	case "HTTP_GET", "SSL_GET":
		if paths == 0 {
			t.errorf(end, "HTTP/SSL_GET checker has no urls specified - ignoring")
		}
	case "UDP_CHECK":
		if minReply >= 0 && maxReply >= 0 && minReply > maxReply {
			t.errorf(end, "UDP_CHECK min_reply length %d > max_reply_length %d - will always fail", minReply, maxReply)
		}
	case "MISC_CHECK":
		if !hasMiscPath {
			t.errorf(end, "No script path has been specified for MISC_CHECKER - skipping")
		}
	case "FILE_CHECK":
		if !hasTrackFile {
			t.errorf(end, "FILE_CHECK has no track_file specified - ignoring")
		}
	case "BFD_CHECK":
		if !hasName {
			t.errorf(end, "(%s) No name has been specified for BFD_CHECKER - skipping", vs.rsName(rs))
		}
	}
	return true
}

// checkerCommon lints the keywords every checker shares (connection and
// timing); it reports whether k was one of them.
func (t *typer) checkerCommon(k *Node) bool {
	switch name := k.Name(); name {
	case "connect_timeout":
		t.checkTimer(k, timerKeyword{1, timerMaxUint, "connect_timeout %s invalid - ignoring"})
	case "delay_loop":
		t.checkTimer(k, timerKeyword{1, timerMax, "delay_loop '%s' is invalid - ignoring"})
	case "delay_before_retry", "warmup":
		t.checkTimer(k, timerKeyword{0, timerMax, ""})
	case "connect_port", "bind_port":
		if t.need(k, 1) {
			if _, msg := readUnsigned(k.Arg(0), 1, 65535); msg != "" {
				t.number(k.Pos, msg)
				t.errorf(k.Pos, "Invalid checker %s '%s'", name, k.Arg(0))
			}
		}
	case "retry", "fwmark":
		if t.need(k, 1) {
			if _, msg := readUnsigned(k.Arg(0), 0, math.MaxUint32); msg != "" {
				t.number(k.Pos, msg)
				t.errorf(k.Pos, "Invalid %s connection value '%s'", name, k.Arg(0))
			}
		}
	case "connect_ip", "bindto":
		if t.need(k, 1) {
			if _, err := netip.ParseAddr(k.Arg(0)); err != nil {
				t.errorf(k.Pos, "Invalid %s address %s - ignoring", name, k.Arg(0))
			}
		}
	case "bind_if":
		t.need(k, 1)
	case "alpha", "log_all_failures":
		t.optionalBool(k)
	default:
		return false
	}
	return true
}

// optionalBool: a flag keyword with an optional on/off word.
func (t *typer) optionalBool(k *Node) {
	if len(k.Args) > 0 && readBool(k.Arg(0)) < 0 {
		t.errorf(k.Pos, "Invalid %s parameter %s", k.Name(), k.Arg(0))
	}
}

// httpURL lints a url block; it reports whether the url is kept (it has a
// path).
func (t *typer) httpURL(u *Node) bool {
	hasPath := false
	for _, k := range u.Children {
		if t.aborted {
			return false
		}
		switch k.Name() {
		case "path":
			if t.need(k, 1) {
				hasPath = true
			}
		case "status_code":
			if t.need(k, 1) && !validStatusCodes(k.Arg(0)) {
				t.errorf(k.Pos, "Invalid HTTP_GET status code '%s'", k.Arg(0))
			}
		case "digest":
			if !t.need(k, 1) {
				return false
			}
			d := k.Arg(0)
			if len(d) != 32 {
				t.errorf(k.Pos, "digest '%s' character length should be 32 rather than %d", d, len(d))
				continue
			}
			for i := 0; i < len(d); i += 2 {
				if !isHex(d[i]) || !isHex(d[i+1]) {
					t.errorf(k.Pos, "Unable to interpret hex digit in '%s' at offset %d/%d", d, i, i+1)
					break
				}
			}
		}
	}
	if t.aborted {
		return false
	}
	if !hasPath {
		end := u.End
		if end.Line == 0 {
			end = u.Pos
		}
		t.errorf(end, "HTTP/SSL_GET checker url has no path - ignoring")
	}
	return hasPath
}

// validStatusCodes: "N" or "N-M", HTTP codes 100..599, N <= M.
func validStatusCodes(s string) bool {
	lo, hi, isRange := strings.Cut(s, "-")
	if !isRange {
		hi = lo
	}
	a, err1 := strconv.Atoi(lo)
	b, err2 := strconv.Atoi(hi)
	return err1 == nil && err2 == nil && a >= 100 && b <= 599 && a <= b
}

func isHex(c byte) bool {
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')
}

// validHexString mirrors read_hex_str: hex digits, blanks between bytes,
// at least one byte.
func validHexString(s string) bool {
	n := 0
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == ' ' || c == '\t':
		case isHex(c):
			n++
		default:
			return false
		}
	}
	return n > 0
}
