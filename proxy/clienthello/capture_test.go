package clienthello

import (
	"bytes"
	"testing"
)

// hello builds a ClientHello message: version 0x0303, a zero random, an
// empty session id, the given suites, no compression, then exts (raw
// extension bytes; nil: no extension block).
func hello(suites []byte, exts []byte) []byte {
	b := []byte{3, 3}
	b = append(b, make([]byte, 32)...)
	b = append(b, 0, byte(len(suites)>>8), byte(len(suites)))
	b = append(b, suites...)
	b = append(b, 1, 0)
	if exts != nil {
		b = append(b, byte(len(exts)>>8), byte(len(exts)))
		b = append(b, exts...)
	}
	return append([]byte{1, 0, byte(len(b) >> 8), byte(len(b))}, b...)
}

func TestParseCapture(t *testing.T) {
	suites := []byte{0x0a, 0x0a, 0x13, 0x01, 0xc0, 0x2b}
	exts := []byte{
		0x1a, 0x1a, 0, 0, // GREASE, empty
		0, 10, 0, 6, 0, 4, 0x2a, 0x2a, 0, 0x1d, // supported_groups
		0, 11, 0, 2, 1, 0, // ec_point_formats
		0, 23, 0, 0, // empty and last: HAProxy's walk stops before it
	}
	for _, c := range []struct {
		name                       string
		size                       int
		msg                        []byte
		nil_                       bool
		ciphers, ext, groups, fmts []byte
	}{
		{"off", 0, hello(suites, exts), true, nil, nil, nil, nil},
		{"whole", 512, hello(suites, exts), false, suites, []byte{0x1a, 0x1a, 0, 10, 0, 11}, []byte{0x2a, 0x2a, 0, 0x1d}, []byte{0}},
		{"cut", 11, hello(suites, exts), false, suites, []byte{0x1a, 0x1a, 0, 10}, []byte{0x2a}, []byte{}},
		{"cut ciphers", 4, hello(suites, exts), false, suites[:4], nil, nil, nil},
		{"no extensions", 512, hello(suites, nil), false, suites, nil, nil, nil},
		{"short", 512, hello(suites, exts)[:20], true, nil, nil, nil, nil},
		{"not a ClientHello", 512, append([]byte{2}, hello(suites, exts)[1:]...), true, nil, nil, nil, nil},
	} {
		got := ParseCapture(c.msg, c.size)
		if (got == nil) != c.nil_ {
			t.Fatalf("%s: capture %+v", c.name, got)
		}
		if got == nil {
			continue
		}
		if got.Version != 0x0303 || !bytes.Equal(got.Ciphers, c.ciphers) || !bytes.Equal(got.Extensions, c.ext) ||
			!bytes.Equal(got.Groups, c.groups) || !bytes.Equal(got.Formats, c.fmts) {
			t.Errorf("%s: %+v", c.name, got)
		}
	}
}

func TestWithoutGREASE(t *testing.T) {
	for _, c := range []struct{ in, want []byte }{
		{[]byte{0x0a, 0x0a, 0x13, 0x01, 0xfa, 0xfa}, []byte{0x13, 0x01}},
		{[]byte{0x0a, 0x1a, 0x1b, 0x1b}, []byte{0x0a, 0x1a, 0x1b, 0x1b}},
		{[]byte{0x13, 0x01, 0x05}, []byte{0x13, 0x01, 0x05}},
		{nil, []byte{}},
	} {
		if got := WithoutGREASE(c.in); !bytes.Equal(got, c.want) {
			t.Errorf("WithoutGREASE(%x) = %x, want %x", c.in, got, c.want)
		}
	}
}
