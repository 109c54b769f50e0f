package main

import (
	"bufio"
	"context"
	"os"
	"os/exec"
	"runtime"
	"strings"
)

// Machine is what every figure is measured on.
type Machine struct {
	Host          string `json:"host"`
	Cores         int    `json:"cores"`
	CPUModel      string `json:"cpu_model"`
	MemTotalMiB   int    `json:"mem_total_mib"`
	LoadAtStart   string `json:"load_average_at_start"`
	LoadAtEnd     string `json:"load_average_at_end"`
	Kernel        string `json:"kernel"`
	DockerVersion string `json:"docker_version"`
}

func readMachine(ctx context.Context) Machine {
	m := Machine{Cores: runtime.NumCPU(), LoadAtStart: loadAverage()}
	m.Host, _ = os.Hostname()
	if f, err := os.Open("/proc/cpuinfo"); err == nil {
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			if k, v, ok := strings.Cut(sc.Text(), ":"); ok && strings.TrimSpace(k) == "model name" {
				m.CPUModel = strings.TrimSpace(v)
				break
			}
		}
		f.Close()
	}
	if b, err := os.ReadFile("/proc/meminfo"); err == nil {
		for _, l := range strings.Split(string(b), "\n") {
			if f := strings.Fields(l); len(f) >= 2 && f[0] == "MemTotal:" {
				var kb int
				for _, c := range f[1] {
					kb = kb*10 + int(c-'0')
				}
				m.MemTotalMiB = kb / 1024
			}
		}
	}
	if b, err := os.ReadFile("/proc/sys/kernel/osrelease"); err == nil {
		m.Kernel = strings.TrimSpace(string(b))
	}
	if out, err := exec.CommandContext(ctx, "docker", "version", "--format", "{{.Server.Version}}").Output(); err == nil {
		m.DockerVersion = strings.TrimSpace(string(out))
	}
	return m
}

// loadAverage is the first three fields of /proc/loadavg.
func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "unknown"
	}
	return strings.Join(f[:3], " ")
}
