package acl

import (
	"fmt"
	"strings"

	"github.com/goha-lb/goha/parser/haproxy"
	"github.com/goha-lb/goha/proxy"
)

// convFunc applies a converter to v in place; v is already of the
// converter's input type. False is HAProxy's "no sample".
type convFunc func(v *value) bool

// argKind is the type HAProxy declares for a converter argument
// (ARGT_SINT, ARGT_STR, ...); each is read and checked when the expression
// is compiled, as HAProxy's make_arg_list does at parse time.
type argKind uint8

const (
	argSInt argKind = iota
	argStr
)

var argKindNames = [...]string{argSInt: "integer", argStr: "string"}

// convArgs are a converter's arguments once checked: n of them given,
// each read as its declared kind (the unused field is zero).
type convArgs struct {
	n    int
	ints []int64
	strs []string
}

// has says whether argument i was given.
func (a convArgs) has(i int) bool { return i < a.n }

// convDef is one row of the converter table, as HAProxy declares its
// converters: input and output sample types, argument kinds (the first
// min of them mandatory), and the builder that checks the arguments'
// values (HAProxy's val_args) and returns the function.
type convDef struct {
	in, out haproxy.SampleType
	args    []argKind
	min     int
	build   func(a convArgs) (convFunc, error)
	// keep is set when HAProxy's converter leaves the sample's type as
	// it came (lower, bytes, add, ...): out is only the declared type.
	keep bool
	// rbuild, when set, replaces build for a converter that may read the
	// request's variables (conv_vars.go): it returns either function.
	rbuild func(a convArgs) (convFunc, reqConvFunc, error)
}

// reqConvFunc is a converter that reads or writes variables.
type reqConvFunc func(r *proxy.RequestInfo, v *value) bool

// converters are the sample converters the engine evaluates, by name; the
// rows are in conv_str.go, conv_num.go and conv_hash.go.
var converters = map[string]convDef{}

// register adds rows to the converter table (each file registers its own).
func register(rows map[string]convDef) {
	for k, v := range rows {
		converters[k] = v
	}
}

// fixed is the builder of a converter whose function does not depend on
// its arguments.
func fixed(f convFunc) func(convArgs) (convFunc, error) {
	return func(convArgs) (convFunc, error) { return f, nil }
}

// readArgs checks c's arguments against def, with HAProxy's messages.
func readArgs(def convDef, c haproxy.Converter) (convArgs, error) {
	a := convArgs{n: len(c.Args), ints: make([]int64, len(def.args)), strs: make([]string, len(def.args))}
	if len(c.Args) > 0 && len(def.args) == 0 {
		return a, fmt.Errorf("converter '%s' does not support any args", c.Name)
	}
	if len(c.Args) > len(def.args) {
		return a, fmt.Errorf("invalid arg %d in converter '%s' : end of arguments expected at position %d, but got '%s'",
			len(def.args)+1, c.Name, len(def.args)+1, c.Args[len(def.args)].Str)
	}
	if len(c.Args) < def.min {
		return a, fmt.Errorf("invalid arg %d in converter '%s' : missing arguments (got %d/%d)", len(c.Args)+1, c.Name, len(c.Args), def.min)
	}
	for i, arg := range c.Args {
		switch def.args[i] {
		case argSInt:
			if arg.Str == "" && arg.Kind != haproxy.ArgSInt {
				// HAProxy 2.6 reads an empty last integer as 0 (xxh3(),
				// bytes(1,)); an empty one before another ends the list
				if err := emptyIntArg(c, i, def.min); err != nil {
					return a, err
				}
				continue
			}
			if arg.Kind != haproxy.ArgSInt {
				return a, fmt.Errorf("invalid arg %d in converter '%s' : failed to parse '%s' as type '%s'", i+1, c.Name, arg.Str, argKindNames[argSInt])
			}
			a.ints[i] = arg.Int
		default:
			a.strs[i] = arg.Str
		}
	}
	return a, nil
}

// emptyIntArg is HAProxy's verdict on c's empty integer argument i:
// the last one is 0 (nil), one before another is an error.
func emptyIntArg(c haproxy.Converter, i, min int) error {
	if i == len(c.Args)-1 {
		return nil
	}
	if i < min {
		return fmt.Errorf("invalid arg %d in converter '%s' : expected type '%s' at position %d, but got nothing", i+1, c.Name, argKindNames[argSInt], i+1)
	}
	return fmt.Errorf("invalid arg %d in converter '%s' : expected ')' before ','", i+1, c.Name)
}

// step is one compiled converter: the implicit cast to its input type,
// its function, then its output type unless the converter keeps the type
// (see convDef.keep). A converter of addresses (ipmask) keeps the family
// it computed: HAProxy declares ipv4 for the type check and casts from
// the actual type at run time.
type step struct {
	in, out haproxy.SampleType
	conv    convFunc
	rconv   reqConvFunc // instead of conv: the converter reads the request
	keep    bool
}

// compileConverters checks the chain after a fetch of type t: each
// converter must accept its input after an implicit cast, else HAProxy's
// "converter 'x' cannot be applied".
func compileConverters(t haproxy.SampleType, cs []haproxy.Converter) ([]step, haproxy.SampleType, error) {
	var steps []step
	for _, c := range cs {
		def, ok := converters[c.Name]
		if !ok {
			return nil, t, fmt.Errorf("unknown converter '%s'", c.Name)
		}
		if t != haproxy.SampleAny && def.in != haproxy.SampleAny && castOf(t, def.in) == nil { // var(): typed when read
			return nil, t, fmt.Errorf("converter '%s' cannot be applied", c.Name)
		}
		args, err := readArgs(def, c)
		if err != nil {
			return nil, t, err
		}
		var f convFunc
		var rf reqConvFunc
		if def.rbuild != nil {
			f, rf, err = def.rbuild(args)
		} else {
			f, err = def.build(args)
		}
		if err != nil {
			return nil, t, fmt.Errorf("invalid args in converter '%s' : %v", c.Name, err)
		}
		steps = append(steps, step{in: def.in, out: def.out, conv: f, rconv: rf, keep: def.keep || def.in == haproxy.SampleAddr})
		if def.in != haproxy.SampleAny || def.out != haproxy.SampleAny {
			t = def.out // (set-var and unset-var pass the sample on as it is)
		}
	}
	return steps, t, nil
}

// run applies the steps to v; false when a cast or a converter leaves no
// sample.
func run(r *proxy.RequestInfo, steps []step, v *value) bool {
	return len(steps) == 0 || runSteps(r, steps, v) // inlined: most fetches have no converter
}

// runSteps is run on at least one step.
func runSteps(r *proxy.RequestInfo, steps []step, v *value) bool {
	for _, s := range steps {
		if s.in != haproxy.SampleAny && v.t != s.in && !v.cast(s.in) {
			return false
		}
		if s.rconv != nil {
			if !s.rconv(r, v) {
				return false
			}
		} else if !s.conv(v) {
			return false
		}
		if !s.keep {
			v.t = s.out
		}
	}
	return true
}

// convText is the converters' part of a sample expression, for messages.
func convText(cs []haproxy.Converter) string {
	t := make([]string, len(cs))
	for i, c := range cs {
		t[i] = c.Text
	}
	return strings.Join(t, ",")
}
