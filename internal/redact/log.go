package redact

import "log/slog"

// LogAttr is a slog.HandlerOptions.ReplaceAttr that keeps secrets out of log records:
// attributes with secret keys are masked, string, error and other values are cleaned with
// String. Use it with a handler writing through Writer, so the message is cleaned too.
func LogAttr(_ []string, a slog.Attr) slog.Attr {
	v := a.Value.Resolve()
	switch {
	case v.Kind() == slog.KindGroup:
		return a
	case IsSecretKey(a.Key) && !(v.Kind() == slog.KindString && v.String() == ""):
		a.Value = slog.StringValue(Mask)
	case v.Kind() == slog.KindString:
		a.Value = slog.StringValue(String(v.String()))
	case v.Kind() == slog.KindAny:
		if err, ok := v.Any().(error); ok {
			a.Value = slog.StringValue(String(err.Error()))
		} else {
			a.Value = slog.StringValue(String(v.String()))
		}
	}
	return a
}
