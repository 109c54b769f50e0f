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
// one wins (the smaller ID within one second): anything derived from an
// image is created after it.
func FindByLabels(ctx context.Context, eng Engine, labels map[string]string) (image.Summary, bool, error) {
	f := filters.NewArgs()
	for k, v := range labels {
		f.Add("label", k+"="+v)
	}
	// Not All: a build's intermediate images carry the labels too.
	list, err := eng.ImageList(ctx, image.ListOptions{Filters: f})
	if err != nil {
		return image.Summary{}, false, fmt.Errorf("list images with labels %v: %w", labels, err)
	}
	if len(list) == 0 {
		return image.Summary{}, false, nil
	}
	sort.Slice(list, func(i, j int) bool {
		if list[i].Created != list[j].Created {
			return list[i].Created < list[j].Created
		}
		return list[i].ID < list[j].ID // same second: still one answer
	})
	return list[0], true, nil
}
