package container

import (
	"fmt"
	"sort"
	"strings"
)

// checkWebEnviron refuses a setting given both as NAME and NAME_FILE, as
// the official image does: which one wins would otherwise be a guess.
func checkWebEnviron(env environ) error {
	var both []string
	for k := range env {
		if strings.HasPrefix(k, "WORDPRESS_") && !strings.HasSuffix(k, "_FILE") {
			if _, ok := env[k+"_FILE"]; ok {
				both = append(both, k)
			}
		}
	}
	if len(both) == 0 {
		return nil
	}
	sort.Strings(both)
	return fmt.Errorf("both %s and %s_FILE are set: keep only one", both[0], both[0])
}
