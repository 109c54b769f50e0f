package container

import (
	"fmt"
	"io"
)

// runVersion prints the WordPress version installed in the webroot. The
// host side runs it with `docker exec -u www-data`.
func runVersion(stdout io.Writer) (int, error) {
	v, err := readWPVersion(webRoot)
	if err != nil {
		return 1, fmt.Errorf("no WordPress core in %s: %w", webRoot, err)
	}
	fmt.Fprintln(stdout, v)
	return 0, nil
}
