package h2

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"testing"

	"golang.org/x/net/http2"
)

// framerHeaders is what x/net's framer makes of one raw frame: the
// fragment of a HEADERS frame, or its error.
func framerHeaders(raw []byte) ([]byte, error) {
	fr := http2.NewFramer(nil, bytes.NewReader(raw))
	f, err := fr.ReadFrame()
	if err != nil {
		return nil, err
	}
	return f.(*http2.HeadersFrame).HeaderBlockFragment(), nil
}

// ownHeaders is readHeaders' parse of the same frame.
func ownHeaders(raw []byte) ([]byte, error) {
	fr := http2.NewFramer(nil, bytes.NewReader(raw))
	fh, err := fr.ReadFrameHeader()
	if err != nil {
		return nil, err
	}
	return headersFragment(fh, raw[9:9+fh.Length])
}

func headersFrame(flags http2.Flags, id uint32, payload []byte) []byte {
	raw := make([]byte, 9, 9+len(payload))
	raw[0], raw[1], raw[2] = byte(len(payload)>>16), byte(len(payload)>>8), byte(len(payload))
	raw[3], raw[4] = byte(http2.FrameHeaders), byte(flags)
	binary.BigEndian.PutUint32(raw[5:], id)
	return append(raw, payload...)
}

func sameHeaders(t *testing.T, raw []byte) {
	t.Helper()
	want, werr := framerHeaders(raw)
	got, gerr := ownHeaders(raw)
	if fmt.Sprint(werr) != fmt.Sprint(gerr) || fmt.Sprintf("%T", werr) != fmt.Sprintf("%T", gerr) || !bytes.Equal(want, got) {
		t.Fatalf("frame %x: framer %q %v (%T), readHeaders %q %v (%T)", raw, want, werr, werr, got, gerr, gerr)
	}
}

// TestReadHeadersMatchesFramer: the HEADERS frames the connection parses
// itself give the fragment and the error x/net's framer gives.
func TestReadHeadersMatchesFramer(t *testing.T) {
	blk := block(":method", "GET", ":path", "/")
	const p, pr, es, eh = http2.FlagHeadersPadded, http2.FlagHeadersPriority, http2.FlagHeadersEndStream, http2.FlagHeadersEndHeaders
	for _, raw := range [][]byte{
		headersFrame(eh|es, 1, blk),
		headersFrame(0, 3, blk),
		headersFrame(eh, 0, blk), // stream 0
		headersFrame(eh|p, 1, append([]byte{3}, append(blk, 0, 0, 0)...)), // padded
		headersFrame(eh|p, 1, []byte{}),                                   // no pad length
		headersFrame(eh|p, 1, []byte{9, 1, 2}),                            // padding past the end
		headersFrame(eh|p, 1, []byte{2, 0, 0}),                            // all padding
		headersFrame(eh|pr, 1, append([]byte{0x80, 0, 0, 1, 15}, blk...)),
		headersFrame(eh|pr, 1, []byte{0, 0, 0}),    // short priority
		headersFrame(eh|pr, 1, []byte{0, 0, 0, 1}), // no weight
		headersFrame(eh|pr|p, 1, []byte{1, 0, 0, 0, 1, 15, 0x82, 0}),
		headersFrame(eh|pr|p, 1, []byte{7, 0, 0, 0, 1, 15, 0x82}), // padding past the priority
		headersFrame(eh, 1, nil),
	} {
		sameHeaders(t, raw)
	}
}

// FuzzReadHeaders compares readHeaders' parse with x/net's framer on
// any HEADERS payload, flags and stream.
func FuzzReadHeaders(f *testing.F) {
	f.Add(byte(0x4|0x1), uint32(1), block(":method", "GET"))
	f.Add(byte(0x8|0x20), uint32(1), []byte{1, 0, 0, 0, 1, 15, 0x82, 0})
	f.Add(byte(0x8), uint32(0), []byte{})
	f.Fuzz(func(t *testing.T, flags byte, id uint32, payload []byte) {
		if len(payload) > 16384 {
			return
		}
		sameHeaders(t, headersFrame(http2.Flags(flags), id&0x7fffffff, payload))
	})
}
