package check

// tune.vars.check-max-size, and tune.vars.sess-max-size over a check's
// own session, as HAProxy 2.6 accounts check variables (vars.c, measured
// on 2.6.12 beside goha: TestDifferentialCheckVarLimits). A variable
// costs 80 bytes once created (sizeof(struct var)) plus the bytes of a
// string or binary value while it holds one. A check variable counts in
// the check's level and in its session's, which holds nothing else, so
// the smaller of the two limits is the one that bites. A set that does
// not fit fails silently: a variable that cannot be created stays
// absent; one created whose bytes do not fit is left a boolean (HAProxy
// keeps whatever its memory held as the value; goha's is 0). An unset
// gives the variable's bytes back; a run starts with none (HAProxy
// prunes them before each run).

// SetVarLimit caps the variables of the request's variable steps
// (VarLimit), once they are added.
func (r *ProbeRequest) SetVarLimit(n int64) {
	if r.dyn != nil {
		r.dyn.limit = n
	}
}

// varCost is HAProxy 2.6's sizeof(struct var) on 64-bit.
const varCost = 80

// VarLimit is the byte limit of a check run's variables from the two
// limits (0: none).
func VarLimit(checkMax, sessMax int64) int64 {
	switch {
	case checkMax == 0:
		return sessMax
	case sessMax == 0:
		return checkMax
	}
	return min(checkMax, sessMax)
}

// valBytes is what a value costs beyond its variable.
func valBytes(v checkVal) int64 {
	if v.isInt {
		return 0
	}
	return int64(len(v.b))
}

// set stores v in variable key within the limit.
func (env *checkEnv) set(key string, v checkVal) {
	if env.limit == 0 {
		env.vars[key] = v
		return
	}
	old, exists := env.vars[key]
	if !exists {
		if env.size+varCost > env.limit {
			return // not created
		}
		env.size += varCost
	}
	env.size -= valBytes(old) // the old value's bytes are freed first
	n := valBytes(v)
	if env.size+n > env.limit {
		env.vars[key] = checkVal{isInt: true} // a boolean 0
		return
	}
	env.size += n
	env.vars[key] = v
}

// unset removes variable key, its bytes given back.
func (env *checkEnv) unset(key string) {
	if old, ok := env.vars[key]; ok && env.limit != 0 {
		env.size -= varCost + valBytes(old)
	}
	delete(env.vars, key)
}
