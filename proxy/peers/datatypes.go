package peers

// DataType is a stick-table data type's number: its bit in a table
// definition's bitfield and its place in the order values are encoded in an
// update (HAProxy 2.6's STKTABLE_DT_* enum).
type DataType uint8

// The data types of HAProxy 2.6, in wire order.
const (
	DTServerID DataType = iota
	DTGPT0
	DTGPC0
	DTGPC0Rate
	DTConnCnt
	DTConnRate
	DTConnCur
	DTSessCnt
	DTSessRate
	DTHTTPReqCnt
	DTHTTPReqRate
	DTHTTPErrCnt
	DTHTTPErrRate
	DTBytesInCnt
	DTBytesInRate
	DTBytesOutCnt
	DTBytesOutRate
	DTGPC1
	DTGPC1Rate
	DTServerKey
	DTHTTPFailCnt
	DTHTTPFailRate
	DTGPT
	DTGPC
	DTGPCRate
	// NumDataTypes is HAProxy 2.6's STKTABLE_DATA_TYPES: bitfield bits at or
	// above it are ignored by a receiver (no values are read for them).
	NumDataTypes
)

// StdType is how a data type's value is stored and encoded.
type StdType uint8

// The storage types (HAProxy's STD_T_*).
const (
	StdSInt StdType = iota // int: encoded sign-extended to 64 bits
	StdUInt                // unsigned int
	StdULL                 // unsigned long long
	StdFreq                // freq_ctr: age of the period, current and previous counts
	StdDict                // dictionary entry (server_key), cached per session
)

type dataTypeInfo struct {
	name  string
	std   StdType
	array bool // gpt(N), gpc(N), gpc_rate(N): N elements, N sent in the definition
	local bool // never learned from a peer (conn_cur)
}

var dataTypes = [NumDataTypes]dataTypeInfo{
	DTServerID:     {name: "server_id", std: StdSInt},
	DTGPT0:         {name: "gpt0", std: StdUInt},
	DTGPC0:         {name: "gpc0", std: StdUInt},
	DTGPC0Rate:     {name: "gpc0_rate", std: StdFreq},
	DTConnCnt:      {name: "conn_cnt", std: StdUInt},
	DTConnRate:     {name: "conn_rate", std: StdFreq},
	DTConnCur:      {name: "conn_cur", std: StdUInt, local: true},
	DTSessCnt:      {name: "sess_cnt", std: StdUInt},
	DTSessRate:     {name: "sess_rate", std: StdFreq},
	DTHTTPReqCnt:   {name: "http_req_cnt", std: StdUInt},
	DTHTTPReqRate:  {name: "http_req_rate", std: StdFreq},
	DTHTTPErrCnt:   {name: "http_err_cnt", std: StdUInt},
	DTHTTPErrRate:  {name: "http_err_rate", std: StdFreq},
	DTBytesInCnt:   {name: "bytes_in_cnt", std: StdULL},
	DTBytesInRate:  {name: "bytes_in_rate", std: StdFreq},
	DTBytesOutCnt:  {name: "bytes_out_cnt", std: StdULL},
	DTBytesOutRate: {name: "bytes_out_rate", std: StdFreq},
	DTGPC1:         {name: "gpc1", std: StdUInt},
	DTGPC1Rate:     {name: "gpc1_rate", std: StdFreq},
	DTServerKey:    {name: "server_key", std: StdDict},
	DTHTTPFailCnt:  {name: "http_fail_cnt", std: StdUInt},
	DTHTTPFailRate: {name: "http_fail_rate", std: StdFreq},
	DTGPT:          {name: "gpt", std: StdUInt, array: true},
	DTGPC:          {name: "gpc", std: StdUInt, array: true},
	DTGPCRate:      {name: "gpc_rate", std: StdFreq, array: true},
}

// String returns the data type's configuration name ("http_req_rate").
func (d DataType) String() string {
	if d < NumDataTypes {
		return dataTypes[d].name
	}
	return "unknown"
}

// Std returns how the type's values are stored and encoded.
func (d DataType) Std() StdType {
	if d < NumDataTypes {
		return dataTypes[d].std
	}
	return StdSInt // an unregistered type reads as HAProxy's zeroed entry: one int
}

// IsArray reports whether the type holds N elements (gpt, gpc, gpc_rate).
func (d DataType) IsArray() bool { return d < NumDataTypes && dataTypes[d].array }

// IsLocal reports whether HAProxy never learns the type from a peer.
func (d DataType) IsLocal() bool { return d < NumDataTypes && dataTypes[d].local }

// DataTypeByName returns the type named name ("server_name" is HAProxy's
// old spelling of server_key).
func DataTypeByName(name string) (DataType, bool) {
	if name == "server_name" {
		return DTServerKey, true
	}
	for i, d := range dataTypes {
		if d.name == name {
			return DataType(i), true
		}
	}
	return 0, false
}

// KeyType is a table key type as the protocol numbers it (PEER_KT_*).
type KeyType uint8

// The key types on the wire.
const (
	KeySInt KeyType = 2 // "integer": 4 bytes, network order
	KeyIPv4 KeyType = 4 // "ip": 4 bytes
	KeyIPv6 KeyType = 5 // "ipv6": 16 bytes
	KeyStr  KeyType = 6 // "string": length-prefixed, at most KeyLen-1 bytes
	KeyBin  KeyType = 7 // "binary": KeyLen bytes
)

// String returns the configuration name of the key type.
func (k KeyType) String() string {
	switch k {
	case KeySInt:
		return "integer"
	case KeyIPv4:
		return "ip"
	case KeyIPv6:
		return "ipv6"
	case KeyStr:
		return "string"
	case KeyBin:
		return "binary"
	}
	return "unknown"
}

// defaultKeyLen is the key length of a string or binary table without
// "len" (as 2.6.12 sends it: testdata/haproxy26-defines.bin).
const defaultKeyLen = 32

// KeyOf returns the key type and key length HAProxy 2.6 announces for a
// table of configuration type typ ("ip", "ipv6", "integer", "string",
// "binary") with "len" n (0: not given): a string's is n+1 (room for its
// NUL), 32 without len; a binary's n, 32 without len. A definition must
// carry exactly these for HAProxy to accept it.
func KeyOf(typ string, n int) (KeyType, uint64, bool) {
	switch typ {
	case "ip":
		return KeyIPv4, 4, true
	case "ipv6":
		return KeyIPv6, 16, true
	case "integer":
		return KeySInt, 4, true
	case "string":
		if n == 0 {
			return KeyStr, defaultKeyLen, true
		}
		return KeyStr, uint64(n) + 1, true
	case "binary":
		if n == 0 {
			return KeyBin, defaultKeyLen, true
		}
		return KeyBin, uint64(n), true
	}
	return 0, 0, false
}
