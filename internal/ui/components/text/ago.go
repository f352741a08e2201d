package text

import (
	"time"
)

// Ago says how long before now t was, in words a person reads at a glance: "just now",
// "3 seconds ago", "1 minute ago", "5 hours ago", "yesterday", "9 days ago", then the date.
// Views call it at render time with the current time, so the words stay true as time passes
// (see NextTick for when to redraw).
func Ago(now, t time.Time) string {
	d := now.Sub(t)
	switch {
	case t.IsZero():
		return "never"
	case d < 0:
		return "just now" // a clock a little ahead (another machine's timestamp)
	case d < 2*time.Second:
		return "just now"
	case d < time.Minute:
		return Plural(int(d/time.Second), "second", "seconds") + " ago"
	case d < time.Hour:
		return Plural(int(d/time.Minute), "minute", "minutes") + " ago"
	case d < 24*time.Hour:
		return Plural(int(d/time.Hour), "hour", "hours") + " ago"
	case d < 48*time.Hour:
		return "yesterday"
	case d < 30*24*time.Hour:
		return Plural(int(d/(24*time.Hour)), "day", "days") + " ago"
	}
	return "on " + t.Local().Format("2 Jan 2006")
}

// NextTick is how long until Ago(now, t) may read differently: a second while it counts
// seconds, up to the next whole minute or hour after that. A view showing times schedules its
// next redraw with the smallest NextTick of what it shows.
func NextTick(now, t time.Time) time.Duration {
	d := now.Sub(t)
	switch {
	case t.IsZero() || d < 0:
		return time.Hour
	case d < time.Minute:
		return time.Second
	case d < time.Hour:
		return time.Minute - d%time.Minute
	case d < 48*time.Hour:
		return time.Hour - d%time.Hour
	}
	return time.Hour
}
