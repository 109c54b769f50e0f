package images

import (
	"archive/tar"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/wpstack/wpstack/internal/images/wpsource"
)

// ExportedContext is one build context written to a folder.
type ExportedContext struct {
	Role       Role   `json:"role"`
	Dir        string `json:"dir"`         // the folder, as given to ExportContexts + the role
	Ref        string `json:"image"`       // the tag wpstack gives the image built from it, under Options.Prefix
	RecipeHash string `json:"recipe_hash"` // what wpstack labels that image with (io.wpstack.recipe)
}

// Exported is what ExportContexts wrote and what it was made from.
type Exported struct {
	Contexts          []ExportedContext `json:"contexts"`
	BaseImage         string            `json:"base_image"`     // the Dockerfiles' default BASE
	BinarySHA256      string            `json:"wpstack_sha256"` // of wpstack-init (the key predates it)
	WordPressVersion  string            `json:"wordpress_version"`
	WordPressSource   string            `json:"wordpress_source"`    // what was used and how it was checked
	WordPressTreeHash string            `json:"wordpress_tree_hash"` // wpsource.HashTree of wordpress/
}

// ExportContexts writes the web and db build contexts, byte for byte the
// ones Ensure streams to the engine (same recipe files, same wpstack-init
// binary, same WordPress tree), into dir/web and dir/db, which must not
// exist yet. eng is needed only to unpack Debian's WordPress on a cold cache.
func ExportContexts(ctx context.Context, eng Engine, opts Options, dir string) (Exported, error) {
	if err := opts.defaultInit(); err != nil {
		return Exported{}, err
	}
	if opts.Prefix == "" {
		opts.Prefix = DefaultPrefix
	}
	rel := opts.Release.or()
	base := opts.BaseTag
	if base == "" {
		base = BaseTagFor(rel)
	}
	binSum, err := binarySHA256(opts.Binary)
	if err != nil {
		return Exported{}, err
	}
	src, err := wpsource.Resolve(ctx, wpsource.Options{Spec: opts.Source, CacheDir: opts.CacheDir, Engine: eng, BaseImage: base, Theme: rel.Theme(), DebianImageRepo: opts.Prefix + "/wpsrc-debian"})
	if err != nil {
		return Exported{}, err
	}
	out := Exported{BaseImage: base, BinarySHA256: binSum, WordPressVersion: src.Version, WordPressSource: src.Description, WordPressTreeHash: src.Hash}
	for _, role := range []Role{RoleWeb, RoleDB} {
		files, err := Recipe(role)
		if err != nil {
			return Exported{}, err
		}
		c := contextSpec{Files: files, Binary: opts.Binary}
		in := RecipeInputs{Role: role, Release: rel, Files: files, BinarySHA256: binSum}
		if role.HasWordPress() {
			c.Tree, in.TreeHash = src.Dir, src.Hash
		}
		hash := RecipeHash(in)
		target := filepath.Join(dir, string(role))
		if err := writeContextDir(ctx, target, c); err != nil {
			return Exported{}, err
		}
		out.Contexts = append(out.Contexts, ExportedContext{Role: role, Dir: target, Ref: role.Tag(opts.Prefix, hash, src.Version), RecipeHash: hash})
	}
	return out, nil
}

// writeContextDir unpacks the tar stream writeContext produces into dir,
// so the folder holds exactly what a build through the Engine API gets.
func writeContextDir(ctx context.Context, dir string, c contextSpec) error {
	if _, err := os.Lstat(dir); err == nil {
		return fmt.Errorf("write build context %s: it exists already; give a new folder", dir)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("write build context %s: %w", dir, err)
	}
	pr, pw := io.Pipe()
	go func() {
		tw := tar.NewWriter(pw)
		err := writeContext(tw, c)
		if err == nil {
			err = tw.Close()
		}
		pw.CloseWithError(err)
	}()
	stop := context.AfterFunc(ctx, func() { pr.CloseWithError(ctx.Err()) })
	defer stop()
	err := wpsource.ExtractTar(pr, dir, "")
	pr.CloseWithError(errors.New("extraction stopped")) // unblocks the writer when extraction failed early
	if err != nil {
		if ctx.Err() != nil {
			err = ctx.Err()
		}
		return fmt.Errorf("write build context %s: %w", dir, err)
	}
	return nil
}
