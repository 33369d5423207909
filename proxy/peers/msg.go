package peers

import (
	"encoding/binary"
	"errors"
	"fmt"
)

// Message classes (the first byte of every message).
const (
	ClassControl    uint8 = 0
	ClassError      uint8 = 1
	ClassStickTable uint8 = 10
	ClassReserved   uint8 = 255
)

// Control message types.
const (
	CtrlResyncReq      uint8 = 0
	CtrlResyncFinished uint8 = 1
	CtrlResyncPartial  uint8 = 2
	CtrlResyncConfirm  uint8 = 3
	CtrlHeartbeat      uint8 = 4
)

// Error message types.
const (
	ErrTypeProtocol  uint8 = 0
	ErrTypeSizeLimit uint8 = 1
)

// Stick-table message types. Types with bit 7 set carry a varint length and
// that many bytes of data.
const (
	StktUpdate          uint8 = 0x80
	StktIncUpdate       uint8 = 0x81
	StktDefine          uint8 = 0x82
	StktSwitch          uint8 = 0x83
	StktAck             uint8 = 0x84
	StktUpdateTimed     uint8 = 0x85
	StktIncUpdateTimed  uint8 = 0x86
	typeHasData         uint8 = 0x80
	maxEncodedLengthLen       = 5 // HAProxy reads the length from at most 5 bytes
)

// MaxPayload is the largest message data HAProxy accepts (its trash
// buffer, tune.bufsize's default); a larger one gets a size-limit error.
const MaxPayload = 16384

// ErrMalformed wraps every decoding failure that makes HAProxy answer a
// protocol error and close the session.
var ErrMalformed = errors.New("peers: malformed message")

// ErrTooLarge reports a message longer than MaxPayload (HAProxy answers a
// size-limit error and closes the session).
var ErrTooLarge = errors.New("peers: message over the size limit")

func malformed(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrMalformed}, args...)...)
}

// Frame is one message as framed on the wire: class, type and, for types
// with bit 7 set, the data.
type Frame struct {
	Class, Type uint8
	Data        []byte // aliases the parsed buffer
}

// ParseFrame reads the message at the start of b. It returns the frame and
// the bytes it took, or n == 0 and a nil error when b holds only part of a
// message. A length that does not decode from five bytes is ErrMalformed,
// a length over MaxPayload ErrTooLarge.
func ParseFrame(b []byte) (f Frame, n int, err error) {
	if len(b) < 2 {
		return Frame{}, 0, nil
	}
	f.Class, f.Type = b[0], b[1]
	if f.Type&typeHasData == 0 {
		return f, 2, nil
	}
	head := b[2:]
	if len(head) > maxEncodedLengthLen {
		head = head[:maxEncodedLengthLen]
	}
	l, ln, err := ReadVarint(head)
	if err != nil {
		if len(head) < maxEncodedLengthLen && err == ErrTruncated {
			return Frame{}, 0, nil
		}
		return Frame{}, 0, malformed("message length does not fit in %d bytes", maxEncodedLengthLen)
	}
	if l > MaxPayload {
		return Frame{}, 0, ErrTooLarge
	}
	end := 2 + ln + int(l)
	if len(b) < end {
		return Frame{}, 0, nil
	}
	f.Data = b[2+ln : end]
	return f, end, nil
}

// AppendFrame appends a message: the two header bytes and, when typ has bit
// 7 set, the varint length and data.
func AppendFrame(b []byte, class, typ uint8, data []byte) []byte {
	b = append(b, class, typ)
	if typ&typeHasData == 0 {
		return b
	}
	b = AppendVarint(b, uint64(len(data)))
	return append(b, data...)
}

// AppendControl appends a control message (resync request/finished/partial/
// confirm, heartbeat).
func AppendControl(b []byte, typ uint8) []byte { return append(b, ClassControl, typ) }

// AppendError appends an error message (protocol error, size limit).
func AppendError(b []byte, typ uint8) []byte { return append(b, ClassError, typ) }

// Ack acknowledges the updates of a table up to Update. TableID is the id
// the receiver of the ack gave the table in its definition.
type Ack struct {
	TableID uint64
	Update  uint32
}

// AppendAck appends an update acknowledgement.
func AppendAck(b []byte, a Ack) []byte {
	d := AppendVarint(make([]byte, 0, 14), a.TableID)
	d = binary.BigEndian.AppendUint32(d, a.Update)
	return AppendFrame(b, ClassStickTable, StktAck, d)
}

// DecodeAck decodes an ack message's data.
func DecodeAck(d []byte) (Ack, error) {
	id, n, err := ReadVarint(d)
	if err != nil || len(d)-n < 4 {
		return Ack{}, malformed("ack")
	}
	return Ack{TableID: id, Update: binary.BigEndian.Uint32(d[n:])}, nil
}

// AppendSwitch appends a table switch message: the following updates are
// for the table the sender defined with id.
func AppendSwitch(b []byte, id uint64) []byte {
	return AppendFrame(b, ClassStickTable, StktSwitch, AppendVarint(nil, id))
}

// DecodeSwitch decodes a switch message's data.
func DecodeSwitch(d []byte) (uint64, error) {
	id, _, err := ReadVarint(d)
	if err != nil {
		return 0, malformed("switch")
	}
	return id, nil
}
