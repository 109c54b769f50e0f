package target

// Overall folds service states into one word of the target vocabulary:
// Down when nothing is desired; Degraded when a desired service has
// nothing running; Starting while tasks converge, health checks have not
// passed yet or a rolling update is under way; else Running. A service
// without a health check counts as healthy once it runs.
func Overall(svcs []ServiceStatus) string {
	desired, short := 0, false
	starting := false
	for _, s := range svcs {
		desired += s.Desired
		if s.Desired == 0 {
			continue
		}
		switch {
		case s.Running == 0:
			short = true
		case s.Running < s.Desired:
			starting = true
		case s.UpdateState == "updating" || s.UpdateState == "rollback_started":
			starting = true
		case s.Health != "" && s.Health != "none" && s.Health != "healthy":
			starting = true
		}
	}
	switch {
	case desired == 0:
		return Down
	case short:
		return Degraded
	case starting:
		return Starting
	default:
		return Running
	}
}
