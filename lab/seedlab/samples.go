package seedlab

import (
	"fmt"
	"time"
)

// Sample is one request of a client loop.
type Sample struct {
	Start  time.Time     // when the request was started
	Dur    time.Duration // until the response was read or the request failed
	Status int           // HTTP status, 0 if no response
	Body   string        // response body (trimmed)
	Err    string        // transport error, empty if a response came
}

// OK reports whether the request got a 200 response.
func (s Sample) OK() bool { return s.Err == "" && s.Status == 200 }

// Summary condenses the samples of one loop.
type Summary struct {
	Total  int
	Failed int
	// Gap is the longest outage: from the start of the last successful
	// request before a run of failures to the start of the first
	// successful one after it. Zero when nothing failed. When the loop
	// ended (or began) inside the run, the loop's end (start) bounds it
	// and Recovered is false.
	Gap       time.Duration
	GapFrom   time.Time
	GapTo     time.Time
	Recovered bool
	// Bodies counts the successful responses per body.
	Bodies map[string]int
}

// Summarize computes the summary of samples taken in order between begin
// and end (the loop's own bounds).
func Summarize(samples []Sample, begin, end time.Time) Summary {
	s := Summary{Total: len(samples), Bodies: map[string]int{}, Recovered: true}
	lastOK := begin // a run at the very start is measured from the loop start
	inRun := false
	for _, x := range samples {
		if x.OK() {
			s.Bodies[x.Body]++
			if inRun {
				if gap := x.Start.Sub(lastOK); gap > s.Gap {
					s.Gap, s.GapFrom, s.GapTo = gap, lastOK, x.Start
				}
				inRun = false
			}
			lastOK = x.Start
			continue
		}
		s.Failed++
		inRun = true
	}
	if inRun {
		if gap := end.Sub(lastOK); gap > s.Gap {
			s.Gap, s.GapFrom, s.GapTo = gap, lastOK, end
			s.Recovered = false
		}
	}
	return s
}

// String is a one-line human summary.
func (s Summary) String() string {
	if s.Failed == 0 {
		return fmt.Sprintf("%d requests, 0 failed", s.Total)
	}
	rec := ""
	if !s.Recovered {
		rec = " (not recovered by the end of the loop)"
	}
	return fmt.Sprintf("%d requests, %d failed, service gap %s%s", s.Total, s.Failed, s.Gap.Round(time.Millisecond), rec)
}
