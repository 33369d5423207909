package keepalived

import "math"

// The vrrp_track_process block and the track_process lines of a
// vrrp_instance. The messages are keepalived 2.2.7's (measured with
// `keepalived -t`; testdata/keepalived/bad-track-process.conf).

// ParamMatch is how a tracked process's parameters are compared.
type ParamMatch uint8

const (
	// ParamNone: no parameters given and no param_match: the command
	// name (or, with full_command, the command line's first word) alone.
	ParamNone ParamMatch = iota
	// ParamExact: the parameters must be exactly those given (none
	// given: a bare param_match, the command must have none).
	ParamExact
	// ParamPartial: the first parameters must be those given, more may follow.
	ParamPartial
	// ParamInitial: as partial, and the last given may be a prefix of
	// the process's parameter in its place.
	ParamInitial
)

// quorumUnset is quorum_max while not given: no upper bound.
const quorumUnset = math.MaxInt32

func (t *typer) trackProcess(n *Node) {
	if !t.need(n, 1) {
		return
	}
	p := &TrackProcess{Name: n.Arg(0), Pos: n.Pos, Weight: 1, QuorumMax: quorumUnset}
	t.vtrackProcess = p
	for _, c := range n.Children {
		if !c.Keyword.Honoured() {
			t.unsupported(c)
			if !c.Keyword.Typed {
				continue
			}
		}
		if h := c.Keyword.handle; h != nil {
			h(t, c)
		}
		if t.aborted {
			return
		}
	}
	if p.Process == "" {
		t.errorf(n.End, "track process '%s' process name not specified", p.Name)
		return
	}
	if p.Quorum == 0 {
		// No quorum given: 1, or none at all under quorum_max 0 (then
		// the tracker is up while no process matches), since keepalived
		// checks quorum_max against a quorum given before it only.
		p.Quorum = min(1, p.QuorumMax)
	}
	t.cfg.TrackProcesses[p.Name] = p
}

// trackProcessProcess types process: the name, then the parameters.
func trackProcessProcess(t *typer, c *Node) {
	p := t.vtrackProcess
	if !t.need(c, 1) {
		return
	}
	if p.Process != "" {
		t.errorf(c.Pos, "Process already set for track process %s - ignoring %s", p.Name, c.Arg(0))
		return
	}
	p.Process = c.Arg(0)
	for _, a := range c.Args[1:] {
		p.Params = append(p.Params, a.Text)
	}
	if len(p.Params) > 0 && p.ParamMatch == ParamNone {
		p.ParamMatch = ParamExact
	}
}

// trackProcessParamMatch types param_match (bare: exact).
func trackProcessParamMatch(t *typer, c *Node) {
	p := t.vtrackProcess
	switch c.Arg(0) {
	case "":
		p.ParamMatch = ParamExact
	case "initial":
		p.ParamMatch = ParamInitial
	case "partial":
		p.ParamMatch = ParamPartial
	default:
		t.errorf(c.Pos, "Invalid param_match type %s - ignoring", c.Arg(0))
	}
}

// trackProcessFullCommand types full_command.
func trackProcessFullCommand(t *typer, c *Node) {
	t.vtrackProcess.FullCommand = true
}

// trackProcessWeight types weight.
func trackProcessWeight(t *typer, c *Node) {
	p := t.vtrackProcess
	if len(c.Args) == 0 {
		t.errorf(c.Pos, "No weight specified for track process %s - ignoring", p.Name)
		return
	}
	if p.weightSet {
		t.errorf(c.Pos, "Weight already set for track process %s - ignoring %s", p.Name, c.Arg(0))
		return
	}
	v, msg := c.Keyword.Range.integer(c.Arg(0))
	if msg != "" {
		t.number(c.Pos, msg)
		t.errorf(c.Pos, "Weight (%s) for vrrp_track_process %s must be between [%s..%s] inclusive. Ignoring...", c.Arg(0), p.Name, c.Keyword.Range.lo(), c.Keyword.Range.hi())
		return
	}
	p.Weight, p.weightSet = int(v), true
	if len(c.Args) > 1 {
		if c.Arg(1) == "reverse" {
			p.Reverse = true
		} else {
			t.errorf(c.Pos, "vrrp_track_process %s unknown weight option %s", p.Name, c.Arg(1))
		}
	}
}

// trackProcessQuorum types quorum and quorum_max.
func trackProcessQuorum(t *typer, c *Node) {
	p := t.vtrackProcess
	if !t.need(c, 1) {
		return
	}
	v, msg := c.Keyword.Range.unsigned(c.Arg(0))
	if msg != "" {
		t.number(c.Pos, msg)
		what := "Quorum"
		if c.Name() == "quorum_max" {
			what = "quorum_max"
		}
		t.errorf(c.Pos, "%s (%s) for vrrp_track_process %s must be between [%s..%s] inclusive. Ignoring...", what, c.Arg(0), p.Name, c.Keyword.Range.lo(), c.Keyword.Range.hi())
		return
	}
	if c.Name() == "quorum" {
		if int(v) > p.QuorumMax {
			t.errorf(c.Pos, "Quorum is greater than quorum_max - ignoring")
			return
		}
		p.Quorum = int(v)
		return
	}
	if p.Quorum != 0 && int(v) < p.Quorum {
		t.errorf(c.Pos, "quorum_max is less than quorum - ignoring")
		return
	}
	p.QuorumMax = int(v)
}

// trackProcessDelay types delay, fork_delay and terminate_delay (delay
// sets both).
func trackProcessDelay(t *typer, c *Node) {
	p := t.vtrackProcess
	if !t.need(c, 1) {
		return
	}
	v, msg := c.Keyword.Range.double(c.Arg(0))
	if msg != "" {
		t.number(c.Pos, msg)
		t.errorf(c.Pos, "%s (%s) for vrrp_track_process %s must be between [%s..%s] inclusive. Ignoring...", c.Name(), c.Arg(0), p.Name, c.Keyword.Range.lo(), c.Keyword.Range.hi())
		return
	}
	d := seconds(v)
	if c.Name() != "terminate_delay" {
		p.ForkDelay = d
	}
	if c.Name() != "fork_delay" {
		p.TerminateDelay = d
	}
}

// instTrackProcess types a vrrp_instance's track_process lines.
func instTrackProcess(t *typer, n *Node) {
	in := t.inst
	for _, l := range n.Values {
		if tr, ok := t.trackedProcess(l, in.Name, in.TrackProcesses); ok {
			in.TrackProcesses = append(in.TrackProcesses, tr)
		}
	}
}

// syncGroupTrackProcess types a vrrp_sync_group's track_process lines.
func syncGroupTrackProcess(t *typer, n *Node) {
	sg := t.vsyncGroup
	for _, l := range n.Values {
		if tr, ok := t.trackedProcess(l, sg.Name, sg.TrackProcesses); ok {
			sg.TrackProcesses = append(sg.TrackProcesses, tr)
		}
	}
}

// trackedProcess parses "NAME [weight W [reverse|noreverse]]" as
// keepalived's alloc_track_process: unlike the other trackers, the
// process is looked up and checked for duplicates first, the options are
// positional, and a bad weight keeps the process's own.
func (t *typer) trackedProcess(l Line, owner string, have []Tracked) (Tracked, bool) {
	name := l.Tokens[0].Text
	tr := Tracked{Name: name, Pos: l.Pos}
	p, ok := t.cfg.TrackProcesses[name]
	if !ok {
		t.errorf(l.Pos, "(%s) track process %s not found, ignoring...", owner, name)
		return tr, false
	}
	for _, h := range have {
		if h.Name == name {
			t.errorf(l.Pos, "(%s) duplicate track_process %s - ignoring", owner, name)
			return tr, false
		}
	}
	tr.Weight, tr.Reverse, tr.HasWeight = p.Weight, p.Reverse, true
	words := make([]string, 0, len(l.Tokens))
	for _, tk := range l.Tokens {
		words = append(words, tk.Text)
	}
	if len(words) < 2 {
		return tr, true
	}
	if words[1] != "weight" {
		t.errorf(l.Pos, "(%s) unknown track process option %s - ignoring", owner, words[1])
		return tr, false
	}
	if len(words) == 2 {
		t.errorf(l.Pos, "(%s) weight without value specified for track process %s - ignoring", owner, name)
		return tr, false
	}
	if v, msg := readInt(words[2], -254, 254); msg != "" {
		t.number(l.Pos, msg)
		t.errorf(l.Pos, "(%s) weight for track process %s must be in [-254..254] inclusive. Ignoring...", owner, name)
	} else {
		tr.Weight = int(v)
	}
	if len(words) >= 4 {
		switch words[3] {
		case "reverse":
			tr.Reverse = true
		case "noreverse":
			tr.Reverse = false
		default:
			t.errorf(l.Pos, "(%s) unknown track_process %s weight option %s - ignoring", owner, name, words[3])
			return tr, false
		}
	}
	return tr, true
}
