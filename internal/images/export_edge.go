package images

import (
	"context"
	"path/filepath"
)

// ExportEdgeContext writes the domain edge's build context (nginx), byte
// for byte the one EnsureEdgeNginx streams to the engine, into
// dir/edge-nginx, which must not exist yet.
func ExportEdgeContext(ctx context.Context, opts Options, dir string) (ExportedContext, error) {
	if err := opts.defaultInit(); err != nil {
		return ExportedContext{}, err
	}
	if opts.Prefix == "" {
		opts.Prefix = DefaultPrefix
	}
	binSum, err := binarySHA256(opts.Binary)
	if err != nil {
		return ExportedContext{}, err
	}
	files, err := Recipe(RoleEdgeNginx)
	if err != nil {
		return ExportedContext{}, err
	}
	hash := RecipeHash(RecipeInputs{Role: RoleEdgeNginx, Release: EdgeRelease, Files: files, BinarySHA256: binSum})
	target := filepath.Join(dir, string(RoleEdgeNginx))
	if err := writeContextDir(ctx, target, contextSpec{Files: files, Binary: opts.Binary}); err != nil {
		return ExportedContext{}, err
	}
	return ExportedContext{Role: RoleEdgeNginx, Dir: target, Ref: RoleEdgeNginx.Tag(opts.Prefix, hash, ""), RecipeHash: hash}, nil
}
