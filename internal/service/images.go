package service

import (
	"context"
	"fmt"

	"github.com/wpstack/wpstack/internal/images"
	"github.com/wpstack/wpstack/internal/images/wpsource"
	"github.com/wpstack/wpstack/internal/site"
)

// ImagesBuildOptions say what the drop-in images are built from.
type ImagesBuildOptions struct {
	WordPressSource string // see wpsource.ParseSpec; "" = latest release, else debian
	NoCache         bool
	Stack           string // the Debian release; "" = site.DefaultStack
}

// ImagesBuildResult is what `images build` prints.
type ImagesBuildResult struct {
	Images          []images.PublicImage `json:"images"`
	WordPressSource string               `json:"wordpress_source"`
	BaseOrigin      string               `json:"base_origin,omitempty"`
}

// ImagesBuild builds (or reuses) the web and db images and tags them as the
// drop-in wpstack/wordpress and wpstack/mariadb, version and latest.
func (s *Service) ImagesBuild(ctx context.Context, opts ImagesBuildOptions) (ImagesBuildResult, error) {
	if _, err := wpsource.ParseSpec(opts.WordPressSource); err != nil {
		return ImagesBuildResult{}, fmt.Errorf("--wordpress-source: %w", err)
	}
	stack := opts.Stack
	if stack == "" {
		stack = site.DefaultStack
	}
	if err := site.ValidateStack(stack); err != nil {
		return ImagesBuildResult{}, fmt.Errorf("--stack: %w", err)
	}
	_, cli, err := s.engine(ctx)
	if err != nil {
		return ImagesBuildResult{}, err
	}
	defer cli.Close()
	set, err := images.Ensure(ctx, cli, images.Options{Source: opts.WordPressSource, CacheDir: s.cacheDir, Binary: s.binary, NoCache: opts.NoCache, Release: images.Release(stack)})
	if err != nil {
		return ImagesBuildResult{}, err
	}
	pub, err := images.Publish(ctx, cli, set, "")
	if err != nil {
		return ImagesBuildResult{}, err
	}
	return ImagesBuildResult{Images: pub, WordPressSource: set.SourceDescription, BaseOrigin: set.BaseOrigin}, nil
}

// ImagesList returns the drop-in images on the engine.
func (s *Service) ImagesList(ctx context.Context) ([]images.PublicImage, error) {
	_, cli, err := s.engine(ctx)
	if err != nil {
		return nil, err
	}
	defer cli.Close()
	return images.ListPublic(ctx, cli, "")
}
