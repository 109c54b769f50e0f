//go:build e2e

package e2e

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// The load every rolling change runs under, through the manager's edge.
const swarmLoadRate = 25

type swarmStatus struct {
	State   string `json:"state"`
	URL     string `json:"url"`
	Cluster struct {
		Nodes    int    `json:"nodes"`
		DBNode   string `json:"db_node"`
		Services []struct {
			Name        string         `json:"name"`
			Desired     int            `json:"desired"`
			Running     int            `json:"running"`
			PerNode     map[string]int `json:"per_node"`
			Image       string         `json:"image"`
			UpdateState string         `json:"update_state"`
		} `json:"services"`
	} `json:"cluster"`
}

func (s swarmStatus) service(name string) (desired, running int, perNode map[string]int, image string) {
	for _, sv := range s.Cluster.Services {
		if sv.Name == name {
			return sv.Desired, sv.Running, sv.PerNode, sv.Image
		}
	}
	return 0, 0, nil, ""
}

// TestSwarm runs one site on a real 3-node swarm through its whole life:
// deploy, spread, shared uploads, scale, rolling update and rollback under
// load, a broken release rolled back by itself, a lost worker, destroy.
func TestSwarm(t *testing.T) {
	cl := startCluster(t)
	e := newEnv(t)
	e.extra = append(e.extra, "DOCKER_HOST="+cl.nodes[0].host())
	name := siteName("e2e5-sw")
	port := 8080
	edge := newEdgeClient(cl.nodes[0].ip, port)
	if err := os.MkdirAll(filepath.Join(cl.shared, name), 0o755); err != nil {
		t.Fatal(err)
	}
	status := func(e *env) swarmStatus {
		e.t.Helper()
		var st swarmStatus
		r := e.mustRun("status", name, "--json")
		if err := json.Unmarshal([]byte(r.stdout), &st); err != nil {
			e.t.Fatalf("status --json: %v\n%s", err, r.stdout)
		}
		return st
	}
	destroyed := false
	// A subtest -run leaves out reports success: the site's later checks
	// need to know it was deployed.
	deployed := false
	t.Cleanup(func() {
		if !destroyed {
			e.run("destroy", name, "--yes")
		}
	})

	// Bad input first: nothing may be made.
	e.mustFail([]string{"--registry"}, "up", name, "--target", "swarm", "--replicas", "2", "--port", fmt.Sprint(port),
		"--shared-storage", "/mnt/shared/"+name)
	e.mustFail([]string{"--shared-storage"}, "up", name, "--target", "swarm", "--replicas", "2", "--port", fmt.Sprint(port),
		"--registry", cl.registry)
	if out := cl.node(0, "service", "ls", "-q"); out != "" {
		t.Fatalf("a refused up left services: %s", out)
	}

	if !t.Run("deploy", func(t *testing.T) {
		e, cl := e.with(t), cl.with(t)
		r := e.mustRun("up", name, "--target", "swarm", "--replicas", "2", "--registry", cl.registry, "--port", fmt.Sprint(port),
			"--shared-storage", "/mnt/shared/"+name, "--wordpress-source", "debian")
		t.Logf("MEASURE deploy (build on the manager, push, deploy, install): %s", r.took.Round(100*time.Millisecond))
		st := status(e)
		_, running, perNode, _ := st.service("web")
		if running != 2 || len(perNode) != 2 {
			t.Fatalf("web: %d running on nodes %v, want 2 on 2 nodes", running, perNode)
		}
		if st.Cluster.DBNode != cl.nodes[0].name {
			t.Errorf("db pinned to %q, want the manager %s", st.Cluster.DBNode, cl.nodes[0].name)
		}
		if out := e.mustRun("status", name).stdout; !strings.Contains(out, "db pinned to node "+cl.nodes[0].name) || !strings.Contains(out, "WordPress 6.") {
			t.Errorf("status does not say where the db is pinned or which WordPress runs:\n%s", out)
		}
		if _, running, perNode, _ := st.service("edge"); running != 3 || len(perNode) != 3 {
			t.Errorf("edge: %d running on %v, want one per node", running, perNode)
		}
		if _, running, _, _ := st.service("cron"); running != 1 {
			t.Errorf("cron runners: %d, want exactly 1", running)
		}
		// The one WP-Cron runner runs, and its logs come back from its node.
		if r := e.mustRun("logs", name, "--service", "cron", "--tail", "20"); !strings.Contains(r.stdout, "cron: requesting http://web/wp-cron.php") {
			t.Errorf("cron runner logs do not show it running:\n%s", r.stdout)
		}
		served := replicasAnswering(t, edge, 20)
		if len(served) != 2 {
			t.Fatalf("replicas answering through the edge: %v, want 2", served)
		}
		t.Logf("memory per node after deploy:\n%s", cl.memory())
		deployed = true
	}) {
		return
	}

	t.Run("mail kept in one mailbox", func(t *testing.T) { swarmMail(t, e.with(t), edge, name) })

	t.Run("missing shared storage is refused naming the nodes", func(t *testing.T) {
		e, cl := e.with(t), cl.with(t)
		other := siteName("e2e5-nf")
		t.Cleanup(func() { e.run("destroy", other, "--yes") })
		// Present on the first node only (not under the folder all nodes share).
		dir := "/srv/" + other
		if out, err := clDocker(context.Background(), nil, "exec", cl.nodes[0].name, "mkdir", "-p", dir); err != nil {
			t.Fatalf("mkdir on node %s: %v: %s", cl.nodes[0].name, err, out)
		}
		r := e.mustFail([]string{dir, "missing", cl.nodes[1].name, cl.nodes[2].name, "nothing was deployed"},
			"up", other, "--target", "swarm", "--replicas", "2", "--registry", cl.registry, "--port", "8091",
			"--shared-storage", dir, "--wordpress-source", "debian")
		t.Logf("MEASURE missing shared storage refused: %s", r.took.Round(100*time.Millisecond))
		if strings.Contains(r.stderr, cl.nodes[0].name+",") || strings.Contains(r.stderr, "node "+cl.nodes[0].name) {
			t.Errorf("the error names node %s, which has the folder:\n%s", cl.nodes[0].name, r.stderr)
		}
		for what, args := range map[string][]string{
			"services": {"service", "ls", "-q", "--filter", "name=" + other},
			"networks": {"network", "ls", "-q", "--filter", "name=" + other},
			"secrets":  {"secret", "ls", "-q", "--filter", "name=" + other},
		} {
			if out := cl.node(0, args...); out != "" {
				t.Errorf("a refused up left %s: %s", what, out)
			}
		}
	})

	// A site of its own, destroyed before the checks under load; runs
	// alone with -run 'TestSwarm/domain_edge'.
	t.Run("domain edge", func(t *testing.T) { swarmEdge(t, e.with(t), cl.with(t)) })
	if !deployed {
		return // -run 'TestSwarm/domain_edge' alone: no main site
	}

	uploaded := ""
	t.Run("upload via one replica, read via the other", func(t *testing.T) {
		e := e.with(t)
		pw := readFile(t, filepath.Join(e.home, "sites", name, "secrets", "admin_password"))
		url, by := uploadPNG(t, edge, "admin", pw)
		path := url[strings.Index(url, "/wp-content/"):]
		uploaded = path
		want := tinyPNG(t)
		deadline := time.Now().Add(30 * time.Second)
		for {
			status, body, other, err := edge.do(context.Background(), http.MethodGet, path, nil, "")
			if err != nil || status != 200 || !bytes.Equal(body, want) {
				t.Fatalf("GET %s via %s: %d %v (%d bytes)", path, other, status, err, len(body))
			}
			if other != by {
				t.Logf("uploaded through %s, read through %s", by, other)
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("every read of %s came from %s, the replica it was uploaded through", path, by)
			}
		}
	})

	if !t.Run("scale 2 to 4 to 2", func(t *testing.T) {
		e := e.with(t)
		for _, n := range []int{4, 2} {
			r := e.mustRun("scale", name, fmt.Sprint(n))
			t.Logf("MEASURE scale to %d: %s", n, r.took.Round(100*time.Millisecond))
			if _, running, _, _ := status(e).service("web"); running != n {
				t.Fatalf("after scale %d: %d web replicas running", n, running)
			}
			if served := replicasAnswering(t, edge, 10*n); len(served) != n {
				t.Fatalf("after scale %d the edge reached %d replicas: %v", n, len(served), served)
			}
		}
	}) {
		return
	}

	_, _, _, builtImage := status(e).service("web")
	builtRef := strings.SplitN(builtImage, "@", 2)[0]

	if !t.Run("rolling update and rollback under load", func(t *testing.T) {
		e, cl := e.with(t), cl.with(t)
		good := name + "-next:1"
		buildOnManager(t, cl, good, "FROM "+builtRef+"\nLABEL io.wpstack.e2e.release=next\n")
		l := startLoad(edge, swarmLoadRate, 10*time.Minute)
		r := e.mustRun("update", name, "--web-image", good)
		res := l.finish()
		t.Logf("MEASURE update: %s; under load: %s", r.took.Round(100*time.Millisecond), res)
		if _, _, _, img := status(e).service("web"); !strings.Contains(img, good) {
			t.Errorf("after update web runs %s, want %s", img, good)
		}
		if res.Failed != 0 || res.Rate < 20 {
			t.Errorf("update: %s; want 0 failed at >= 20 req/s", res)
		}

		l = startLoad(edge, swarmLoadRate, 10*time.Minute)
		r = e.mustRun("rollback", name)
		res = l.finish()
		t.Logf("MEASURE rollback: %s; under load: %s", r.took.Round(100*time.Millisecond), res)
		if _, _, _, img := status(e).service("web"); !strings.HasPrefix(img, builtRef) {
			t.Errorf("after rollback web runs %s, want %s", img, builtRef)
		}
		if res.Failed != 0 || res.Rate < 20 {
			t.Errorf("rollback: %s; want 0 failed at >= 20 req/s", res)
		}
	}) {
		return
	}

	t.Run("broken release rolls back by itself", func(t *testing.T) {
		e, cl := e.with(t), cl.with(t)
		broken := name + "-broken:1"
		buildOnManager(t, cl, broken, "FROM "+builtRef+"\nRUN rm /usr/share/wpstack/health.php\n")
		l := startLoad(edge, swarmLoadRate, 10*time.Minute)
		r := e.mustFail([]string{"rolled back"}, "update", name, "--web-image", broken)
		res := l.finish()
		t.Logf("MEASURE broken update, detected and rolled back: %s; under load: %s", r.took.Round(100*time.Millisecond), res)
		st := status(e)
		if _, running, _, img := st.service("web"); running != 2 || !strings.HasPrefix(img, builtRef) {
			t.Errorf("after the automatic rollback web runs %d × %s, want 2 × %s", running, img, builtRef)
		}
		if res.Failed != 0 {
			t.Errorf("broken update: %s; want 0 failed", res)
		}
	})

	t.Run("worker lost", func(t *testing.T) {
		e, cl := e.with(t), cl.with(t)
		_, _, perNode, _ := status(e).service("web")
		victim := -1
		for i := 1; i < len(cl.nodes); i++ {
			if perNode[cl.nodes[i].name] > 0 {
				victim = i
				break
			}
		}
		if victim < 0 {
			t.Fatalf("no worker runs a web task: %v", perNode)
		}
		l := startLoad(edge, swarmLoadRate, 5*time.Minute)
		time.Sleep(2 * time.Second)
		killed := time.Now()
		cl.must("kill", cl.nodes[victim].name)
		// The node dies somewhere inside `docker kill`: a request sent
		// before it returned may have reached the node alive.
		dead := time.Now()
		back := time.Duration(0)
		deadline := time.Now().Add(2 * time.Minute)
		for back == 0 {
			st := status(e)
			if _, running, pn, _ := st.service("web"); running == 2 && pn[cl.nodes[victim].name] == 0 {
				back = time.Since(killed)
			} else if time.Now().After(deadline) {
				t.Fatalf("web tasks not back on the surviving nodes after 2m: %v", pn)
			}
			time.Sleep(200 * time.Millisecond)
		}
		time.Sleep(3 * time.Second)
		res := l.finish()
		// A request in flight on the node at the instant it dies is lost
		// with it (the edge retries a GET only after its 60 s server
		// timeout, longer than this client waits); every request sent
		// once the node is dead must be answered.
		var after []string
		for _, at := range res.FailedAt {
			if !at.Before(dead) {
				after = append(after, at.Format("15:04:05.000"))
			}
		}
		t.Logf("MEASURE worker %s killed: web back to 2 replicas on the survivors after %s; under load: %s; %d in flight on the node when it died (slowest request = the longest wait a client saw)",
			cl.nodes[victim].name, back.Round(100*time.Millisecond), res, res.Failed-len(after))
		if len(after) > 0 || res.Failed > 3 {
			t.Errorf("requests failed while a worker was lost (sent after the node was dead at %s: %v): %s", dead.Format("15:04:05.000"), after, res)
		}
		// The node comes back, so destroy can reach a whole cluster again.
		cl.must("start", cl.nodes[victim].name)
		cl.waitEngine(victim, time.Minute)
		cl.waitNodeReady(victim, time.Minute)
	})

	t.Run("down keeps the data, up brings the site back", func(t *testing.T) {
		e, cl := e.with(t), cl.with(t)
		e.mustRun("down", name)
		ns := "label=com.docker.stack.namespace=" + name
		if out := cl.node(0, "service", "ls", "-q", "--filter", ns); out != "" {
			t.Fatalf("down left services: %s", out)
		}
		if out := cl.node(0, "secret", "ls", "-q", "--filter", ns); len(strings.Fields(out)) != 3 {
			t.Errorf("down removed secrets, want them kept: %q", out)
		}
		r := e.mustRun("up", name)
		t.Logf("MEASURE up after down (images present, no install): %s", r.took.Round(100*time.Millisecond))
		if uploaded == "" {
			return
		}
		status, body, _, err := edge.do(context.Background(), http.MethodGet, uploaded, nil, "")
		if err != nil || status != 200 || !bytes.Equal(body, tinyPNG(t)) {
			t.Errorf("after down and up, %s answers %d %v", uploaded, status, err)
		}
		if status, body, _, _ := edge.do(context.Background(), http.MethodGet, "/", nil, ""); status != 200 || !strings.Contains(string(body), name) {
			t.Errorf("after down and up the home page answers %d without the site title", status)
		}
	})

	t.Run("scheduled backups run on the database's node", func(t *testing.T) {
		e, cl := e.with(t), cl.with(t)
		e.mustRun("backup", name, "--every", "10s", "--keep", "2")
		var ctr string
		var files []string
		deadline := time.Now().Add(3 * time.Minute)
		for len(files) < 2 {
			if time.Now().After(deadline) {
				t.Fatalf("after 3m the backup task on the database's node holds %v", files)
			}
			time.Sleep(2 * time.Second)
			ctr = cl.node(0, "ps", "-q", "--filter", "label=com.docker.swarm.service.name="+name+"_"+"backup")
			if ctr == "" {
				continue
			}
			files = strings.Fields(cl.node(0, "exec", "-u", "mysql", ctr, "sh", "-c", "ls /backups | grep 'wpbackup$' || true"))
		}
		out := filepath.Join(t.TempDir(), "swarm.wpbackup")
		cl.node(0, "cp", ctr+":/backups/"+files[len(files)-1], out)
		r := e.mustRun("backup", "verify", out)
		if !strings.Contains(r.stdout, "every checksum matches") || !strings.Contains(r.stdout, "WordPress 6.") {
			t.Errorf("verify of a scheduled swarm backup:\n%s", r.stdout)
		}
		if _, running, perNode, _ := status(e).service("backup"); running != 1 || perNode[cl.nodes[0].name] != 1 {
			t.Errorf("backup service: %d running, per node %v; want 1 on the database's node %s", running, perNode, cl.nodes[0].name)
		}
		e.mustRun("backup", name, "--every", "off")
		if desired, _, _, _ := status(e).service("backup"); desired != 0 {
			t.Errorf("--every off left the backup service (%d desired)", desired)
		}
	})

	t.Run("backup and restore on demand", func(t *testing.T) {
		swarmBackupRestore(t, e.with(t), cl.with(t), name, edge, uploaded)
	})

	t.Run("destroy leaves nothing", func(t *testing.T) {
		e, cl := e.with(t), cl.with(t)
		// A volume of the stack on a worker, as a database pinned there or
		// a per-node wp-content leaves: out of the manager API's reach.
		cl.node(2, "volume", "create", "--label", "com.docker.stack.namespace="+name, name+"_db")
		r := e.mustRun("destroy", name, "--yes")
		destroyed = true
		t.Logf("MEASURE destroy: %s", r.took.Round(100*time.Millisecond))
		ns := "label=com.docker.stack.namespace=" + name
		for what, args := range map[string][]string{
			"services": {"service", "ls", "-q", "--filter", ns},
			"networks": {"network", "ls", "-q", "--filter", ns},
			"secrets":  {"secret", "ls", "-q", "--filter", ns},
		} {
			if out := cl.node(0, args...); out != "" {
				t.Errorf("destroy left %s: %s", what, out)
			}
		}
		for i, n := range cl.nodes {
			if out := cl.node(i, "volume", "ls", "-q", "--filter", ns); out != "" {
				t.Errorf("destroy left volumes on node %s: %s", n.name, out)
			}
		}
		if out := cl.node(0, "node", "ls", "--filter", "node.label=io.wpstack.db."+name, "-q"); out != "" {
			t.Errorf("destroy left the db pin label on nodes %s", out)
		}
		if _, err := os.Stat(filepath.Join(e.home, "sites", name)); !os.IsNotExist(err) {
			t.Errorf("destroy left the site's state: %v", err)
		}
	})
}

// replicasAnswering sends n requests through the edge and counts who answered.
func replicasAnswering(t *testing.T, e *edgeClient, n int) map[string]int {
	t.Helper()
	seen := map[string]int{}
	for i := 0; i < n; i++ {
		status, body, by, err := e.do(context.Background(), http.MethodGet, "/", nil, "")
		if err != nil || status != 200 || by == "" {
			t.Fatalf("GET / through the edge: %d %v, served by %q: %.200s", status, err, by, body)
		}
		seen[by]++
	}
	return seen
}

// buildOnManager builds a small derived web image on the manager's engine.
// It overrides the recipe labels it inherits, as any image built FROM a
// wpstack image should: wpstack finds its own images by those labels.
func buildOnManager(t *testing.T, cl *cluster, tag, dockerfile string) {
	t.Helper()
	dockerfile += "LABEL io.wpstack.role=custom io.wpstack.recipe=custom\n"
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	if out, err := clDocker(ctx, strings.NewReader(dockerfile), "-H", cl.nodes[0].host(), "build", "-q", "-t", tag, "-"); err != nil {
		t.Fatalf("build %s on the manager: %v\n%s", tag, err, out)
	}
}

func tinyPNG(t *testing.T) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 2, 2))
	img.Set(0, 0, color.RGBA{R: 200, A: 255})
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

var xmlrpcURL = regexp.MustCompile(`<name>url</name>\s*<value>\s*<string>([^<]+)</string>`)

// uploadPNG uploads an image through WordPress's XML-RPC API and returns its
// URL and the replica that stored it.
func uploadPNG(t *testing.T, e *edgeClient, user, password string) (string, string) {
	t.Helper()
	call := fmt.Sprintf(`<?xml version="1.0"?><methodCall><methodName>wp.uploadFile</methodName><params>
<param><value><int>1</int></value></param><param><value><string>%s</string></value></param>
<param><value><string>%s</string></value></param><param><value><struct>
<member><name>name</name><value><string>e2e-shared.png</string></value></member>
<member><name>type</name><value><string>image/png</string></value></member>
<member><name>bits</name><value><base64>%s</base64></value></member>
</struct></value></param></params></methodCall>`, user, password, base64.StdEncoding.EncodeToString(tinyPNG(t)))
	status, body, by, err := e.do(context.Background(), http.MethodPost, "/xmlrpc.php", strings.NewReader(call), "text/xml")
	m := xmlrpcURL.FindSubmatch(body)
	if err != nil || status != 200 || m == nil || by == "" {
		t.Fatalf("wp.uploadFile: %d %v by %q: %.500s", status, err, by, body)
	}
	return string(m[1]), by
}
