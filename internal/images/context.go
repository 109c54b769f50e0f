package images

import (
	"archive/tar"

	"github.com/wpstack/wpstack/internal/contract"
	"github.com/wpstack/wpstack/internal/images/dockerbuild"
)

// contextSpec is what goes into one build context.
type contextSpec struct {
	Files  []RecipeFile
	Binary string // host path of wpstack-init, copied as ./wpstack-init
	Tree   string // WordPress tree, copied as ./wordpress/ (web only)
}

// writeContext writes the context in the layout docs/internals.md fixes:
// recipe files at the root, the PID 1 program as wpstack-init (0755), wordpress/.
func writeContext(tw *tar.Writer, c contextSpec) error {
	for _, f := range c.Files {
		if err := dockerbuild.AddBytes(tw, f.Name, 0o644, f.Data); err != nil {
			return err
		}
	}
	if err := dockerbuild.AddFile(tw, contract.InitName, c.Binary, 0o755); err != nil {
		return err
	}
	if c.Tree != "" {
		return dockerbuild.AddTree(tw, "wordpress", c.Tree)
	}
	return nil
}
