package http1

import "bytes"

// The header parser as it was before its fast path (head.go), kept to
// compare the two on any input (FuzzParseHeadersMatchesOld).

// parseHeaders parses header lines from p up to and including the empty
// line. Folded continuation lines (obs-fold) are unfolded in place by
// replacing the CR LF with spaces, which is what HAProxy 2.6 does. lax is
// accept-invalid-http-request/-response: a header name may hold any byte
// but the colon (a leading blank on the first line included), as long as
// it is not empty and does not start with CR.
func oldParseHeaders(buf []byte, p int, hs []Header, lax bool, slots int) ([]Header, int, error) {
	for {
		if p >= len(buf) {
			return hs, 0, ErrIncomplete
		}
		start := p
		// Find the end of this logical line, unfolding continuations.
		var end, next int
		for q := p; ; {
			i := bytes.IndexByte(buf[q:], '\n') // vectorised: most of a head is this scan
			if i < 0 {
				return hs, 0, ErrIncomplete
			}
			i += q
			end, next = i, i+1
			if end > start && buf[end-1] == '\r' {
				end--
			}
			if end == start { // empty line: end of head
				return hs, next, nil
			}
			if next == len(buf) {
				if q == start && !startsHeaderLine(buf[start:end], lax) {
					return hs, 0, badAt("invalid header line", buf[start+nameErrAt(buf[start:end]):], StateHdrName)
				}
				return hs, 0, ErrIncomplete // cannot tell yet whether the next line folds
			}
			if c := buf[next]; c != ' ' && c != '\t' {
				break
			}
			for k := end; k < next; k++ {
				buf[k] = ' '
			}
			q = next
		}
		line := buf[start:end]
		if !lax && (line[0] == ' ' || line[0] == '\t') {
			return hs, 0, badAt("folded line before any header", line, StateHdrName)
		}
		colon := -1
		if lax {
			colon = bytes.IndexByte(line, ':')
			if line[0] == '\r' {
				colon = -1 // HAProxy reads a CR there as the end of the head
			}
		} else {
			for i, c := range line {
				if c == ':' {
					colon = i
					break
				}
				if !isToken[c] {
					return hs, 0, badAt("invalid character in header name", line[i:], StateHdrName)
				}
			}
		}
		if colon <= 0 {
			return hs, 0, badAt("header line without a valid name", line[max(colon, 0):], StateHdrName)
		}
		if colon > maxNameLen {
			return hs, 0, bad("header name too long")
		}
		val := trimOWS(line[colon+1:])
		// HAProxy 2.6 passes other control bytes in values; NUL and a
		// bare CR are refused here because they split headers in
		// downstream parsers. (A value holds no LF: lines end there.)
		if bytes.IndexByte(val, 0) >= 0 || bytes.IndexByte(val, '\r') >= 0 || bytes.IndexByte(val, '\n') >= 0 {
			i := bytes.IndexAny(val, "\x00\r\n") // refused: where
			if val[i] == 0 {
				return hs, 0, badAt("NUL or CR in header value", val[i:], StateHdrVal)
			}
			return hs, 0, badAt("NUL or CR in header value", val[i+1:], StateHdrL2LF)
		}
		if !EqualFold(line[:colon], "connection") || !oldOnlyHopTokens(val) {
			if slots--; slots < 0 {
				return hs, 0, bad("too many headers")
			}
		}
		hs = append(hs, Header{Name: line[:colon], Value: val})
		p = next
	}
}

// analyze fills f from the headers and normalises them in place: duplicate
// identical Content-Length values are merged into one header, and
// Content-Length is removed when Transfer-Encoding is present. isRequest
// selects the request-only checks.
func oldAnalyze(hs []Header, f *Framing, minor int, isRequest bool) ([]Header, error) {
	*f = Framing{ContentLength: -1}
	clIdx, teSeen := -1, false
	chunkedCount, otherCoding, chunkedLast := 0, false, false
	out := hs[:0]
	for _, h := range hs {
		switch {
		case EqualFold(h.Name, "content-length"):
			var first []byte
			var err error
			forEachElement(h.Value, func(tok []byte, _ bool) {
				n, ok := parseDecimal(tok) // an empty element is invalid too
				switch {
				case err != nil:
				case !ok:
					err = badAt("invalid content-length", h.Value, StateHdrL2LWS)
				case f.ContentLength >= 0 && n != f.ContentLength:
					err = badAt("conflicting content-length", h.Value, StateHdrL2LWS)
				default:
					f.ContentLength = n
					if first == nil {
						first = tok
					}
				}
			})
			if err != nil {
				return hs, err
			}
			if first == nil {
				return hs, badAt("empty content-length", h.Value, StateHdrL2LWS)
			}
			if clIdx >= 0 {
				continue // identical duplicate: keep the first header only
			}
			h.Value = first
			clIdx = len(out)
		case EqualFold(h.Name, "transfer-encoding"):
			teSeen = true
			forEachElement(h.Value, func(tok []byte, last bool) {
				if len(tok) == 0 && last {
					return // "chunked," is "chunked" for HAProxy
				}
				if EqualFold(tok, "chunked") {
					chunkedCount++
					chunkedLast = true
				} else {
					otherCoding = true
					chunkedLast = false
				}
			})
		case EqualFold(h.Name, "connection"):
			forEachToken(h.Value, func(tok []byte) {
				switch {
				case EqualFold(tok, "close"):
					f.ConnClose = true
				case EqualFold(tok, "keep-alive"):
					f.ConnKeepAlive = true
				case EqualFold(tok, "upgrade"):
					f.ConnUpgrade = true
				}
			})
		case EqualFold(h.Name, "upgrade"):
			f.Upgrade = h.Value
		}
		out = append(out, h)
	}
	if teSeen {
		// HAProxy 2.6 takes "chunked" alone, in requests and responses
		// alike (a response with "gzip" or "gzip, chunked" is a 502).
		if chunkedCount > 1 || !chunkedLast {
			return out, bad("invalid transfer-encoding")
		}
		if otherCoding {
			return out, &Error{Status: 422, Msg: "unsupported transfer-coding"}
		}
		f.Chunked = chunkedCount == 1 && chunkedLast
		if clIdx >= 0 {
			out = append(out[:clIdx], out[clIdx+1:]...)
			f.ContentLength = -1
			f.CLWithTE = true
		}
	}
	_ = minor
	return out, nil
}

func oldMergeHosts(hs []Header) ([]Header, error) {
	first := -1
	out := hs[:0]
	for i, h := range hs {
		if EqualFold(h.Name, "host") {
			if first >= 0 {
				if !equalFoldBytes(h.Value, out[first].Value) {
					return hs, badAt("different Host headers", h.Value, StateHdrL2LWS)
				}
				continue
			}
			first = len(out)
		}
		out = append(out, hs[i])
	}
	return out, nil
}

// OnlyHopTokens reports whether a Connection value holds nothing but
// close and keep-alive tokens: HAProxy's H1 parser takes such a field
// out of the head (it stores no field and no HTX block for it).
func oldOnlyHopTokens(v []byte) bool {
	for len(v) > 0 {
		tok := v
		if i := bytes.IndexByte(v, ','); i >= 0 {
			tok, v = v[:i], v[i+1:]
		} else {
			v = nil
		}
		tok = bytes.Trim(tok, " \t")
		if len(tok) > 0 && !EqualFold(tok, "close") && !EqualFold(tok, "keep-alive") {
			return false
		}
	}
	return true
}
