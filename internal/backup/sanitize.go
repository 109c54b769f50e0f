package backup

import (
	"archive/tar"
	"path"
	"strings"
)

// ServiceUID and ServiceGID own everything a restore writes: www-data in
// the web images, the user PHP and the extraction run as.
const (
	ServiceUID = 33
	ServiceGID = 33
)

// Bounds on what the sanitizer tracks, so a hostile archive cannot make it
// grow without limit.
const (
	maxSymlinks  = 10000
	maxTraversed = 200000
)

// sanitizer turns archive members into headers that hold only plain
// content: folders, regular files and symlinks that resolve inside
// wp-content, with permission bits only (no setuid, setgid or sticky), the
// service user as owner, and no xattrs or PAX records. Anything else is
// refused, and so is any member under a symlink the archive made earlier.
type sanitizer struct {
	// symlinks are the symlinks made so far; traversed are the paths
	// their targets pass through: making a symlink there later would
	// redirect them.
	symlinks  map[string]bool
	traversed map[string]bool
}

func newSanitizer() *sanitizer {
	return &sanitizer{symlinks: map[string]bool{}, traversed: map[string]bool{}}
}

// header returns the header to write for h, whose name is relative to the
// webroot ("wp-content/…", a folder possibly with a trailing slash).
func (s *sanitizer) header(h *tar.Header) (*tar.Header, error) {
	name := strings.TrimSuffix(h.Name, "/")
	shown := printable(h.Name)
	if c, err := cleanMember(name); err != nil || c != name || strings.ContainsRune(name, 0) {
		return nil, invalid("member %q is not a clean path inside wp-content", shown)
	}
	out := &tar.Header{Name: name, Uid: ServiceUID, Gid: ServiceGID, ModTime: h.ModTime, Typeflag: h.Typeflag}
	switch h.Typeflag {
	case tar.TypeDir:
		out.Name += "/"
		out.Mode = h.Mode&0o777 | 0o700 // the owner must be able to fill and later remove it
	case tar.TypeReg:
		if name == "wp-content" {
			return nil, invalid("member %q must be a folder", shown)
		}
		out.Mode, out.Size = h.Mode&0o777|0o600, h.Size
	case tar.TypeSymlink:
		if name == "wp-content" {
			return nil, invalid("member %q must be a folder", shown)
		}
		out.Mode, out.Linkname = 0o777, h.Linkname
	default:
		return nil, invalid("member %q is a %s: a restore writes only files, folders and symlinks", shown, typeName(h.Typeflag))
	}
	if s.symlinks[name] {
		return nil, invalid("member %q replaces a symlink the backup made earlier", shown)
	}
	for p := path.Dir(name); p != "." && p != "wp-content"; p = path.Dir(p) {
		if s.symlinks[p] {
			return nil, invalid("member %q lies under the symlink %q: writing through a symlink is refused", shown, printable(p))
		}
	}
	if h.Typeflag == tar.TypeSymlink {
		if err := s.link(name, h.Linkname); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// link checks a symlink's target the way the kernel will follow it,
// component by component: it must stay inside wp-content the whole way and
// pass through no symlink of the archive (whose own target could lead
// elsewhere).
func (s *sanitizer) link(name, target string) error {
	shown, tshown := printable(name), printable(target)
	switch {
	case target == "" || len(target) > maxLink || strings.ContainsRune(target, 0):
		return invalid("symlink %q has an empty or invalid target", shown)
	case strings.HasPrefix(target, "/"):
		return invalid("symlink %q points to the absolute path %q: only relative links inside wp-content are restored", shown, tshown)
	case s.traversed[name]:
		return invalid("symlink %q would redirect another symlink of the backup", shown)
	case len(s.symlinks) >= maxSymlinks || len(s.traversed) >= maxTraversed:
		return invalid("the backup holds more than %d symlinks", maxSymlinks)
	}
	cur := strings.Split(path.Dir(name), "/")
	for i := 2; i <= len(cur); i++ {
		s.traversed[strings.Join(cur[:i], "/")] = true
	}
	for _, c := range strings.Split(target, "/") {
		switch c {
		case "", ".":
			continue
		case "..":
			if len(cur) <= 1 {
				return invalid("symlink %q points to %q, outside wp-content", shown, tshown)
			}
			cur = cur[:len(cur)-1]
			continue
		}
		cur = append(cur, c)
		p := strings.Join(cur, "/")
		if s.symlinks[p] || p == name {
			return invalid("symlink %q points through the symlink %q", shown, printable(p))
		}
		if len(s.traversed) >= maxTraversed {
			return invalid("the backup's symlinks have implausibly long targets")
		}
		s.traversed[p] = true
	}
	s.symlinks[name] = true
	return nil
}
