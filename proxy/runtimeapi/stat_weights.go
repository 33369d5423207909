package runtimeapi

import "github.com/goha-lb/goha/proxy/balance"

// backendWeights returns HAProxy's backend weight (active servers'
// weights, or the backups' when no active server is usable) and the
// counts of usable active and backup servers.
func backendWeights(b *Backend) (weight, act, bck int64) {
	var wact, wbck int64
	for i := range b.Servers {
		sv := &b.Servers[i]
		if !usable(sv) {
			continue
		}
		if sv.Backup {
			bck++
			wbck += int64(sv.Weight * warmOf(sv))
		} else {
			act++
			wact += int64(sv.Weight * warmOf(sv))
		}
	}
	// HAProxy sums effective weights (sixteenths of a weight) and rounds
	// the total up
	up := func(w int64) int64 { return (w + balance.WeightScale - 1) / balance.WeightScale }
	if act > 0 {
		return up(wact), act, bck
	}
	return up(wbck), act, bck
}

// backendUWeight is HAProxy's backend uweight: the user weights of the
// servers backendWeights counts, with no slow start applied.
func backendUWeight(b *Backend) int64 {
	var wact, wbck int64
	for i := range b.Servers {
		sv := &b.Servers[i]
		switch {
		case !usable(sv):
		case sv.Backup:
			wbck += int64(sv.Weight)
		default:
			wact += int64(sv.Weight)
		}
	}
	if wact > 0 {
		return wact
	}
	return wbck
}

// warmOf is a server's effective weight factor: its slow-start step, or
// the full scale.
func warmOf(sv *Server) int {
	if sv.Warm > 0 {
		return sv.Warm
	}
	return balance.WeightScale
}
