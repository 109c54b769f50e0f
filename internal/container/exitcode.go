package container

import "syscall"

// exitCode maps a wait status to a shell-style exit code: the child's own
// code, or 128+signal when a signal ended it (143 for SIGTERM).
func exitCode(ws syscall.WaitStatus) int {
	switch {
	case ws.Exited():
		return ws.ExitStatus()
	case ws.Signaled():
		return 128 + int(ws.Signal())
	}
	return 1
}
