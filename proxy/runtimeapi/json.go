package runtimeapi

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
)

// The json forms of `show info` and `show stat` spell out the letters of
// the typed form's tags "OriginNatureScope:type" (HAProxy 2.6's names).
var (
	tagOrigin = map[byte]string{'M': "Metric", 'S': "Status", 'K': "Key", 'C': "Config", 'P': "Product"}
	tagNature = map[byte]string{'G': "Gauge", 'L': "Limit", 'm': "Min", 'M': "Max", 'R': "Rate", 'C': "Counter",
		'D': "Duration", 'A': "Age", 'T': "Time", 'N': "Name", 'O': "Output", 'a': "Avg"}
	tagScope = map[byte]string{'C': "Cluster", 'P': "Process", 'S': "Service", 's': "System"}
)

// tagName reads one tag letter; a letter outside the table is HAProxy's
// "Unknown".
func tagName(m map[byte]string, c byte) string {
	if n, ok := m[c]; ok {
		return n
	}
	return "Unknown"
}

// jsonString quotes s as JSON without HTML escaping (HAProxy leaves '<',
// '>' and '&' as they are).
func jsonString(s string) string {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(s) // a string always encodes
	return strings.TrimSuffix(b.String(), "\n")
}

// writeJSONTagsValue writes `"tags":{...},"value":{...}` for a field
// whose typed tags are "ONS:type": strings are quoted, numbers are not.
func writeJSONTagsValue(b *strings.Builder, tags, value string) {
	typ := "str"
	if len(tags) > 4 {
		typ = tags[4:]
	}
	fmt.Fprintf(b, `"tags":{"origin":%q,"nature":%q,"scope":%q},`,
		tagName(tagOrigin, tags[0]), tagName(tagNature, tags[1]), tagName(tagScope, tags[2]))
	if typ == "str" {
		fmt.Fprintf(b, `"value":{"type":"str","value":%s}`, jsonString(value))
		return
	}
	fmt.Fprintf(b, `"value":{"type":%q,"value":%s}`, typ, value)
}

// objType is the json name of a stat row kind.
func objType(kind byte) string {
	switch kind {
	case 'F':
		return "Frontend"
	case 'B':
		return "Backend"
	case 'S':
		return "Server"
	case 'L':
		return "Listener"
	}
	return "Unknown"
}

// json renders the row as one element of `show stat json`: the array of
// its present fields, numbered as in the typed form.
func (r *row) json(b *strings.Builder, iid, sid int) {
	b.WriteByte('[')
	pos, first := 0, true
	for i, col := range statColumns {
		if col == "-" {
			continue
		}
		if r.present[i] {
			if !first {
				b.WriteByte(',')
			}
			first = false
			fmt.Fprintf(b, `{"objType":%q,"proxyId":%d,"id":%d,"field":{"pos":%d,"name":%q},"processNum":1,`,
				objType(r.kind), iid, sid, pos, col)
			writeJSONTagsValue(b, r.tags(col), r.v[i])
			b.WriteByte('}')
		}
		pos++
	}
	b.WriteByte(']')
}
