package plan

import "github.com/wpstack/wpstack/internal/site"

// envDBAutoUpgrade is the official image's switch for the major upgrade
// of an older data directory at start (internal/container/dbupgrade.go).
const envDBAutoUpgrade = "MARIADB_AUTO_UPGRADE"

// withAutoUpgrade turns MARIADB_AUTO_UPGRADE on for a site on a stack
// newer than the legacy one: `wpstack upgrade` moves its data directory
// to the new server. A legacy site's environment stays as it was, so its
// containers are not re-created for it.
func withAutoUpgrade(spec site.Spec, e map[string]string) map[string]string {
	if spec.StackRelease() != site.LegacyStack {
		e[envDBAutoUpgrade] = "1"
	}
	return e
}
