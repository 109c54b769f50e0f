package container

import (
	"syscall"
	"testing"
)

func TestExitCode(t *testing.T) {
	tests := []struct {
		name string
		ws   syscall.WaitStatus // raw wait(2) status
		want int
	}{
		{"exit 0", 0 << 8, 0},
		{"exit 3", 3 << 8, 3},
		{"exit 255", 255 << 8, 255},
		{"SIGTERM", syscall.WaitStatus(syscall.SIGTERM), 143},
		{"SIGKILL", syscall.WaitStatus(syscall.SIGKILL), 137},
		{"SIGINT with core", syscall.WaitStatus(syscall.SIGSEGV) | 0x80, 139},
	}
	for _, tt := range tests {
		if got := exitCode(tt.ws); got != tt.want {
			t.Errorf("%s: exitCode = %d, want %d", tt.name, got, tt.want)
		}
	}
}
