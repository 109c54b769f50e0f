package container

import (
	"fmt"
	"io"
	"log"
	"os"

	"github.com/wpstack/wpstack/internal/contract"
)

// usage is printed for a missing or unknown role.
const usage = `usage: wpstack-init ROLE [ARGS]

the PID 1 program of the wpstack images; roles:
  web [apache2-foreground [OPTION...] | CMD [ARGS...]]
                      prepare the webroot and run Apache as www-data; any
                      other command is run at once as www-data
  db [[mariadbd] --OPTION... | CMD [ARGS...]]
                      initialise the data directory once and run MariaDB as
                      mysql; options are passed to mariadbd; any other
                      command is run at once as mysql
  allinone            run MariaDB and Apache side by side as www-data, restarted
                      with backoff, every log line prefixed by its process
  health web|db|allinone|backup
                      exit 0 when the service answers, 1 otherwise
  version             print the WordPress version in /var/www/html
  cron                request WPSTACK_CRON_URL every WPSTACK_CRON_INTERVAL (the
                      one WP-Cron runner of a cluster site)
  backup              back the site up every WPSTACK_BACKUP_EVERY into /backups,
                      keeping WPSTACK_BACKUP_KEEP (the scheduled backup service)
  run [--user NAME] -- CMD [ARGS...]
                      supervise any command as PID 1
  volumes-rm STACK    remove the stack's volumes on the engine whose socket is
                      mounted at /var/run/docker.sock (run by wpstack destroy
                      on every swarm node)
  sendmail [--dir DIR] [ARGS]
                      PHP's sendmail without an SMTP relay: keep the message
                      on stdin in the site's mailbox (/var/mail/wpstack, or
                      DIR: a swarm site's is in wp-content)
  mailbox [--dir DIR] list|show N
                      list the kept messages (JSON) or print message N
`

// Main runs one container role and returns the process exit code.
func Main(args []string) int {
	return run(args, os.Stdout, os.Stderr)
}

func run(args []string, stdout, stderr io.Writer) int {
	logger := log.New(stderr, "wpstack-init: ", 0)
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	// A setuid PID 1 would hand root to whoever can run the binary.
	if err := checkNotSetuid(); err != nil {
		logger.Print(err)
		return 1
	}
	env := environFromOS()
	var code int
	var err error
	switch args[0] {
	case contract.RoleWeb:
		code, err = runWeb(logger, env, args[1:])
	case contract.RoleDB:
		code, err = runDB(logger, env, stdout, args[1:])
	case contract.RoleAllInOne:
		code, err = runAllInOne(env, stdout)
	case contract.RoleHealth:
		code, err = runHealth(args[1:], stdout, env)
	case contract.RoleVersion:
		code, err = runVersion(stdout)
	case contract.RoleRun:
		code, err = runCommand(logger, env, args[1:])
	case contract.RoleCron:
		code, err = runCron(logger, env)
	case contract.RoleBackup:
		code, err = runBackup(logger, env)
	case contract.RoleVolumesRm:
		code, err = runVolumesRm(args[1:], stdout)
	case contract.RoleSendmail:
		return runSendmail(args[1:], os.Stdin, stderr)
	case contract.RoleMailbox:
		code, err = runMailbox(args[1:], stdout)
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return 0
	default:
		fmt.Fprintf(stderr, "wpstack-init: unknown role %q\n\n%s", args[0], usage)
		return 2
	}
	if err != nil {
		logger.Print(err)
		if code == 0 {
			code = 1
		}
	}
	return code
}
