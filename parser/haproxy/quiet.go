package haproxy

// quietMarker is the text of the goha-only diagnostic recorded where global
// "quiet" appears; applyQuiet cuts the output there.
const quietMarker = "goha: quiet"

// applyQuiet applies global "quiet" as HAProxy does at -c: every message
// after the keyword (in reading order, post-parse checks included) and the
// final "Configuration file is valid"-style lines are not printed; the exit
// status is unchanged. The silenced messages are kept in Result.Silenced
// (HAProxy prints them anyway with -V: Result.Unquiet). Goha's own notices
// stay.
func applyQuiet(r *Result) {
	at := -1
	for i, d := range r.Diags.List {
		if d.Goha && d.Text == quietMarker {
			at = i
			break
		}
	}
	if at < 0 {
		return
	}
	var kept, all []Diagnostic
	for i, d := range r.Diags.List {
		switch {
		case d.Goha && d.Text == quietMarker:
			continue
		case i < at || d.Goha:
			kept = append(kept, d)
		default:
			r.Silenced = append(r.Silenced, d)
		}
		all = append(all, d)
	}
	r.Diags.List, r.unquieted = kept, all
	r.SilencedStdout, r.Stdout = r.Stdout, nil
	r.Quiet = true
}

// Unquiet undoes global "quiet" on a result, as HAProxy's -V does: every
// message is printed again, in order, with the verdict lines. Call it
// before adding diagnostics of one's own.
func (r *Result) Unquiet() {
	if !r.Quiet {
		return
	}
	r.Diags.List, r.Stdout = r.unquieted, r.SilencedStdout
	r.Quiet, r.Silenced, r.SilencedStdout, r.unquieted = false, nil, nil, nil
}
