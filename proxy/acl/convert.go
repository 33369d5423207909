package acl

import (
	"fmt"
	"strings"

	"github.com/goha-lb/goha/parser/haproxy"
	"github.com/goha-lb/goha/proxy"
)

// convDef is one row of the converter table: the sample type it returns,
// the number of arguments it takes, and its function on one value.
type convDef struct {
	out   haproxy.SampleType
	nargs int
	apply func(string) string
}

// converters are the sample converters the engine evaluates, by name.
var converters = map[string]convDef{
	"lower": {out: haproxy.SampleStr, apply: strings.ToLower},
	"upper": {out: haproxy.SampleStr, apply: strings.ToUpper},
}

// convert appends converter c to fetch, whose samples are of type in.
// Every sample type has a text form the engine carries, so a str
// converter applies to any of them (HAProxy casts them to str).
func convert(fetch fetchFunc, in haproxy.SampleType, c haproxy.Converter) (fetchFunc, haproxy.SampleType, error) {
	def, ok := converters[c.Name]
	if !ok || len(c.Args) != def.nargs {
		return nil, in, fmt.Errorf("converter %s", c.Text)
	}
	return func(r *proxy.RequestInfo) ([]string, bool) {
		vals, ok := fetch(r)
		for i, v := range vals {
			vals[i] = def.apply(v)
		}
		return vals, ok
	}, def.out, nil
}

// convText is the converters' part of a sample expression, for messages.
func convText(cs []haproxy.Converter) string {
	t := make([]string, len(cs))
	for i, c := range cs {
		t[i] = c.Text
	}
	return strings.Join(t, ",")
}
