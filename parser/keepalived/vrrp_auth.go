package keepalived

// completeAuth continues keepalived 2.2.7's chain of authentication checks
// after the strict-mode and VRRPv3 ones (each earlier rule clears AuthType,
// so at most one message is printed per instance, as keepalived's
// else-if chain does).
//
// An AH instance that would start as MASTER without being the address
// owner starts as BACKUP instead: keepalived needs a peer's advert to learn
// the AH sequence number before it may take over. An AH instance with IPv6
// cannot reach this point (IPv6 instances are VRRPv3).
//
// gokeepalived's runtime speaks PASS or no authentication only: AH that
// survives keepalived's checks (strict mode and VRRPv3 drop it, as does a
// missing password) is an unsupported feature, reported on its line.
func (t *typer) completeAuth(in *Instance) {
	switch {
	case in.AuthType == "":
		return
	case in.AuthPass == [8]byte{}:
		t.add(Pos{}, ClassGeneral, "add `auth_pass` to the authentication block, or remove the block",
			"(%s) Authentication specified but no password given. Ignoring", in.Name)
		in.AuthType = ""
		return
	case in.AuthType == "AH" && in.State == "MASTER" && in.Priority != 255:
		t.add(Pos{}, ClassGeneral, "use `state BACKUP`: with AH the instance must hear the master's sequence number before taking over",
			"(%s) Initial state master is incompatible with AH authentication - clearing", in.Name)
		in.State = "BACKUP"
	}
	if in.AuthType == "AH" {
		t.refuse(in.authPos, "auth_type AH", "use auth_type PASS (VRRPv2) or no authentication",
			"'auth_type AH' is parsed but not supported by gokeepalived yet: adverts are sent without authentication")
	}
}
