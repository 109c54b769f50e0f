package dockerbuild

import (
	"context"
	"fmt"
	"sort"

	"github.com/docker/docker/api/types/filters"
	"github.com/docker/docker/api/types/image"
)

// FindByLabels returns the image carrying every label given, or ok=false
// when none does. An image built FROM it inherits its labels, so the oldest
// one wins: anything derived from an image is created after it. The list
// includes untagged parents, for the same reason.
func FindByLabels(ctx context.Context, eng Engine, labels map[string]string) (image.Summary, bool, error) {
	f := filters.NewArgs()
	for k, v := range labels {
		f.Add("label", k+"="+v)
	}
	list, err := eng.ImageList(ctx, image.ListOptions{All: true, Filters: f})
	if err != nil {
		return image.Summary{}, false, fmt.Errorf("list images with labels %v: %w", labels, err)
	}
	if len(list) == 0 {
		return image.Summary{}, false, nil
	}
	sort.SliceStable(list, func(i, j int) bool { return list[i].Created < list[j].Created })
	return list[0], true, nil
}
