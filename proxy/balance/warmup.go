package balance

// WeightScale is HAProxy's BE_WEIGHT_SCALE: the dynamic balancers work on
// effective weights 16 times the user weight, so a slow start can ramp a
// server up in sixteenths.
const WeightScale = 16

// WarmedWeight is the weight a starting server (Warm, 1..16) shows in
// `show stat` and the balancer uses: weight*warm/16 rounded up, as
// HAProxy rounds its effective weight back to a user weight.
func WarmedWeight(weight, warm int) int {
	if warm <= 0 {
		return weight
	}
	return (weight*warm + WeightScale - 1) / WeightScale
}

// Throttle is `show stat` throttle of a starting server: the percentage
// of its weight it takes, as HAProxy's server_throttle_rate rounds it
// (100 for a weight of 0).
func Throttle(weight, warm int) int {
	if weight == 0 {
		return 100
	}
	return (100*weight*warm + WeightScale - 1) / (WeightScale * weight)
}
