//go:build !linux

package images

import "os/exec"

// debootstrap only runs on Linux; elsewhere these do nothing.
func killGroup(*exec.Cmd) {}
func unmountUnder(string) {}
