package container

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"time"

	"github.com/wpstack/wpstack/internal/contract"
)

// healthTimeout stays under the HEALTHCHECK --timeout of the recipes.
const healthTimeout = 4 * time.Second

// runHealth is run by Docker's HEALTHCHECK as root: it drops to the service
// user first, then asks the service itself. One line of reason either way.
func runHealth(args []string, stdout io.Writer, env environ) (int, error) {
	if len(args) != 1 {
		return 2, fmt.Errorf("usage: wpstack-init health web|db|allinone|backup")
	}
	var user string
	var check func(context.Context) error
	switch args[0] {
	case contract.RoleWeb:
		user, check = webUser, checkWeb
	case contract.RoleDB:
		user, check = dbUser, func(ctx context.Context) error { return checkDB(ctx, dbUser) }
	case contract.RoleAllInOne:
		scheduled := env[contract.EnvBackupEvery] != ""
		user, check = allInOneUser, func(ctx context.Context) error { return checkAllInOne(ctx, scheduled) }
	case contract.RoleBackup:
		user, check = dbUser, checkBackup
	default:
		return 2, fmt.Errorf("health: unknown role %q (want web, db, allinone or backup)", args[0])
	}
	acct, err := lookupAccount(user)
	if err != nil {
		return 1, err
	}
	if _, err := dropPrivileges(acct, env); err != nil {
		return 1, err
	}
	ctx, cancel := context.WithTimeout(context.Background(), healthTimeout)
	defer cancel()
	if err := check(ctx); err != nil {
		fmt.Fprintf(stdout, "unhealthy: %v\n", err)
		return 1, nil
	}
	fmt.Fprintln(stdout, "healthy")
	return 0, nil
}

func checkWeb(ctx context.Context) error {
	const url = "http://127.0.0.1/.wpstack/health"
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("GET %s: %w", url, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: %s: %s", url, resp.Status, firstLine(string(body)))
	}
	return nil
}

// checkDB runs a real query over the socket as the unix user user, who
// logs in through unix_socket authentication without a password.
func checkDB(ctx context.Context, user string) error {
	// During the first initialisation a temporary server answers on the
	// socket while init scripts run; it is not the database yet.
	if _, err := os.Stat(dbDataDir); err != nil {
		return fmt.Errorf("first initialisation in progress (%s not there yet)", dbDataDir)
	}
	cmd := exec.CommandContext(ctx, mariadbShell, "--no-defaults",
		"--protocol=socket", "--socket="+dbSocket, "--user="+user,
		"--connect-timeout=3", "--batch", "--skip-column-names",
		"--execute=SELECT 1")
	out, err := cmd.CombinedOutput()
	if err != nil {
		return fmt.Errorf("query over %s: %s", dbSocket, firstLine(string(out)+" "+err.Error()))
	}
	if strings.TrimSpace(string(out)) != "1" {
		return fmt.Errorf("query over %s: unexpected answer %q", dbSocket, firstLine(string(out)))
	}
	return nil
}

func firstLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}
