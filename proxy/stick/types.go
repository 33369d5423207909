package stick

import "fmt"

// DataType is a stored data type, numbered in HAProxy 2.6's order: `show
// table` prints the stored types in this order.
type DataType uint8

const (
	ServerID DataType = iota
	GPT0
	GPC0
	GPC0Rate
	ConnCnt
	ConnRate
	ConnCur
	SessCnt
	SessRate
	HTTPReqCnt
	HTTPReqRate
	HTTPErrCnt
	HTTPErrRate
	BytesInCnt
	BytesInRate
	BytesOutCnt
	BytesOutRate
	GPC1
	GPC1Rate
	ServerKey
	HTTPFailCnt
	HTTPFailRate
	GPT
	GPC
	GPCRate
	NumDataTypes
)

// kind is how a data type is stored and printed.
type kind uint8

const (
	kSInt kind = iota // signed 32-bit (server_id)
	kUInt             // unsigned 32-bit counter
	kULL              // unsigned 64-bit counter (bytes)
	kFreq             // frequency counter over a period
	kDict             // a string from a dictionary (server_key)
)

// words is how many 32-bit words of the data slab one value takes.
func (k kind) words() int {
	switch k {
	case kULL:
		return 2
	case kFreq:
		return 3
	}
	return 1
}

// typeInfo describes a data type: its name in the configuration and the
// runtime API, its storage, whether it takes a period (the `(10s)` of
// http_req_rate) and whether it is an array (gpc(N), gpc_rate(N,P)).
type typeInfo struct {
	name   string
	kind   kind
	period bool
	array  bool
}

var types = [NumDataTypes]typeInfo{
	ServerID:     {name: "server_id", kind: kSInt},
	GPT0:         {name: "gpt0", kind: kUInt},
	GPC0:         {name: "gpc0", kind: kUInt},
	GPC0Rate:     {name: "gpc0_rate", kind: kFreq, period: true},
	ConnCnt:      {name: "conn_cnt", kind: kUInt},
	ConnRate:     {name: "conn_rate", kind: kFreq, period: true},
	ConnCur:      {name: "conn_cur", kind: kUInt},
	SessCnt:      {name: "sess_cnt", kind: kUInt},
	SessRate:     {name: "sess_rate", kind: kFreq, period: true},
	HTTPReqCnt:   {name: "http_req_cnt", kind: kUInt},
	HTTPReqRate:  {name: "http_req_rate", kind: kFreq, period: true},
	HTTPErrCnt:   {name: "http_err_cnt", kind: kUInt},
	HTTPErrRate:  {name: "http_err_rate", kind: kFreq, period: true},
	BytesInCnt:   {name: "bytes_in_cnt", kind: kULL},
	BytesInRate:  {name: "bytes_in_rate", kind: kFreq, period: true},
	BytesOutCnt:  {name: "bytes_out_cnt", kind: kULL},
	BytesOutRate: {name: "bytes_out_rate", kind: kFreq, period: true},
	GPC1:         {name: "gpc1", kind: kUInt},
	GPC1Rate:     {name: "gpc1_rate", kind: kFreq, period: true},
	ServerKey:    {name: "server_key", kind: kDict},
	HTTPFailCnt:  {name: "http_fail_cnt", kind: kUInt},
	HTTPFailRate: {name: "http_fail_rate", kind: kFreq, period: true},
	GPT:          {name: "gpt", kind: kUInt, array: true},
	GPC:          {name: "gpc", kind: kUInt, array: true},
	GPCRate:      {name: "gpc_rate", kind: kFreq, period: true, array: true},
}

// MaxArray is the largest element count of an array type (HAProxy's
// MAX_STKTABLE_DATA_ARRAY_SIZE... its stick-table parser refuses more than 100).
const MaxArray = 100

// String is the type's name.
func (d DataType) String() string {
	if d < NumDataTypes {
		return types[d].name
	}
	return fmt.Sprintf("DataType(%d)", d)
}

// IsRate says whether the type is a frequency counter.
func (d DataType) IsRate() bool { return d < NumDataTypes && types[d].kind == kFreq }

// TakesPeriod says whether the type needs a period argument in `store`.
func (d DataType) TakesPeriod() bool { return d < NumDataTypes && types[d].period }

// IsArray says whether the type is an array (gpt, gpc, gpc_rate).
func (d DataType) IsArray() bool { return d < NumDataTypes && types[d].array }

// LookupDataType finds a data type by its name.
func LookupDataType(name string) (DataType, bool) {
	for i := range types {
		if types[i].name == name {
			return DataType(i), true
		}
	}
	return 0, false
}

// KeyType is the type of a table's keys.
type KeyType uint8

const (
	KeyIP KeyType = iota
	KeyIPv6
	KeyInteger
	KeyString
	KeyBinary
)

var keyTypeNames = [...]string{"ip", "ipv6", "integer", "string", "binary"}

func (k KeyType) String() string {
	if int(k) < len(keyTypeNames) {
		return keyTypeNames[k]
	}
	return fmt.Sprintf("KeyType(%d)", k)
}

// LookupKeyType finds a key type by its configuration name.
func LookupKeyType(name string) (KeyType, bool) {
	for i, n := range keyTypeNames {
		if n == name {
			return KeyType(i), true
		}
	}
	return 0, false
}

// Store is one `store` item of a table: a data type, its period in ms for
// a rate, and its element count for an array (1 otherwise).
type Store struct {
	Type   DataType
	Period uint32
	Count  int
}

// Config is what a stick-table line declares.
type Config struct {
	Name    string
	Key     KeyType
	KeyLen  int    // bytes of a string or binary key (string: without the NUL)
	Size    int    // maximum entries
	Expire  uint32 // ms; 0: entries do not expire
	NoPurge bool   // when full, refuse new entries instead of evicting
	Peers   string // the peers section the table syncs with ("" none)
	Stores  []Store
}

// DefaultKeyLen is the length of a string or binary key without `len`
// (HAProxy's default: 32 bytes).
const DefaultKeyLen = 32
