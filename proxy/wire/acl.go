package wire

import (
	"errors"

	"github.com/goha-lb/goha/parser/haproxy"
	"github.com/goha-lb/goha/proxy"
)

// aclSet resolves a proxy's named ACLs for conditions.
type aclSet struct {
	px *haproxy.Proxy
}

func newACLSet(px *haproxy.Proxy) *aclSet { return &aclSet{px: px} }

// compile turns a condition into a proxy.Condition.
func (s *aclSet) compile(c *haproxy.Condition) (proxy.Condition, error) {
	return nil, errors.New("ACL conditions")
}
