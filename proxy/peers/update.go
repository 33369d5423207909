package peers

import (
	"encoding/binary"
	"fmt"
)

// FreqCtr is a rate counter as the protocol carries it: Age is how many ms
// ago its current period began (HAProxy sends now_ms - curr_tick, and the
// receiver rebuilds curr_tick from its own clock), Curr and Prev the counts
// of the current and previous periods.
type FreqCtr struct {
	Age        uint32
	Curr, Prev uint32
}

// DictRef is a server_key value as sent: ID numbers the entry in the
// session's dictionary cache (from 1); Value comes with the first use of an
// ID and is omitted afterwards. Present is false for "no entry".
type DictRef struct {
	Present  bool
	ID       uint64
	HasValue bool
	Value    []byte
}

// Value is one data type's value in an update: Num for the integer types
// (one per element; SINT is sign-extended to 64 bits, UINT and ULL as they
// were stored), Freq for rates, Dict for server_key.
type Value struct {
	Type DataType
	Num  []uint64
	Freq []FreqCtr
	Dict DictRef
}

// Update is an entry update message.
type Update struct {
	HasID  bool   // UPDATE: the update id is sent; INCUPDATE: previous id + 1
	ID     uint32 // the sender's update id
	Timed  bool   // the entry's remaining lifetime is sent
	Expire uint32 // remaining lifetime in ms
	Key    []byte
	Values []Value // one per data type set in the definition, ascending
}

// MsgType returns the message type for u's HasID and Timed.
func (u *Update) MsgType() uint8 {
	switch {
	case u.Timed && u.HasID:
		return StktUpdateTimed
	case u.Timed:
		return StktIncUpdateTimed
	case u.HasID:
		return StktUpdate
	}
	return StktIncUpdate
}

// IsUpdateType reports whether typ is one of the four update messages.
func IsUpdateType(typ uint8) bool {
	return typ == StktUpdate || typ == StktIncUpdate || typ == StktUpdateTimed || typ == StktIncUpdateTimed
}

// AppendUpdate appends an update message for table t. The key is encoded by
// the table's key type: strings length-prefixed, integers as 4 bytes in
// network order, the others as t.KeyLen raw bytes (u.Key is padded or cut
// to that length). Values must follow t's bitfield.
func AppendUpdate(b []byte, t *TableDef, u *Update) []byte {
	d := make([]byte, 0, 64)
	if u.HasID {
		d = binary.BigEndian.AppendUint32(d, u.ID)
	}
	if u.Timed {
		d = binary.BigEndian.AppendUint32(d, u.Expire)
	}
	switch t.KeyType {
	case KeyStr:
		k := u.Key
		if t.KeyLen > 0 && uint64(len(k)) > t.KeyLen-1 {
			k = k[:t.KeyLen-1]
		}
		d = AppendVarint(d, uint64(len(k)))
		d = append(d, k...)
	case KeySInt:
		var k [4]byte
		copy(k[:], u.Key)
		d = append(d, k[:]...)
	default:
		k := make([]byte, t.KeyLen)
		copy(k, u.Key)
		d = append(d, k...)
	}
	for _, v := range u.Values {
		d = appendValue(d, &v)
	}
	return AppendFrame(b, ClassStickTable, u.MsgType(), d)
}

func appendValue(d []byte, v *Value) []byte {
	switch v.Type.Std() {
	case StdFreq:
		for _, f := range v.Freq {
			d = AppendVarint(d, uint64(f.Age))
			d = AppendVarint(d, uint64(f.Curr))
			d = AppendVarint(d, uint64(f.Prev))
		}
	case StdDict:
		if !v.Dict.Present {
			return AppendVarint(d, 0)
		}
		inner := AppendVarint(nil, v.Dict.ID)
		if v.Dict.HasValue {
			inner = AppendVarint(inner, uint64(len(v.Dict.Value)))
			inner = append(inner, v.Dict.Value...)
		}
		d = AppendVarint(d, uint64(len(inner)))
		d = append(d, inner...)
	default:
		for _, n := range v.Num {
			d = AppendVarint(d, n)
		}
	}
	return d
}

// dictCacheSize is HAProxy's PEER_STKT_CACHE_MAX_ENTRIES: dictionary ids
// above it are a protocol error.
const dictCacheSize = 128

// DecodeUpdate decodes the data of an update message of type typ for the
// table the sender defined as t (key type and length equal to the local
// table's: the session checked them when it accepted the definition). Every
// field HAProxy's peer_treat_updatemsg reads must be there; a string key
// longer than t.KeyLen-1 is cut as HAProxy cuts it.
func DecodeUpdate(typ uint8, d []byte, t *TableDef) (Update, error) {
	u := Update{HasID: typ == StktUpdate || typ == StktUpdateTimed, Timed: typ == StktUpdateTimed || typ == StktIncUpdateTimed}
	if u.HasID {
		if len(d) < 4 {
			return u, malformed("update id")
		}
		u.ID, d = binary.BigEndian.Uint32(d), d[4:]
	}
	if u.Timed {
		if len(d) < 4 {
			return u, malformed("update expire")
		}
		u.Expire, d = binary.BigEndian.Uint32(d), d[4:]
	}
	switch t.KeyType {
	case KeyStr:
		l, n, err := ReadVarint(d)
		if err != nil {
			return u, malformed("string key length")
		}
		d = d[n:]
		keep := l
		if t.KeyLen == 0 {
			keep = 0
		} else if keep > t.KeyLen-1 {
			keep = t.KeyLen - 1
		}
		if keep > uint64(len(d)) {
			return u, malformed("string key of %d bytes", l)
		}
		u.Key = append([]byte(nil), d[:keep]...)
		if l > uint64(len(d)) {
			// HAProxy skips past the end; any value read after fails.
			d = nil
			if t.Types&(1<<NumDataTypes-1) != 0 {
				return u, malformed("string key of %d bytes", l)
			}
		} else {
			d = d[l:]
		}
	case KeySInt:
		if len(d) < 4 {
			return u, malformed("integer key")
		}
		u.Key, d = append([]byte(nil), d[:4]...), d[4:]
	default:
		if t.KeyLen > uint64(len(d)) {
			return u, malformed("key of %d bytes", t.KeyLen)
		}
		u.Key, d = append([]byte(nil), d[:t.KeyLen]...), d[t.KeyLen:]
	}
	for dt := DataType(0); dt < NumDataTypes; dt++ {
		if !t.Has(dt) {
			continue
		}
		v := Value{Type: dt}
		var err error
		if d, err = decodeValue(d, &v, t.elems(dt)); err != nil {
			return u, err
		}
		u.Values = append(u.Values, v)
	}
	return u, nil
}

func decodeValue(d []byte, v *Value, elems uint64) ([]byte, error) {
	read := func() (uint64, error) {
		x, n, err := ReadVarint(d)
		if err != nil {
			return 0, malformed("value of %s", v.Type)
		}
		d = d[n:]
		return x, nil
	}
	switch v.Type.Std() {
	case StdFreq:
		for i := uint64(0); i < elems; i++ {
			var f [3]uint64
			for j := range f {
				x, err := read()
				if err != nil {
					return nil, err
				}
				f[j] = x
			}
			v.Freq = append(v.Freq, FreqCtr{Age: uint32(f[0]), Curr: uint32(f[1]), Prev: uint32(f[2])})
		}
	case StdDict:
		l, err := read()
		if err != nil || l == 0 {
			return d, err
		}
		if l > uint64(len(d)) {
			return nil, malformed("server_key of %d bytes", l)
		}
		inner := d[:l]
		d = d[l:]
		id, n, err := ReadVarint(inner)
		if err != nil || id == 0 {
			return nil, malformed("server_key id")
		}
		inner = inner[n:]
		v.Dict = DictRef{Present: true, ID: id}
		if len(inner) == 0 {
			if id > dictCacheSize {
				return nil, malformed("server_key id %d over the cache size", id)
			}
			return d, nil
		}
		if id > dictCacheSize {
			// HAProxy indexes its cache with this id unchecked; refuse it.
			return nil, malformed("server_key id %d over the cache size", id)
		}
		vl, n, err := ReadVarint(inner)
		if err != nil || vl > uint64(len(inner)-n) || vl+1 >= MaxPayload {
			return nil, malformed("server_key value")
		}
		v.Dict.HasValue, v.Dict.Value = true, append([]byte(nil), inner[n:n+int(vl)]...)
	default:
		for i := uint64(0); i < elems; i++ {
			x, err := read()
			if err != nil {
				return nil, err
			}
			v.Num = append(v.Num, x)
		}
	}
	return d, nil
}

// String renders an update for logs and transcripts.
func (u Update) String() string {
	s := fmt.Sprintf("key=%x", u.Key)
	if u.HasID {
		s = fmt.Sprintf("id=%d %s", u.ID, s)
	}
	if u.Timed {
		s += fmt.Sprintf(" exp=%d", u.Expire)
	}
	for _, v := range u.Values {
		switch v.Type.Std() {
		case StdFreq:
			s += fmt.Sprintf(" %s=%v", v.Type, v.Freq)
		case StdDict:
			s += fmt.Sprintf(" %s=%d:%q", v.Type, v.Dict.ID, v.Dict.Value)
		default:
			s += fmt.Sprintf(" %s=%v", v.Type, v.Num)
		}
	}
	return s
}
