// Package fcgi is the FastCGI record codec goha speaks to `proto fcgi`
// servers: record headers, BEGIN_REQUEST, name-value pairs and
// END_REQUEST, encoded and decoded as HAProxy 2.6's mux_fcgi does (no
// padding sent, padding skipped when read, names of parameters upper
// case with every other character than a letter or digit made '_').
// It does no I/O of its own beyond reading records from an io.Reader.
package fcgi

import (
	"encoding/binary"
	"errors"
	"io"
)

// Record types (FastCGI 1.0 §8).
const (
	TypeBeginRequest    = 1
	TypeAbortRequest    = 2
	TypeEndRequest      = 3
	TypeParams          = 4
	TypeStdin           = 5
	TypeStdout          = 6
	TypeStderr          = 7
	TypeData            = 8
	TypeGetValues       = 9
	TypeGetValuesResult = 10
	TypeUnknownType     = 11
)

// RoleResponder is the only role HAProxy asks for; FlagKeepConn is the
// BEGIN_REQUEST flag of `option keep-conn`.
const (
	RoleResponder = 1
	FlagKeepConn  = 1
)

// HeaderLen is a record header's size; MaxContent the most a record
// carries.
const (
	HeaderLen  = 8
	MaxContent = 65535
)

// ErrVersion is a record of another version than 1; ErrParams a
// name-value pair whose lengths overrun its record.
var (
	ErrVersion = errors.New("fcgi: record version is not 1")
	ErrParams  = errors.New("fcgi: malformed name-value pair")
	ErrEndReq  = errors.New("fcgi: END_REQUEST body is not 8 bytes")
)

// Header is a record header.
type Header struct {
	Type    uint8
	ID      uint16
	Len     uint16 // content length
	Padding uint8
}

// DecodeHeader reads a record header from the first 8 bytes of b.
func DecodeHeader(b []byte) (Header, error) {
	if len(b) < HeaderLen {
		return Header{}, io.ErrUnexpectedEOF
	}
	if b[0] != 1 {
		return Header{}, ErrVersion
	}
	return Header{Type: b[1], ID: binary.BigEndian.Uint16(b[2:]), Len: binary.BigEndian.Uint16(b[4:]), Padding: b[6]}, nil
}

// AppendHeader appends a record header without padding.
func AppendHeader(dst []byte, typ uint8, id uint16, n int) []byte {
	return append(dst, 1, typ, byte(id>>8), byte(id), byte(n>>8), byte(n), 0, 0)
}

// AppendRecords appends content as records of typ, split at MaxContent.
// Empty content gives no record: the empty record that ends a stream is
// AppendHeader(dst, typ, id, 0).
func AppendRecords(dst []byte, typ uint8, id uint16, content []byte) []byte {
	for len(content) > 0 {
		n := min(len(content), MaxContent)
		dst = AppendHeader(dst, typ, id, n)
		dst = append(dst, content[:n]...)
		content = content[n:]
	}
	return dst
}

// AppendBeginRequest appends a BEGIN_REQUEST record for the responder
// role, with FlagKeepConn when keepConn.
func AppendBeginRequest(dst []byte, id uint16, keepConn bool) []byte {
	var flags byte
	if keepConn {
		flags = FlagKeepConn
	}
	dst = AppendHeader(dst, TypeBeginRequest, id, 8)
	return append(dst, 0, RoleResponder, flags, 0, 0, 0, 0, 0)
}

// EndRequest is an END_REQUEST record's body.
type EndRequest struct {
	AppStatus      uint32
	ProtocolStatus uint8
}

// DecodeEndRequest reads an END_REQUEST body.
func DecodeEndRequest(b []byte) (EndRequest, error) {
	if len(b) != 8 {
		return EndRequest{}, ErrEndReq
	}
	return EndRequest{AppStatus: binary.BigEndian.Uint32(b), ProtocolStatus: b[4]}, nil
}

// AppendEndRequest appends an END_REQUEST record (tests play servers).
func AppendEndRequest(dst []byte, id uint16, e EndRequest) []byte {
	dst = AppendHeader(dst, TypeEndRequest, id, 8)
	dst = binary.BigEndian.AppendUint32(dst, e.AppStatus)
	return append(dst, e.ProtocolStatus, 0, 0, 0)
}

// Param is one name-value pair.
type Param struct{ Name, Value string }

// ParamName is name as HAProxy encodes it: letters and digits in upper
// case, every other byte '_'.
func ParamName(name string) string {
	b := make([]byte, len(name))
	for i := 0; i < len(name); i++ {
		c := name[i]
		switch {
		case c >= 'a' && c <= 'z':
			c -= 'a' - 'A'
		case c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
		default:
			c = '_'
		}
		b[i] = c
	}
	return string(b)
}

func appendLen(dst []byte, n int) []byte {
	if n < 128 {
		return append(dst, byte(n))
	}
	return binary.BigEndian.AppendUint32(dst, uint32(n)|0x80000000)
}

// AppendParam appends one name-value pair, name and value as given.
func AppendParam(dst []byte, name, value string) []byte {
	dst = appendLen(dst, len(name))
	dst = appendLen(dst, len(value))
	dst = append(dst, name...)
	return append(dst, value...)
}

func readLen(b []byte) (int, []byte, bool) {
	if len(b) == 0 {
		return 0, b, false
	}
	if b[0]&0x80 == 0 {
		return int(b[0]), b[1:], true
	}
	if len(b) < 4 {
		return 0, b, false
	}
	return int(binary.BigEndian.Uint32(b) & 0x7fffffff), b[4:], true
}

// DecodeParams reads the name-value pairs of a PARAMS (or GET_VALUES)
// stream's content, every pair whole.
func DecodeParams(b []byte) ([]Param, error) {
	var out []Param
	for len(b) > 0 {
		nl, rest, ok := readLen(b)
		if !ok {
			return out, ErrParams
		}
		vl, rest, ok := readLen(rest)
		if !ok || nl > len(rest) || vl > len(rest)-nl {
			return out, ErrParams
		}
		out = append(out, Param{Name: string(rest[:nl]), Value: string(rest[nl : nl+vl])})
		b = rest[nl+vl:]
	}
	return out, nil
}

// Reader reads records from a stream.
type Reader struct {
	r   io.Reader
	hdr [HeaderLen]byte
	buf []byte
}

// NewReader reads records from r.
func NewReader(r io.Reader) *Reader { return &Reader{r: r} }

// Next reads the next record; its content is valid until the next call.
// io.EOF only comes at a record boundary.
func (r *Reader) Next() (Header, []byte, error) {
	if _, err := io.ReadFull(r.r, r.hdr[:]); err != nil {
		return Header{}, nil, err
	}
	h, err := DecodeHeader(r.hdr[:])
	if err != nil {
		return h, nil, err
	}
	n := int(h.Len) + int(h.Padding)
	if cap(r.buf) < n {
		r.buf = make([]byte, n)
	}
	r.buf = r.buf[:n]
	if _, err := io.ReadFull(r.r, r.buf); err != nil {
		if err == io.EOF {
			err = io.ErrUnexpectedEOF
		}
		return h, nil, err
	}
	return h, r.buf[:h.Len], nil
}
