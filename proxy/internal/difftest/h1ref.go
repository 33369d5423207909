package difftest

import (
	"bytes"
	"errors"
	"strconv"
)

// ErrShort means the bytes end inside a message.
var ErrShort = errors.New("difftest: message incomplete")

// RefMessage is one HTTP/1.1 message as the strict reference reads it.
type RefMessage struct {
	Head  []byte // start line and header lines, CR LF ended, empty line included
	Body  []byte // decoded body
	Raw   []byte // the message's bytes as received
	Lines [][]byte
}

// SplitMessages is a deliberately strict, independent reading of HTTP/1.1
// framing (RFC 9112 with no leniency): every line ends in CR LF, header
// names are tokens followed directly by a colon, Content-Length is one
// decimal, Transfer-Encoding is exactly "chunked", chunk sizes are bare
// lower- or upper-case hex with CR LF. It is what a CRLF-strict backend
// reads; a normalising proxy must forward only what it reads the same
// way as the proxy did. isResponse makes a message without framing run
// to the end of b (responses) instead of having no body (requests).
func SplitMessages(b []byte, isResponse bool) ([]RefMessage, []byte, error) {
	var out []RefMessage
	for len(b) > 0 {
		m, n, err := readMessage(b, isResponse)
		if err != nil {
			return out, b, err
		}
		out = append(out, m)
		b = b[n:]
	}
	return out, nil, nil
}

func readMessage(b []byte, isResponse bool) (RefMessage, int, error) {
	var m RefMessage
	end := bytes.Index(b, []byte("\r\n\r\n"))
	if end < 0 {
		return m, 0, ErrShort
	}
	head := b[:end+4]
	m.Head = head
	lines := bytes.Split(head[:end], []byte("\r\n"))
	m.Lines = lines
	for _, l := range lines {
		if bytes.IndexByte(l, '\n') >= 0 || bytes.IndexByte(l, '\r') >= 0 {
			return m, 0, errors.New("bare CR or LF in a line")
		}
	}
	cl, chunked := int64(-1), false
	for _, l := range lines[1:] {
		colon := bytes.IndexByte(l, ':')
		if colon <= 0 {
			return m, 0, errors.New("header line without a name")
		}
		for _, c := range l[:colon] {
			if !isTchar(c) {
				return m, 0, errors.New("invalid header name")
			}
		}
		name := string(bytes.ToLower(l[:colon]))
		val := bytes.Trim(l[colon+1:], " \t")
		switch name {
		case "content-length":
			n, err := strconv.ParseInt(string(val), 10, 64)
			if err != nil || n < 0 || cl >= 0 {
				return m, 0, errors.New("invalid or repeated content-length")
			}
			cl = n
		case "transfer-encoding":
			// Empty list elements are nothing ("chunked," is chunked).
			val = bytes.Trim(bytes.TrimRight(val, ", \t"), " \t")
			if !bytes.EqualFold(val, []byte("chunked")) || chunked {
				return m, 0, errors.New("transfer-encoding other than one chunked")
			}
			chunked = true
		}
	}
	if chunked && cl >= 0 {
		return m, 0, errors.New("both content-length and chunked")
	}
	p := len(head)
	switch {
	case chunked:
		for {
			e := bytes.Index(b[p:], []byte("\r\n"))
			if e < 0 {
				return m, 0, ErrShort
			}
			size, err := strconv.ParseInt(string(b[p:p+e]), 16, 64)
			if err != nil || size < 0 || e == 0 || b[p] == '+' || b[p] == '-' {
				return m, 0, errors.New("invalid chunk size line")
			}
			p += e + 2
			if size == 0 {
				break
			}
			if int64(len(b)-p) < size+2 {
				return m, 0, ErrShort
			}
			m.Body = append(m.Body, b[p:p+int(size)]...)
			p += int(size)
			if string(b[p:p+2]) != "\r\n" {
				return m, 0, errors.New("chunk data not followed by CRLF")
			}
			p += 2
		}
		for { // trailer fields, then the empty line
			e := bytes.Index(b[p:], []byte("\r\n"))
			if e < 0 {
				return m, 0, ErrShort
			}
			l := b[p : p+e]
			p += e + 2
			if e == 0 {
				break
			}
			if c := bytes.IndexByte(l, ':'); c <= 0 || bytes.IndexByte(l, '\n') >= 0 {
				return m, 0, errors.New("invalid trailer line")
			}
		}
	case cl >= 0:
		if int64(len(b)-p) < cl {
			return m, 0, ErrShort
		}
		m.Body = b[p : p+int(cl)]
		p += int(cl)
	case isResponse:
		m.Body = b[p:]
		p = len(b)
	}
	m.Raw = b[:p]
	return m, p, nil
}

func isTchar(c byte) bool {
	switch {
	case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
		return true
	}
	return bytes.IndexByte([]byte("!#$%&'*+-.^_`|~"), c) >= 0
}
