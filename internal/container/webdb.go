package container

import (
	"log"
	"os"
	"os/exec"
	"strings"

	"github.com/wpstack/wpstack/internal/contract"
)

// createDBScript is shipped by the web image (internal/images/recipes/web).
const createDBScript = "/usr/share/wpstack/create-db.php"

// createDatabase creates WORDPRESS_DB_NAME when it is missing and the
// account may, as the official image long did: the course's compose file
// sets only the root password, and WordPress's wizard cannot start without
// its database. It never fails the start: WordPress then explains what is
// wrong with the database settings itself.
func createDatabase(logger *log.Logger, env environ) {
	if _, err := os.Stat(createDBScript); err != nil {
		return
	}
	// WPSTACK_DB_WAIT=0 says the database is not there to wait for.
	if d, err := parseWait(env[contract.EnvDBWait]); err == nil && d == 0 {
		return
	}
	cmd := exec.Command("/usr/bin/php", createDBScript)
	cmd.Env = env.list()
	out, err := cmd.CombinedOutput()
	msg := strings.TrimSpace(string(out))
	switch {
	case err != nil && msg == "":
		logger.Printf("database check: %v", err)
	case msg != "":
		logger.Print(msg)
	}
}
