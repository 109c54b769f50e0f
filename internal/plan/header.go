package plan

import (
	"fmt"
	"sort"
	"strings"

	"github.com/compose-spec/compose-go/v2/types"
)

// HeaderOptions are the facts the header of an exported file states.
type HeaderOptions struct {
	Format string
	Site   string
	File   string // the file's name as the user runs it (compose.yaml, stack.yaml)
	// ExternalVolumes: the volumes already hold the site's data.
	ExternalVolumes bool
	// DBNodeLabel is the node label the stack's database is pinned to.
	DBNodeLabel string
}

// Header returns the comment lines that open an exported file: how to run
// it without wpstack, and what it uses from the host.
func Header(p *types.Project, o HeaderOptions) []string {
	site, file := o.Site, o.File
	h := []string{fmt.Sprintf("wpstack site %q, exported with `wpstack export %s --format %s`.", site, site, o.Format)}
	switch o.Format {
	case FormatStack:
		h = append(h,
			"Deploy it on a swarm manager (the stack name is the site name):",
			fmt.Sprintf("  docker node update --label-add %s=true NODE   # the node that keeps the database volume", o.DBNodeLabel),
			fmt.Sprintf("  docker stack deploy -c %s %s", file, site),
			"Every node must have the images (or pull them from the registry they are named under).",
		)
	case FormatDir:
		h = append(h,
			"Rebuild the images from the folders beside this file and run the site, no wpstack needed:",
			fmt.Sprintf("  wpstack down %s      # first, when wpstack runs the site: its port is taken", site),
			fmt.Sprintf("  docker-compose -f %s -p %s up -d --build", file, site),
			"README.md explains every file.",
		)
	default:
		h = append(h,
			"Run it without wpstack (docker-compose 1.29 or Compose v2):",
			fmt.Sprintf("  wpstack down %s      # first, when wpstack runs the site: its port is taken", site),
			fmt.Sprintf("  docker-compose -f %s -p %s up -d", file, site),
			fmt.Sprintf("  docker-compose -f %s -p %s down      # stops it; data stays", file, site),
		)
	}
	if vols := volumeNames(p); vols != "" {
		if o.ExternalVolumes {
			h = append(h, "Data: the site's existing volumes "+vols+", declared external: they are used as they are, and `down -v` never removes them.")
		} else {
			h = append(h, "Data: named volumes "+vols+" (wpstack's names: `wpstack up "+site+"` finds the same data).")
		}
	}
	if binds := bindSources(p); binds != "" {
		h = append(h, "Data in host folders: "+binds+".")
	}
	if dir := secretsDir(p); dir != "" {
		h = append(h, "Secrets: files in "+dir+" (mode 0600), mounted read-only; no secret value is in this file.")
	}
	return h
}

func volumeNames(p *types.Project) string {
	var names []string
	for _, v := range p.Volumes {
		names = append(names, v.Name)
	}
	sort.Strings(names)
	return strings.Join(names, ", ")
}

func bindSources(p *types.Project) string {
	seen := map[string]bool{}
	var out []string
	for _, s := range p.Services {
		for _, v := range s.Volumes {
			if v.Type == types.VolumeTypeBind && !seen[v.Source] {
				seen[v.Source] = true
				out = append(out, v.Source)
			}
		}
	}
	sort.Strings(out)
	return strings.Join(out, ", ")
}

func secretsDir(p *types.Project) string {
	dirs := map[string]bool{}
	for _, s := range p.Secrets {
		if i := strings.LastIndex(s.File, "/"); i > 0 {
			dirs[s.File[:i]] = true
		}
	}
	var out []string
	for d := range dirs {
		out = append(out, d)
	}
	sort.Strings(out)
	return strings.Join(out, ", ")
}
