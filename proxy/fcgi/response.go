package fcgi

import (
	"bytes"
	"errors"
	"strings"
)

// ErrIncomplete is a response head whose blank line has not come yet;
// ErrHead one HAProxy's parser refuses (a line without a colon, a name
// that is not a token).
var (
	ErrIncomplete = errors.New("fcgi: incomplete response head")
	ErrHead       = errors.New("fcgi: malformed response head")
)

// Head is the head of a FastCGI response (the start of its STDOUT
// stream): CGI header fields and the status they give.
type Head struct {
	Status int
	// Reason is the Status field's reason phrase, "" when it gave none
	// (the caller uses its own table), "OK"/"Found" for the implied ones.
	Reason string
	// Fields are the header fields in order, Status ones left out, as
	// HAProxy's fcgi filter removes them.
	Fields []Param
	// Length: a content-length field; Chunked: a transfer-encoding field
	// naming chunked. Either way the body is read as HTTP/1.1 frames it.
	Length, Chunked bool
	// StatusSize is the size of the Status fields' names and values,
	// which HAProxy counts in the response's HTX size (%B) before its
	// filter removes them.
	StatusSize int
}

// ParseHead parses the head at the start of stdout and returns it with
// its size (blank line included). The status comes as HAProxy 2.6 reads
// a CGI response: a Status field's code, else 302 after a
// Location field (the last of the two wins), else 200 OK.
func ParseHead(stdout []byte) (Head, int, error) {
	var h Head
	p := 0
	for {
		i := bytes.IndexByte(stdout[p:], '\n')
		if i < 0 {
			return h, 0, ErrIncomplete
		}
		line := stdout[p : p+i]
		p += i + 1
		line = bytes.TrimSuffix(line, []byte("\r"))
		if len(line) == 0 {
			break
		}
		c := bytes.IndexByte(line, ':')
		if c <= 0 || !isToken(line[:c]) {
			return h, 0, ErrHead
		}
		name := string(line[:c])
		value := string(bytes.Trim(line[c+1:], " \t"))
		switch strings.ToLower(name) {
		case "status":
			h.Status, h.Reason = statusVal(value)
			h.StatusSize += len(name) + len(value)
			continue
		case "location":
			h.Status, h.Reason = 302, "Moved Temporarily" // 2.6's words (measured)
		case "content-length":
			h.Length = true
		case "transfer-encoding":
			h.Chunked = h.Chunked || strings.Contains(strings.ToLower(value), "chunked")
		}
		h.Fields = append(h.Fields, Param{Name: name, Value: value})
	}
	if h.Status == 0 {
		h.Status, h.Reason = 200, "OK"
	}
	return h, p, nil
}

// statusVal reads "<3 digits>[ <reason>]"; 0 when the code is not three
// digits.
func statusVal(v string) (int, string) {
	code, reason, _ := strings.Cut(v, " ")
	if len(code) != 3 {
		return 0, ""
	}
	n := 0
	for i := 0; i < 3; i++ {
		if code[i] < '0' || code[i] > '9' {
			return 0, ""
		}
		n = n*10 + int(code[i]-'0')
	}
	return n, strings.TrimLeft(reason, " ")
}

func isToken(b []byte) bool {
	for _, c := range b {
		if c <= ' ' || c >= 0x7f || strings.IndexByte("\"(),/:;<=>?@[\\]{}", c) >= 0 {
			return false
		}
	}
	return true
}
