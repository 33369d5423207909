package statspage

import (
	"strconv"
	"strings"
)

// The names of the one-letter tags of `show stat typed`, as HAProxy's
// JSON output spells them.
var (
	jsonOrigin = map[byte]string{'M': "Metric", 'S': "Status", 'K': "Key", 'C': "Config", 'P': "Product"}
	jsonNature = map[byte]string{'G': "Gauge", 'L': "Limit", 'm': "Min", 'M': "Max", 'R': "Rate", 'C': "Counter",
		'D': "Duration", 'A': "Age", 'T': "Time", 'N': "Name", 'O': "Output", 'a': "Avg"}
	jsonScope   = map[byte]string{'P': "Process", 'S': "Service", 's': "System", 'C': "Cluster"}
	jsonObjType = map[string]string{"F": "Frontend", "B": "Backend", "S": "Server", "L": "Listener"}
)

// statJSON renders `show stat typed` output as HAProxy's JSON statistics
// (";json", `show stat json`): one array of field objects per row, the
// same fields, positions, tags and values as the typed form.
func statJSON(typed string) string {
	var b strings.Builder
	b.WriteString("[")
	lastRow := ""
	for _, line := range strings.Split(strings.TrimRight(typed, "\n"), "\n") {
		head, rest, ok := strings.Cut(line, ":")
		if !ok {
			continue
		}
		parts := strings.Split(head, ".") // F.iid.sid.pos.name.proc
		tagsTyp := strings.SplitN(rest, ":", 3)
		if len(parts) != 6 || len(tagsTyp) != 3 || len(tagsTyp[0]) != 3 {
			continue
		}
		tags, typ, val := tagsTyp[0], tagsTyp[1], tagsTyp[2]
		row := parts[0] + "." + parts[1] + "." + parts[2]
		switch {
		case lastRow == "":
			b.WriteString("[")
		case row != lastRow:
			b.WriteString("],[")
		default:
			b.WriteString(",")
		}
		lastRow = row
		b.WriteString(`{"objType":"` + jsonObjType[parts[0]] + `","proxyId":` + parts[1] + `,"id":` + parts[2] +
			`,"field":{"pos":` + parts[3] + `,"name":"` + parts[4] + `"},"processNum":` + parts[5] +
			`,"tags":{"origin":"` + jsonOrigin[tags[0]] + `","nature":"` + jsonNature[tags[1]] + `","scope":"` + jsonScope[tags[2]] +
			`"},"value":{"type":"` + typ + `","value":`)
		if typ == "str" {
			b.WriteString(jsonString(val))
		} else {
			b.WriteString(val)
		}
		b.WriteString("}}")
	}
	if lastRow != "" {
		b.WriteString("]")
	}
	b.WriteString("]\n")
	return b.String()
}

// jsonString quotes s as a JSON string: quotes, backslashes and control
// characters escaped, nothing else.
func jsonString(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range s {
		switch {
		case r == '"' || r == '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r < 0x20:
			b.WriteString(`\u00` + strconv.FormatUint(uint64(r)>>4, 16) + strconv.FormatUint(uint64(r)&15, 16))
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
	return b.String()
}
