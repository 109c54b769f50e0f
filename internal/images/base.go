package images

import (
	"archive/tar"
	"context"
	"fmt"
	"sort"
	"time"

	"github.com/docker/docker/api/types/image"

	"github.com/wpstack/wpstack/internal/events"
	"github.com/wpstack/wpstack/internal/images/dockerbuild"
)

// BaseOptions says where the base image comes from.
type BaseOptions struct {
	Release     Release       // default LegacyRelease
	Tag         string        // default BaseTagFor(Release)
	PullRef     string        // default "debian:<release>-slim"
	PullTimeout time.Duration // default 15s; no registry fails well before
	NoPull      bool          // go straight to debootstrap
	Mirror      string        // Debian mirror for debootstrap and apt; default DefaultMirror
	Debootstrap string        // debootstrap command; default "debootstrap" from PATH
	TempDir     string        // where the root is bootstrapped; default os.TempDir()
}

// BaseResult says which base is used and where it came from.
type BaseResult struct {
	Ref     string // tag
	ID      string
	Origin  string // OriginPull or OriginDebootstrap ("" when an existing image has no label)
	Created bool   // false when the tag already existed
}

const baseResource = "image wpstack/base"

func (o *BaseOptions) defaults() {
	o.Release = o.Release.or()
	if o.Tag == "" {
		o.Tag = BaseTagFor(o.Release)
	}
	if o.PullRef == "" {
		o.PullRef = "debian:" + string(o.Release) + "-slim"
	}
	if o.PullTimeout <= 0 {
		o.PullTimeout = 15 * time.Second
	}
	if o.Mirror == "" {
		o.Mirror = DefaultMirror
	}
	if o.Debootstrap == "" {
		o.Debootstrap = "debootstrap"
	}
}

// Base makes sure the base image exists: the existing tag, else a pulled
// debian:<release>-slim, else a debootstrapped root imported offline.
func Base(ctx context.Context, eng Engine, opts BaseOptions) (BaseResult, error) {
	opts.defaults()
	if img, err := eng.ImageInspect(ctx, opts.Tag); err == nil {
		res := BaseResult{Ref: opts.Tag, ID: img.ID}
		if img.Config != nil {
			res.Origin = img.Config.Labels[LabelBaseOrigin]
		}
		events.Emit(ctx, baseResource, events.Done, fmt.Sprintf("%s present (%s)", opts.Tag, originText(res.Origin)))
		return res, nil
	}
	if !opts.NoPull {
		res, perr := pullBase(ctx, eng, opts)
		if perr == nil {
			return res, nil
		}
		if ctx.Err() != nil {
			return BaseResult{}, ctx.Err()
		}
		events.Emit(ctx, baseResource, events.Info, fmt.Sprintf("pull %s failed (%v); bootstrapping Debian offline with debootstrap", opts.PullRef, perr))
	}
	return bootstrapBase(ctx, eng, opts)
}

func originText(o string) string {
	if o == "" {
		return "origin unknown"
	}
	return "from " + o
}

// pullBase pulls the slim image and builds the labelled base on it, with
// the same apt and dpkg settings a bootstrapped base has.
func pullBase(ctx context.Context, eng Engine, opts BaseOptions) (BaseResult, error) {
	events.Emit(ctx, baseResource, events.Working, "pulling "+opts.PullRef)
	pctx, cancel := context.WithTimeout(ctx, opts.PullTimeout)
	rc, err := eng.ImagePull(pctx, opts.PullRef, image.PullOptions{})
	if err == nil {
		_, err = dockerbuild.DecodeStream(rc, nil)
		rc.Close()
	}
	cancel()
	if err != nil {
		return BaseResult{}, fmt.Errorf("pull %s: %w", opts.PullRef, err)
	}
	files := baseConfigFiles(opts.Release, opts.Mirror)
	names := make([]string, 0, len(files))
	for n := range files {
		names = append(names, n)
	}
	sort.Strings(names)
	id, err := dockerbuild.Build(ctx, eng, dockerbuild.Request{
		Resource: baseResource,
		Tags:     []string{opts.Tag},
		Labels:   map[string]string{LabelRole: "base", LabelBaseOrigin: OriginPull},
		Context: func(tw *tar.Writer) error {
			df := "FROM " + opts.PullRef + "\nCOPY rootfs/ /\n"
			if err := dockerbuild.AddBytes(tw, "Dockerfile", 0o644, []byte(df)); err != nil {
				return err
			}
			for _, n := range names {
				if err := dockerbuild.AddBytes(tw, "rootfs/"+n, 0o644, []byte(files[n])); err != nil {
					return err
				}
			}
			return nil
		},
	})
	if err != nil {
		return BaseResult{}, err
	}
	events.Emit(ctx, baseResource, events.Done, fmt.Sprintf("%s built from pulled %s", opts.Tag, opts.PullRef))
	return BaseResult{Ref: opts.Tag, ID: id, Origin: OriginPull, Created: true}, nil
}
