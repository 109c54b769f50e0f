package service

import (
	"context"
	"fmt"

	"github.com/wpstack/wpstack/internal/events"
	"github.com/wpstack/wpstack/internal/images"
	"github.com/wpstack/wpstack/internal/site"
)

// siteImageOptions are the image options of a site: its WordPress source
// on its stack's release.
func (s *Service) siteImageOptions(spec site.Spec) images.Options {
	o := s.imageOptions(spec.WordPressSource)
	o.Release = images.Release(spec.StackRelease())
	return o
}

// StackStatus is what a site runs: its stack and the versions of its servers.
type StackStatus struct {
	Stack          string `json:"stack"`
	PHPVersion     string `json:"php_version,omitempty"`
	MariaDBVersion string `json:"mariadb_version,omitempty"`
	// UpgradeAvailable is a newer stack than the site's (wpstack upgrade).
	UpgradeAvailable string `json:"upgrade_available,omitempty"`
}

// stackStatus reads the PHP and MariaDB versions from the images the
// site's services run; what cannot be read stays empty.
func (s *Service) stackStatus(ctx context.Context, spec site.Spec, imageRefs []string) StackStatus {
	st := StackStatus{Stack: spec.StackRelease(), UpgradeAvailable: spec.NewerStack()}
	if len(imageRefs) == 0 {
		return st
	}
	cli, err := s.connect(ctx)
	if err != nil {
		return st
	}
	defer cli.Close()
	for _, ref := range imageRefs {
		if ref == "" {
			continue
		}
		v, _ := images.ImageVersions(ctx, cli, ref)
		if v.PHP != "" {
			st.PHPVersion = v.PHP
		}
		if v.MariaDB != "" {
			st.MariaDBVersion = v.MariaDB
		}
	}
	return st
}

// noteUpgrade tells the user of an older stack that a newer one is there;
// up never changes a site's stack by itself.
func noteUpgrade(ctx context.Context, spec site.Spec) string {
	newer := spec.NewerStack()
	if newer != "" {
		events.Emit(ctx, "site "+spec.Name, events.Info, fmt.Sprintf("runs the %s stack; %s is available: wpstack upgrade %s --to %s", spec.StackRelease(), newer, spec.Name, newer))
	}
	return newer
}

// mergeStack applies --stack to the spec up is about to run: a new site
// gets it (default DefaultStack); an existing one keeps its own, and a
// different --stack is refused, since only upgrade changes it.
func mergeStack(spec *site.Spec, want string, created bool) error {
	if created {
		if want == "" {
			want = site.DefaultStack
		}
		spec.Stack = want
		return site.ValidateStack(want)
	}
	if spec.Stack == "" {
		spec.Stack = site.LegacyStack
	}
	if want != "" && want != spec.Stack {
		if err := site.ValidateStack(want); err != nil {
			return err
		}
		return fmt.Errorf("site %q runs the %s stack; up never changes a site's stack: run `wpstack upgrade %s --to %s` (a safety backup first, rolled back on failure)", spec.Name, spec.Stack, spec.Name, want)
	}
	return nil
}
