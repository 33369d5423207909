package peers

import (
	"errors"
	"fmt"
)

// TableDef is a stick table as a definition message describes it.
type TableDef struct {
	ID      uint64 // the sender's id for the table (switch and ack refer to it)
	Name    string // shared name: the table's name in the configuration
	KeyType KeyType
	KeyLen  uint64 // key bytes; for strings the maximum length plus one
	Types   uint64 // bit n set: data type n is stored and sent in updates
	Expire  uint64 // entries' lifetime in ms
	// NbElem is the element count of each array type (gpt, gpc, gpc_rate);
	// Period the period in ms of each rate type. Both are sent after Expire.
	NbElem [NumDataTypes]uint64
	Period [NumDataTypes]uint64
}

// Has reports whether the definition stores data type d.
func (t *TableDef) Has(d DataType) bool { return d < 64 && t.Types&(1<<d) != 0 }

// elems returns how many values type d carries in an update.
func (t *TableDef) elems(d DataType) uint64 {
	if d.IsArray() {
		return t.NbElem[d]
	}
	return 1
}

// AppendDefine appends a table definition message as HAProxy 2.6 builds it:
// id, name, key type, key length, data-type bitfield, expire, then for each
// stored array type its number, element count (and period for gpc_rate)
// and for each stored rate its number and period.
func AppendDefine(b []byte, t *TableDef) []byte {
	d := AppendVarint(nil, t.ID)
	d = AppendVarint(d, uint64(len(t.Name)))
	d = append(d, t.Name...)
	d = AppendVarint(d, uint64(t.KeyType))
	d = AppendVarint(d, t.KeyLen)
	d = AppendVarint(d, t.Types)
	d = AppendVarint(d, t.Expire)
	for dt := DataType(0); dt < NumDataTypes; dt++ {
		if !t.Has(dt) {
			continue
		}
		switch {
		case dt.IsArray():
			d = AppendVarint(d, uint64(dt))
			d = AppendVarint(d, t.NbElem[dt])
			if dt.Std() == StdFreq {
				d = AppendVarint(d, t.Period[dt])
			}
		case dt.Std() == StdFreq:
			d = AppendVarint(d, uint64(dt))
			d = AppendVarint(d, t.Period[dt])
		}
	}
	return AppendFrame(b, ClassStickTable, StktDefine, d)
}

// ErrDefineIgnored wraps the definitions HAProxy ignores without closing
// the session: missing or mismatched array and period parameters. The
// sender's table is then unknown to the receiver and its updates skipped.
var ErrDefineIgnored = errors.New("peers: table definition ignored")

// errAfterName marks malformed data found after a readable table name:
// HAProxy only reads that far for a table it knows, so for an unknown name
// the message is ignored, not a protocol error.
type errAfterName struct{ msg string }

func (e errAfterName) Error() string { return "peers: malformed message: definition " + e.msg }
func (e errAfterName) Unwrap() error { return ErrMalformed }

// MalformedOnlyIfKnown reports whether err, from DecodeDefine, is a
// protocol error only when the receiver has a table of the decoded name.
func MalformedOnlyIfKnown(err error) bool {
	var e errAfterName
	return errors.As(err, &e)
}

// DecodeDefine decodes a definition message's data in HAProxy's order of
// checks. An empty name, or a name running to the end of the data, is
// ErrMalformed. Errors found after the name come with Name set (see
// MalformedOnlyIfKnown). Missing or inconsistent parameters are
// ErrDefineIgnored. A definition without expire and parameters (an older
// sender) is accepted unless it stores an array type.
func DecodeDefine(d []byte) (TableDef, error) {
	var t TableDef
	id, n, err := ReadVarint(d)
	if err != nil {
		return t, malformed("definition table id")
	}
	d = d[n:]
	t.ID = id
	nl, n, err := ReadVarint(d)
	if err != nil {
		return t, malformed("definition name length")
	}
	d = d[n:]
	if nl == 0 || nl >= uint64(len(d)) {
		return t, malformed("definition name length %d", nl)
	}
	t.Name, d = string(d[:nl]), d[nl:]
	var fields [3]uint64
	for i, what := range []string{"key type", "key length", "data types"} {
		v, n, err := ReadVarint(d)
		if err != nil {
			return t, errAfterName{what}
		}
		fields[i], d = v, d[n:]
	}
	if fields[0] > 255 {
		fields[0] = 0 // out of HAProxy's key type map: type "any", never matches
	}
	t.KeyType, t.KeyLen, t.Types = KeyType(fields[0]), fields[1], fields[2]
	exp, n, err := ReadVarint(d)
	if err != nil {
		for dt := DataType(0); dt < NumDataTypes; dt++ {
			if t.Has(dt) && dt.IsArray() {
				return t, fmt.Errorf("%w: array %s without its size", ErrDefineIgnored, dt)
			}
		}
		return t, nil
	}
	t.Expire, d = exp, d[n:]
	next := func(what string, dt DataType) (uint64, error) {
		v, n, err := ReadVarint(d)
		if err != nil {
			return 0, fmt.Errorf("%w: missing %s of %s", ErrDefineIgnored, what, dt)
		}
		d = d[n:]
		return v, nil
	}
	for dt := DataType(0); dt < NumDataTypes; dt++ {
		if !t.Has(dt) || (!dt.IsArray() && dt.Std() != StdFreq) {
			continue
		}
		typ, err := next("type prefix", dt)
		if err != nil {
			return t, err
		}
		if typ != uint64(dt) {
			return t, fmt.Errorf("%w: parameters of type %d where %s expected", ErrDefineIgnored, typ, dt)
		}
		if dt.IsArray() {
			if t.NbElem[dt], err = next("size", dt); err != nil {
				return t, err
			}
		}
		if dt.Std() == StdFreq {
			if t.Period[dt], err = next("period", dt); err != nil {
				return t, err
			}
		}
	}
	return t, nil
}
