package h2

import "golang.org/x/net/http2/hpack"

// ResponseHead is a response's status and fields (pseudo-fields out).
type ResponseHead struct {
	Status        int
	Fields        []Field
	ContentLength int64 // -1: none
}

// parseResponse checks a response's decoded fields (§8.3.2): one 3-digit
// :status, no request pseudo-field, no connection-specific field.
func parseResponse(fields []hpack.HeaderField) (ResponseHead, error) {
	h := ResponseHead{ContentLength: -1}
	for _, f := range fields {
		if len(f.Name) > 0 && f.Name[0] == ':' {
			if f.Name != ":status" || h.Status != 0 || len(f.Value) != 3 {
				return h, errMalformed
			}
			for _, d := range []byte(f.Value) {
				if d < '0' || d > '9' {
					return h, errMalformed
				}
			}
			h.Status = int(f.Value[0]-'0')*100 + int(f.Value[1]-'0')*10 + int(f.Value[2]-'0')
			if h.Status < 100 {
				return h, errMalformed
			}
			continue
		}
		if connectionSpecific[f.Name] {
			return h, errMalformed
		}
		if f.Name == "content-length" {
			n, ok := parseLength(f.Value)
			if !ok || (h.ContentLength >= 0 && n != h.ContentLength) {
				return h, errMalformed
			}
			if h.ContentLength >= 0 {
				continue
			}
			h.ContentLength = n
		}
		h.Fields = append(h.Fields, f)
	}
	if h.Status == 0 {
		return h, errMalformed
	}
	return h, nil
}

// parseLength reads a content-length value: decimal digits only.
func parseLength(v string) (int64, bool) {
	if v == "" || len(v) > 18 {
		return 0, false
	}
	var n int64
	for i := 0; i < len(v); i++ {
		if v[i] < '0' || v[i] > '9' {
			return 0, false
		}
		n = n*10 + int64(v[i]-'0')
	}
	return n, true
}
