package container

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"time"

	"github.com/wpstack/wpstack/internal/contract"
)

// runVolumesRm removes, on the engine whose socket is mounted at
// contract.EngineSocket, every volume of one swarm stack: `wpstack destroy`
// runs it as a one-off job on every node, because a manager's Engine API
// removes volumes on its own node only. It is the one role that talks to an
// engine, and only to list and delete that stack's volumes: two plain HTTP
// calls, so PID 1 still links no Docker client. It runs as root because the
// socket is root's; it starts no other process.
func runVolumesRm(args []string, stdout io.Writer) (int, error) {
	if len(args) != 1 {
		return 2, fmt.Errorf("usage: wpstack-init %s STACK", contract.RoleVolumesRm)
	}
	return volumesRm(contract.EngineSocket, args[0], stdout)
}

func volumesRm(socket, stack string, stdout io.Writer) (int, error) {
	if stack == "" {
		return 2, fmt.Errorf("usage: wpstack-init %s STACK", contract.RoleVolumesRm)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	c := &http.Client{Transport: &http.Transport{DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
		var d net.Dialer
		return d.DialContext(ctx, "unix", socket)
	}}}
	f, _ := json.Marshal(map[string]map[string]bool{"label": {contract.LabelStackNamespace + "=" + stack: true}})
	var list struct {
		Volumes []struct{ Name string }
	}
	if err := engineCall(ctx, c, http.MethodGet, "/volumes?filters="+url.QueryEscape(string(f)), &list); err != nil {
		return 1, fmt.Errorf("list the volumes of stack %s: %w", stack, err)
	}
	failed := 0
	for _, v := range list.Volumes {
		if err := engineCall(ctx, c, http.MethodDelete, "/volumes/"+url.PathEscape(v.Name), nil); err != nil {
			fmt.Fprintf(stdout, "could not remove volume %s: %v\n", v.Name, err)
			failed++
			continue
		}
		fmt.Fprintf(stdout, "removed volume %s\n", v.Name)
	}
	if failed > 0 {
		return 1, fmt.Errorf("%d of the %d volumes of stack %s are left on this node", failed, len(list.Volumes), stack)
	}
	return 0, nil
}

// engineCall sends one request to the engine and decodes its JSON answer
// into out (when not nil); a volume already gone is no error.
func engineCall(ctx context.Context, c *http.Client, method, path string, out any) error {
	req, err := http.NewRequestWithContext(ctx, method, "http://engine"+path, nil)
	if err != nil {
		return err
	}
	resp, err := c.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 8<<20))
	switch {
	case resp.StatusCode == http.StatusNotFound && method == http.MethodDelete:
		return nil
	case resp.StatusCode >= 300:
		var msg struct{ Message string }
		_ = json.Unmarshal(body, &msg)
		return fmt.Errorf("%s %s: %s %s", method, path, resp.Status, msg.Message)
	case out != nil:
		return json.Unmarshal(body, out)
	}
	return nil
}
