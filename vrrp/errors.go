package vrrp

import "fmt"

// DecodeErrorKind classifies why an advert could not be decoded or encoded.
type DecodeErrorKind uint8

// Decode and encode failures.
const (
	ErrTruncated        DecodeErrorKind = iota + 1 // shorter than the 8-byte header
	ErrBadVersion                                  // version neither 2 nor 3
	ErrCountOverrun                                // address count needs more bytes than present (or > 255 on encode)
	ErrTrailingBytes                               // more bytes than the address count explains
	ErrV2IPv6                                      // VRRPv2 is IPv4 only
	ErrMixedFamilies                               // encode: IPv4 and IPv6 addresses mixed, or an invalid address
	ErrNeedPseudoHeader                            // encode: VRRPv3 needs valid src/dst of one family
)

var decodeErrorText = [...]string{
	ErrTruncated:        "vrrp: packet truncated",
	ErrBadVersion:       "vrrp: unsupported version",
	ErrCountOverrun:     "vrrp: address count overruns packet",
	ErrTrailingBytes:    "vrrp: trailing bytes after advert",
	ErrV2IPv6:           "vrrp: VRRPv2 cannot carry IPv6",
	ErrMixedFamilies:    "vrrp: addresses of mixed or invalid families",
	ErrNeedPseudoHeader: "vrrp: VRRPv3 checksum needs source and destination of one family",
}

// DecodeError is the error type of Advert.Decode and Advert.Marshal.
type DecodeError struct {
	Kind  DecodeErrorKind
	Value int // the offending length, version or count, when there is one
}

func (e *DecodeError) Error() string {
	text := "vrrp: invalid advert"
	if int(e.Kind) < len(decodeErrorText) && decodeErrorText[e.Kind] != "" {
		text = decodeErrorText[e.Kind]
	}
	if e.Value != 0 {
		return fmt.Sprintf("%s (%d)", text, e.Value)
	}
	return text
}

// Is lets errors.Is match on the kind alone: errors.Is(err, &DecodeError{Kind: ErrTruncated}).
func (e *DecodeError) Is(target error) bool {
	t, ok := target.(*DecodeError)
	return ok && t.Kind == e.Kind
}
