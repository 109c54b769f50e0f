package images

import (
	"archive/tar"
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/wpstack/wpstack/internal/events"
	"github.com/wpstack/wpstack/internal/images/dockerbuild"
	"github.com/wpstack/wpstack/internal/images/wpsource"
)

// Options says what to build the images from.
type Options struct {
	Source   string // WordPress source spec, see wpsource.ParseSpec
	CacheDir string // default wpsource.DefaultCacheDir()
	Binary   string // static linux wpstack-init copied into the images as PID 1; default initbin.Path
	Mirror   string // Debian mirror for a bootstrapped base
	NoCache  bool   // rebuild web and db without the engine layer cache, even when an image with the recipe hash exists
	BaseTag  string // default BaseTagFor(Release)
	// Release is the Debian release of the stack; default LegacyRelease.
	Release Release
	Prefix  string // image repository prefix; default DefaultPrefix
	// AllInOne builds the one all-in-one image instead of web and db
	// (the all-in-one layout needs nothing else).
	AllInOne bool
}

// Set is the images a site runs.
type Set struct {
	Web, DB           string // image references (tags)
	WebID, DBID       string
	WordPressVersion  string
	SourceDescription string
	BaseOrigin        string
	WebBuilt, DBBuilt bool // false when an existing image was reused
	Release           Release
	// The all-in-one image, set instead of Web and DB with Options.AllInOne.
	AllInOne, AllInOneID string
	AllInOneBuilt        bool
}

// Ensure makes sure the base, web and db images for opts exist, building
// only what is missing. Two processes may run it at once: at worst both
// build, and tags end up on equivalent images.
func Ensure(ctx context.Context, eng Engine, opts Options) (Set, error) {
	if err := opts.defaultInit(); err != nil {
		return Set{}, err
	}
	if opts.Prefix == "" {
		opts.Prefix = DefaultPrefix
	}
	binSum, err := binarySHA256(opts.Binary)
	if err != nil {
		return Set{}, err
	}
	rel := opts.Release.or()
	base, err := Base(ctx, eng, BaseOptions{Release: rel, Tag: opts.BaseTag, Mirror: opts.Mirror})
	if err != nil {
		return Set{}, err
	}
	src, err := wpsource.Resolve(ctx, wpsource.Options{Spec: opts.Source, CacheDir: opts.CacheDir, Engine: eng, BaseImage: base.Ref, Theme: rel.Theme(), DebianImageRepo: opts.Prefix + "/wpsrc-debian"})
	if err != nil {
		return Set{}, err
	}
	set := Set{WordPressVersion: src.Version, SourceDescription: src.Description, BaseOrigin: base.Origin, Release: rel}

	wpLabels := map[string]string{LabelWPVersion: src.Version, LabelWPSource: src.Description}
	jobs := []*roleJob{
		{role: RoleDB, release: rel},
		{role: RoleWeb, release: rel, tree: src.Dir, treeHash: src.Hash, labels: wpLabels, version: src.Version},
	}
	if opts.AllInOne {
		jobs = []*roleJob{{role: RoleAllInOne, release: rel, tree: src.Dir, treeHash: src.Hash, labels: wpLabels, version: src.Version}}
	}
	// Both builds run at once: they share the base and the engine's apt
	// downloads overlap. The first failure cancels the other.
	bctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var wg sync.WaitGroup
	for _, j := range jobs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			j.err = j.ensure(bctx, eng, opts.Prefix, base.Ref, opts.Binary, binSum, opts.NoCache)
			if j.err != nil {
				cancel()
			}
		}()
	}
	wg.Wait()
	var errs []error
	for _, j := range jobs {
		if j.err != nil && !(errors.Is(j.err, context.Canceled) && ctx.Err() == nil) {
			errs = append(errs, j.err)
		}
	}
	if err := errors.Join(errs...); err != nil {
		return Set{}, err
	}
	if opts.AllInOne {
		set.AllInOne, set.AllInOneID, set.AllInOneBuilt = jobs[0].ref, jobs[0].id, jobs[0].built
		return set, nil
	}
	set.DB, set.DBID, set.DBBuilt = jobs[0].ref, jobs[0].id, jobs[0].built
	set.Web, set.WebID, set.WebBuilt = jobs[1].ref, jobs[1].id, jobs[1].built
	return set, nil
}

// roleJob is the work for one image.
type roleJob struct {
	role     Role
	release  Release
	tree     string
	treeHash string
	version  string
	labels   map[string]string

	ref, id string
	built   bool
	err     error
}

func (j *roleJob) ensure(ctx context.Context, eng Engine, prefix, baseRef, binary, binSum string, noCache bool) error {
	files, err := Recipe(j.role)
	if err != nil {
		return err
	}
	hash := RecipeHash(RecipeInputs{Role: j.role, Release: j.release, Files: files, BinarySHA256: binSum, TreeHash: j.treeHash})
	j.ref = j.role.Tag(prefix, hash, j.version)
	labels := map[string]string{LabelRole: string(j.role), LabelRecipe: hash, LabelRelease: string(j.release.or())}
	res := "image " + j.role.Repo(prefix)

	if !noCache {
		// The image already carrying our tag, when it is the same recipe:
		// a stable answer from one run to the next.
		if img, err := eng.ImageInspect(ctx, j.ref); err == nil && img.Config != nil &&
			img.Config.Labels[LabelRole] == string(j.role) && img.Config.Labels[LabelRecipe] == hash {
			j.id = img.ID
			events.Emit(ctx, res, events.Done, j.ref+" up to date")
			return nil
		}
		img, ok, err := dockerbuild.FindByLabels(ctx, eng, labels)
		if err != nil {
			return err
		}
		if ok {
			// Whatever tag it carries, it gets ours too, so refs are stable.
			if err := eng.ImageTag(ctx, img.ID, j.ref); err != nil {
				return fmt.Errorf("tag %s as %s: %w", img.ID, j.ref, err)
			}
			j.id = img.ID
			events.Emit(ctx, res, events.Done, j.ref+" up to date")
			return nil
		}
	}
	for k, v := range j.labels {
		labels[k] = v
	}
	start := time.Now()
	events.Emit(ctx, res, events.Working, "building "+j.ref)
	id, err := dockerbuild.Build(ctx, eng, dockerbuild.Request{
		Resource:  res,
		Tags:      []string{j.ref},
		Labels:    labels,
		BuildArgs: map[string]string{"BASE": baseRef},
		NoCache:   noCache,
		Context: func(tw *tar.Writer) error {
			return writeContext(tw, contextSpec{Files: files, Binary: binary, Tree: j.tree})
		},
	})
	if err != nil {
		return err
	}
	j.id, j.built = id, true
	events.Emit(ctx, res, events.Done, fmt.Sprintf("built %s in %s", j.ref, time.Since(start).Round(time.Second)))
	return nil
}
