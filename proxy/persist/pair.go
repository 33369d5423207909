package persist

import "github.com/goha-lb/goha/proxy/internal/quoted"

// The name=value pairs of Cookie and Set-Cookie2 headers, read and
// tidied in place the way HAProxy 2.6's cookie parsers do (the request's
// Cookie and the response's Set-Cookie2 share both steps).

// scanPair reads the pair that starts at prev in h[:end] (past its
// separator unless it is the first): the name without the spaces around
// it, the '=' (equal == next when there is none) and the value without
// the spaces around it. next is where the pair ends.
func scanPair(h []byte, prev, end int, first bool) (attBeg, attEnd, equal, valBeg, valEnd, next int) {
	attBeg = prev
	if !first {
		attBeg++
	}
	for attBeg < end && isSPHT(h[attBeg]) {
		attBeg++
	}
	equal, attEnd = attBeg, attBeg
	for equal < end {
		ch := h[equal]
		if ch == '=' || ch == ',' || ch == ';' {
			break
		}
		equal++
		if !isSPHT(ch) {
			attEnd = equal
		}
	}
	if equal < end && h[equal] == '=' {
		valBeg = equal + 1
		for valBeg < end && isSPHT(h[valBeg]) {
			valBeg++
		}
		next = quoted.End(h, valBeg, end, true)
		valEnd = next
		for valEnd > valBeg && isSPHT(h[valEnd-1]) {
			valEnd--
		}
		return
	}
	return attBeg, attEnd, equal, equal, equal, equal
}

// squeezeEqual drops the spaces before and after a pair's '=' in place,
// moving the rest of h[:end] left (HAProxy does it to every cookie it
// reads), and returns the value, next and end offsets as the move left
// them.
func squeezeEqual(h []byte, attEnd, equal, valBeg, valEnd, next, end int) (int, int, int, int) {
	shift := 0
	if attEnd != equal {
		copy(h[attEnd:], h[equal:end])
		shift = attEnd - equal
		equal += shift
		valBeg += shift
	}
	if valBeg > equal+1 {
		copy(h[equal+1:], h[valBeg:end+shift])
		d := equal + 1 - valBeg
		valBeg += d
		shift += d
	}
	return valBeg, valEnd + shift, next + shift, end + shift
}
