package h2

import (
	"bytes"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"golang.org/x/net/http2"
	"golang.org/x/net/http2/hpack"
)

// verdict is what a header block decoder made of one block: the fields,
// the truncation mark, and the error (its kind and code), comparable
// between x/net's ReadMetaHeaders and headerDecoder.
type verdict struct {
	Fields    []hpack.HeaderField
	Truncated bool
	Block     bool // the block came back (with the error or not)
	Err       string
}

func errKind(err error) string {
	switch e := err.(type) {
	case nil:
		return ""
	case http2.ConnectionError:
		return fmt.Sprintf("conn %v", http2.ErrCode(e))
	case http2.StreamError:
		return fmt.Sprintf("stream %d %v", e.StreamID, e.Code)
	}
	return "other"
}

// decodeBoth reads every header block of the frames in raw with x/net's
// ReadMetaHeaders and with headerDecoder, one verdict per block each.
func decodeBoth(raw []byte) (xnet, ours []verdict) {
	ref := http2.NewFramer(nil, bytes.NewReader(raw))
	ref.ReadMetaHeaders = hpack.NewDecoder(4096, nil)
	ref.MaxHeaderListSize = maxHeaderList
	for {
		f, err := ref.ReadFrame()
		mh, _ := f.(*http2.MetaHeadersFrame)
		if mh == nil && err != nil && errKind(err) == "other" {
			break // the end of raw (or a frame the framer refuses)
		}
		v := verdict{Err: errKind(err), Block: mh != nil}
		if mh != nil {
			v.Fields, v.Truncated = append([]hpack.HeaderField(nil), mh.Fields...), mh.Truncated
		}
		xnet = append(xnet, v)
		if _, conn := err.(http2.ConnectionError); conn {
			break
		}
	}
	fr := http2.NewFramer(nil, bytes.NewReader(raw))
	d := newHeaderDecoder(4096)
	for {
		f, err := fr.ReadFrame()
		var hb *headerBlock
		if hf, ok := f.(*http2.HeadersFrame); ok && err == nil {
			hb, err = d.read(fr, hf)
		}
		if hb == nil && err != nil && errKind(err) == "other" {
			break
		}
		v := verdict{Err: errKind(err), Block: hb != nil}
		if hb != nil {
			v.Fields, v.Truncated = append([]hpack.HeaderField(nil), hb.Fields...), hb.Truncated
		}
		ours = append(ours, v)
		if _, conn := err.(http2.ConnectionError); conn {
			break
		}
	}
	return xnet, ours
}

// TestHeaderDecoderMatchesReadMetaHeaders: for valid and malformed
// header blocks, one after another on a connection (the HPACK table and
// the decoder's reused state carry over), headerDecoder gives x/net's
// verdict: same fields, truncation, error kind and code.
func TestHeaderDecoderMatchesReadMetaHeaders(t *testing.T) {
	get := func(extra ...string) []byte {
		return block(append([]string{":method", "GET", ":scheme", "https", ":path", "/", ":authority", "x"}, extra...)...)
	}
	big := func(n int) []string {
		var kv []string
		for i := range n {
			kv = append(kv, fmt.Sprintf("x-%d", i), strings.Repeat("v", 1000))
		}
		return kv
	}
	headers := func(fr *http2.Framer, id uint32, b []byte, end bool) {
		fr.WriteHeaders(http2.HeadersFrameParam{StreamID: id, BlockFragment: b, EndStream: end, EndHeaders: true})
	}
	for _, tc := range []struct {
		name  string
		write func(fr *http2.Framer)
	}{
		{"valid then reused", func(fr *http2.Framer) {
			headers(fr, 1, get("user-agent", "a", "cookie", "c=1"), true)
			headers(fr, 3, get("user-agent", "a", "cookie", "c=1"), true)
		}},
		{"continuation", func(fr *http2.Framer) {
			fr.WriteHeaders(http2.HeadersFrameParam{StreamID: 1, BlockFragment: get("a", "1"), EndStream: true})
			fr.WriteContinuation(1, false, block("b", "2"))
			fr.WriteContinuation(1, true, block("c", "3"))
			headers(fr, 3, get("d", "4"), true)
		}},
		{"pseudo after regular", func(fr *http2.Framer) {
			headers(fr, 1, block(":method", "GET", "a", "1", ":path", "/"), true)
			headers(fr, 3, get(), true)
		}},
		{"duplicate pseudo", func(fr *http2.Framer) { headers(fr, 1, get(":path", "/x"), true) }},
		{"unknown pseudo", func(fr *http2.Framer) {
			headers(fr, 1, block(":method", "GET", ":foo", "1"), true)
			headers(fr, 3, get(), true)
		}},
		{"request and status", func(fr *http2.Framer) { headers(fr, 1, block(":status", "200", ":method", "GET"), true) }},
		{"response", func(fr *http2.Framer) { headers(fr, 2, block(":status", "200", "server", "x"), true) }},
		{"upper-case name", func(fr *http2.Framer) {
			headers(fr, 1, get("X-Up", "1"), true)
			headers(fr, 3, get("x-up", "1"), true)
		}},
		{"empty name", func(fr *http2.Framer) { headers(fr, 1, get("", "1"), true) }},
		{"space in name", func(fr *http2.Framer) { headers(fr, 1, get("a b", "1"), true) }},
		{"LF in value", func(fr *http2.Framer) { headers(fr, 1, get("a", "1\n2"), true) }},
		{"NUL in value", func(fr *http2.Framer) { headers(fr, 1, get("a", "1\x002"), true) }},
		{"list past the limit", func(fr *http2.Framer) {
			headers(fr, 1, get(big(15)...), true)
			headers(fr, 3, get(), true)
		}},
		{"continuation after the limit", func(fr *http2.Framer) {
			fr.WriteHeaders(http2.HeadersFrameParam{StreamID: 1, BlockFragment: get(big(15)...), EndStream: true})
			fr.WriteContinuation(1, true, block("b", "2"))
		}},
		{"continuation after an invalid field", func(fr *http2.Framer) {
			fr.WriteHeaders(http2.HeadersFrameParam{StreamID: 1, BlockFragment: get("A", "1"), EndStream: true})
			fr.WriteContinuation(1, true, block("b", "2"))
		}},
		{"trailer announcing many", func(fr *http2.Framer) {
			headers(fr, 1, get("trailer", strings.Repeat("a,", 600)+"b"), false)
			headers(fr, 1, block("a", "1"), true)
		}},
		{"bad index", func(fr *http2.Framer) { headers(fr, 1, []byte{0xff, 0x7f}, true) }},
		{"cut block", func(fr *http2.Framer) { headers(fr, 1, get("a", "1")[:12], true) }},
		{"string past the limit", func(fr *http2.Framer) {
			b := get("a", strings.Repeat("v", maxHeaderList+10))
			fr.WriteHeaders(http2.HeadersFrameParam{StreamID: 1, BlockFragment: b[:len(b)/2], EndStream: true})
			fr.WriteContinuation(1, true, b[len(b)/2:])
		}},
		{"padded with priority", func(fr *http2.Framer) {
			fr.WriteHeaders(http2.HeadersFrameParam{StreamID: 1, BlockFragment: get("a", "1"), EndStream: true, EndHeaders: true,
				PadLength: 5, Priority: http2.PriorityParam{StreamDep: 0, Weight: 3}})
		}},
		{"interleaved frame", func(fr *http2.Framer) {
			fr.WriteHeaders(http2.HeadersFrameParam{StreamID: 1, BlockFragment: get(), EndStream: true})
			fr.WritePing(false, [8]byte{})
		}},
	} {
		var raw bytes.Buffer
		tc.write(http2.NewFramer(&raw, nil))
		want, got := decodeBoth(raw.Bytes())
		if len(want) == 0 {
			t.Errorf("%s: x/net read no block", tc.name)
		}
		if !reflect.DeepEqual(want, got) {
			t.Errorf("%s:\nx/net %+v\ngoha  %+v", tc.name, want, got)
		}
	}
}

// FuzzHeaderDecoder: whatever the frames, headerDecoder and x/net's
// ReadMetaHeaders agree.
func FuzzHeaderDecoder(f *testing.F) {
	var seed bytes.Buffer
	fr := http2.NewFramer(&seed, nil)
	fr.WriteHeaders(http2.HeadersFrameParam{StreamID: 1, BlockFragment: block(":method", "GET", ":path", "/", "a", "b"), EndStream: true})
	fr.WriteContinuation(1, true, block("trailer", "x, y"))
	fr.WriteHeaders(http2.HeadersFrameParam{StreamID: 3, BlockFragment: block(":status", "200", "A", "b"), EndHeaders: true})
	f.Add(seed.Bytes())
	f.Fuzz(func(t *testing.T, raw []byte) {
		want, got := decodeBoth(raw)
		if !reflect.DeepEqual(want, got) {
			t.Errorf("x/net %+v\ngoha  %+v", want, got)
		}
	})
}
