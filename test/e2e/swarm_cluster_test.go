//go:build e2e

package e2e

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// The swarm suite's cluster: three Docker-in-Docker nodes (one manager, two
// workers) and a registry, as containers on a dedicated subnet of the test
// engine. The nodes are not --privileged (which this kind of VM refuses);
// these are the capabilities and options dockerd needs instead.
var clNodeFlags = []string{
	"--cap-add", "ALL", "--cap-drop", "SYS_RESOURCE",
	"--security-opt", "seccomp=unconfined", "--security-opt", "systempaths=unconfined",
	"--device-cgroup-rule", "a *:* rwm",
}

const (
	clLabel    = "io.wpstack.e2e.cluster"
	clNetLabel = "io.wpstack.e2e.cluster.net"
	clImgNode  = "wpt-g-node:e2e"
	clImgReg   = "wpt-g-registry:e2e"
	clBaseTag  = "wpstack/base:bookworm"
)

// clOctet is the third octet of the cluster's subnet, 172.31.N.0/24: 250
// unless WPSTACK_E2E_CLUSTER_NET says otherwise, so that two suites can
// each run a cluster on one engine without removing each other's.
func clOctet() string {
	if v := os.Getenv("WPSTACK_E2E_CLUSTER_NET"); v != "" {
		return v
	}
	return "250"
}

type clNode struct {
	name, ip, sock string
}

// with returns c bound to t, so a subtest's failures stop the subtest.
func (c *cluster) with(t *testing.T) *cluster {
	d := *c
	d.t = t
	return &d
}

// host is the DOCKER_HOST value that reaches the node's engine.
func (n clNode) host() string { return "unix://" + n.sock }

type cluster struct {
	t        *testing.T
	run      string // unique per run: wpt-g-<hex>
	network  string
	registry string // HOST:PORT every node pulls from
	shared   string // host folder mounted at /mnt/shared on every node
	dir      string
	nodes    []clNode
}

// clDocker runs the docker CLI (on the test engine unless args say -H).
func clDocker(ctx context.Context, stdin io.Reader, args ...string) (string, error) {
	cmd := exec.CommandContext(ctx, "docker", args...)
	cmd.Stdin = stdin
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	return strings.TrimSpace(out.String()), err
}

func (c *cluster) must(args ...string) string {
	c.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	out, err := clDocker(ctx, nil, args...)
	if err != nil {
		c.t.Fatalf("docker %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return out
}

// node runs the docker CLI against node i's engine.
func (c *cluster) node(i int, args ...string) string {
	c.t.Helper()
	return c.must(append([]string{"-H", c.nodes[i].host()}, args...)...)
}

// startCluster builds the node and registry images, starts the registry and
// three nodes, forms the swarm and loads the base image on the manager. It
// removes everything it made when the test ends, and first removes what a
// killed earlier run left (found by label, never by name pattern).
func startCluster(t *testing.T) *cluster {
	t.Helper()
	b := make([]byte, 3)
	_, _ = rand.Read(b)
	dir, err := os.MkdirTemp("", "wpt-g-")
	if err != nil {
		t.Fatal(err)
	}
	oct := clOctet()
	clSubnet, clRegIP, clNodeBase := "172.31."+oct+".0/24", "172.31."+oct+".2", "172.31."+oct+".1" // node IP: base + node number
	c := &cluster{t: t, run: "wpt-g-" + hex.EncodeToString(b), dir: dir, registry: clRegIP + ":5000"}
	c.network = c.run + "-net"
	c.shared = filepath.Join(dir, "shared")
	clRemoveLabelled(t)
	t.Cleanup(c.teardown)
	start := time.Now()
	for img, ctxDir := range map[string]string{clImgNode: "testdata/swarmnode", clImgReg: "testdata/registry"} {
		c.must("build", "-q", "--build-arg", "BASE="+clBaseTag, "-t", img, ctxDir)
	}
	t.Logf("cluster images ready in %s", time.Since(start).Round(time.Second))
	start = time.Now()
	netLabel := clNetLabel + "=" + oct
	c.must("network", "create", "--subnet", clSubnet, "--label", clLabel+"="+c.run, "--label", netLabel, c.network)
	c.must("run", "-d", "--name", c.run+"-registry", "--label", clLabel+"="+c.run, "--label", netLabel,
		"--network", c.network, "--ip", clRegIP, clImgReg)
	if err := os.MkdirAll(c.shared, 0o755); err != nil {
		t.Fatal(err)
	}
	dns := hostNameservers()
	for i := 1; i <= 3; i++ {
		n := clNode{name: fmt.Sprintf("%s-n%d", c.run, i), ip: fmt.Sprintf("%s%d", clNodeBase, i)}
		sockDir := filepath.Join(dir, fmt.Sprintf("n%d", i))
		if err := os.MkdirAll(sockDir, 0o755); err != nil {
			t.Fatal(err)
		}
		n.sock = filepath.Join(sockDir, "docker.sock")
		args := []string{"run", "-d", "--name", n.name, "--hostname", n.name, "--label", clLabel + "=" + c.run, "--label", netLabel,
			"--network", c.network, "--ip", n.ip,
			"--mount", "type=volume,source=" + n.name + "-docker,target=/var/lib/docker,volume-label=" + clLabel + "=" + c.run + ",volume-label=" + netLabel,
			"-v", sockDir + ":/run/ext", "-v", c.shared + ":/mnt/shared"}
		args = append(args, clNodeFlags...)
		args = append(args, clImgNode, "-H", "unix:///run/ext/docker.sock", "-H", "unix:///var/run/docker.sock", "--insecure-registry", c.registry)
		for _, ns := range dns {
			args = append(args, "--dns", ns)
		}
		c.must(args...)
		c.nodes = append(c.nodes, n)
	}
	for i := range c.nodes {
		c.waitEngine(i, time.Minute)
	}
	c.node(0, "swarm", "init", "--advertise-addr", c.nodes[0].ip, "--dispatcher-heartbeat", "1s")
	token := c.node(0, "swarm", "join-token", "-q", "worker")
	for i := 1; i < len(c.nodes); i++ {
		c.node(i, "swarm", "join", "--token", token, c.nodes[0].ip+":2377")
	}
	t.Logf("3-node swarm and registry up in %s", time.Since(start).Round(100*time.Millisecond))
	c.loadBase()
	return c
}

// loadBase copies the base image to the manager, where wpstack builds.
func (c *cluster) loadBase() {
	c.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	save := exec.CommandContext(ctx, "docker", "save", clBaseTag)
	pipe, err := save.StdoutPipe()
	if err != nil {
		c.t.Fatal(err)
	}
	if err := save.Start(); err != nil {
		c.t.Fatal(err)
	}
	out, err := clDocker(ctx, pipe, "-H", c.nodes[0].host(), "load")
	if werr := save.Wait(); err != nil || werr != nil {
		c.t.Fatalf("load %s into the manager: %v %v\n%s", clBaseTag, err, werr, out)
	}
}

func (c *cluster) waitEngine(i int, timeout time.Duration) {
	c.t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		out, err := clDocker(ctx, nil, "-H", c.nodes[i].host(), "version", "--format", "{{.Server.Version}}")
		cancel()
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			logs, _ := clDocker(context.Background(), nil, "logs", "--tail", "30", c.nodes[i].name)
			c.t.Fatalf("engine of node %s did not answer within %s: %v %s\n%s", c.nodes[i].name, timeout, err, out, logs)
		}
		time.Sleep(300 * time.Millisecond)
	}
}

// waitNodeReady polls the manager until node i is Ready in the swarm.
func (c *cluster) waitNodeReady(i int, timeout time.Duration) {
	c.t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		out := c.node(0, "node", "ls", "--format", "{{.Hostname}} {{.Status}}")
		if strings.Contains(out, c.nodes[i].name+" Ready") {
			return
		}
		if time.Now().After(deadline) {
			c.t.Fatalf("node %s not Ready within %s:\n%s", c.nodes[i].name, timeout, out)
		}
		time.Sleep(500 * time.Millisecond)
	}
}

// memory reports each node container's memory use, as docker stats sees it.
func (c *cluster) memory() string {
	names := []string{"stats", "--no-stream", "--format", "{{.Name}} {{.MemUsage}}"}
	for _, n := range c.nodes {
		names = append(names, n.name)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	out, _ := clDocker(ctx, nil, names...)
	return out
}

func (c *cluster) teardown() {
	clRemoveLabelledRun(c.t, c.run)
	_ = os.RemoveAll(c.dir)
}

// clRemoveLabelled removes every cluster a killed earlier run left on this
// cluster subnet.
func clRemoveLabelled(t *testing.T) { clRemoveLabelledRun(t, "") }

func clRemoveLabelledRun(t *testing.T, run string) {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	filter := clNetLabel + "=" + clOctet()
	if run != "" {
		filter = clLabel + "=" + run
	}
	if ids, _ := clDocker(ctx, nil, "ps", "-aq", "--filter", "label="+filter); ids != "" {
		if out, err := clDocker(ctx, nil, append([]string{"rm", "-f", "-v"}, strings.Fields(ids)...)...); err != nil {
			t.Logf("remove cluster containers: %v %s", err, out)
		}
	}
	if vols, _ := clDocker(ctx, nil, "volume", "ls", "-q", "--filter", "label="+filter); vols != "" {
		if out, err := clDocker(ctx, nil, append([]string{"volume", "rm"}, strings.Fields(vols)...)...); err != nil {
			t.Logf("remove cluster volumes: %v %s", err, out)
		}
	}
	if ids, _ := clDocker(ctx, nil, "network", "ls", "-q", "--filter", "label="+filter); ids != "" {
		if out, err := clDocker(ctx, nil, append([]string{"network", "rm"}, strings.Fields(ids)...)...); err != nil {
			t.Logf("remove cluster network: %v %s", err, out)
		}
	}
}

// hostNameservers are the test machine's resolvers: the nodes' dockerd
// hands them to what it runs (builds need Debian's mirror), as a resolver
// on the loopback would not work inside the nodes.
func hostNameservers() []string {
	b, err := os.ReadFile("/etc/resolv.conf")
	if err != nil {
		return nil
	}
	var out []string
	for _, line := range strings.Split(string(b), "\n") {
		f := strings.Fields(line)
		if len(f) == 2 && f[0] == "nameserver" && !strings.HasPrefix(f[1], "127.") && !strings.Contains(f[1], ":") {
			out = append(out, f[1])
		}
	}
	return out
}
