package acl

import (
	"github.com/goha-lb/goha/parser/haproxy"
	"github.com/goha-lb/goha/proxy"
)

// varCondFlags are set-var's conditions (the parser checked the words).
var varCondFlags = map[string]proxy.VarCond{
	"ifexists": proxy.VarIfExists, "ifnotexists": proxy.VarIfNotExists,
	"ifempty": proxy.VarIfEmpty, "ifnotempty": proxy.VarIfNotEmpty,
	"ifset": proxy.VarIfSet, "ifnotset": proxy.VarIfNotSet,
	"ifgt": proxy.VarIfGT, "iflt": proxy.VarIfLT,
}

func varConds(conds []string) proxy.VarCond {
	var c proxy.VarCond
	for _, w := range conds {
		c |= varCondFlags[w]
	}
	return c
}

// varKind is what the conditions see of a sample type.
func varKind(t haproxy.SampleType) proxy.VarKind {
	switch t {
	case haproxy.SampleStr, haproxy.SampleBin:
		return proxy.VarText
	case haproxy.SampleSInt:
		return proxy.VarInt
	}
	return proxy.VarScalar
}
