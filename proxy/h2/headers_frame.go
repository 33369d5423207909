package h2

import (
	"io"

	"golang.org/x/net/http2"
)

// A client's HEADERS frame is parsed here rather than by x/net's framer,
// which allocates a HeadersFrame for each one: the framer has read and
// checked the frame header (its size, and that it is no frame in the
// middle of another stream's header block), and the payload is read into
// the connection's own buffer. The checks and errors are those of x/net's
// parseHeadersFrame (TestReadHeadersMatchesFramer compares the two); the
// CONTINUATION frames still come through the framer.

// readHeaders reads the payload of the HEADERS frame fh and decodes the
// header block it begins (headerDecoder.read).
func (c *Conn) readHeaders(fh http2.FrameHeader) (*headerBlock, error) {
	n := int(fh.Length)
	if cap(c.hpay) < n {
		c.hpay = make([]byte, n)
	}
	p := c.hpay[:n]
	if _, err := io.ReadFull(c.br, p); err != nil {
		return nil, err
	}
	frag, err := headersFragment(fh, p)
	if err != nil {
		return nil, err
	}
	return c.hdec.readBlock(c.fr, fh.StreamID, fh.Flags.Has(http2.FlagHeadersEndStream), frag, fh.Flags.Has(http2.FlagHeadersEndHeaders))
}

// headersFragment is the header block fragment of a HEADERS payload p:
// without its padding and priority fields.
func headersFragment(fh http2.FrameHeader, p []byte) ([]byte, error) {
	if fh.StreamID == 0 {
		return nil, http2.ConnectionError(http2.ErrCodeProtocol)
	}
	pad := 0
	if fh.Flags.Has(http2.FlagHeadersPadded) {
		if len(p) < 1 {
			return nil, io.ErrUnexpectedEOF
		}
		pad, p = int(p[0]), p[1:]
	}
	if fh.Flags.Has(http2.FlagHeadersPriority) {
		if len(p) < 5 { // stream dependency and weight
			return nil, io.ErrUnexpectedEOF
		}
		p = p[5:]
	}
	if len(p) < pad {
		return nil, http2.StreamError{StreamID: fh.StreamID, Code: http2.ErrCodeProtocol}
	}
	return p[:len(p)-pad], nil
}
