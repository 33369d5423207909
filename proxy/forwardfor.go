package proxy

import (
	"errors"
	"net/netip"
)

// ForwardFor is `option forwardfor [except NET] [header NAME] [if-none]`.
type ForwardFor struct {
	Enabled bool
	Except  netip.Prefix // clients inside it get no header (zero = none)
	Header  string       // the header's name; required when Enabled
	IfNone  bool         // only add when the request has none
}

// validate refuses an enabled ForwardFor without a header name: the
// configuration adapter fills HAProxy's default name (parser/haproxy
// defaults.go), the data path does not guess one.
func (ff ForwardFor) validate() error {
	if ff.Enabled && ff.Header == "" {
		return errors.New("option forwardfor without a header name")
	}
	return nil
}
