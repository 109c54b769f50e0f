package site

import (
	"fmt"
	"path/filepath"
)

// ServiceAllInOne is the one service of the all-in-one layout; its name is
// also its image role, so `wpstack-init health allinone` checks it.
const ServiceAllInOne = "allinone"

// Host folders under DataDir, the names the course uses.
const (
	DataDirDB   = "data_wordpress"        // the database (/var/lib/mysql)
	DataDirHTML = "source_code_wordpress" // the WordPress files (/var/www/html)
)

// validateLayout checks what depends on the layout and on DataDir.
func (s *Spec) validateLayout() error {
	if s.Layout == LayoutAllInOne && s.Target != "" && s.Target != TargetLocal {
		return fmt.Errorf("--layout allinone runs on one Docker engine only: use --target local, or --layout split for a cluster")
	}
	if s.DataDir != "" && !filepath.IsAbs(s.DataDir) {
		return fmt.Errorf("invalid data folder %q: give an absolute path with --data-dir (e.g. /srv/wp-%s)", s.DataDir, s.Name)
	}
	if s.DataDir != "" {
		if err := CheckFolder("--data-dir", s.DataDir); err != nil {
			return err
		}
	}
	return nil
}

// Services lists the services of the site's layout in start order.
func (s *Spec) Services() []string {
	if s.Layout == LayoutAllInOne {
		return []string{ServiceAllInOne}
	}
	if s.BackupEvery != "" {
		return []string{ServiceDB, ServiceWeb, ServiceBackup}
	}
	return []string{ServiceDB, ServiceWeb}
}

// WebService is the service that serves WordPress and holds its files.
func (s *Spec) WebService() string {
	if s.Layout == LayoutAllInOne {
		return ServiceAllInOne
	}
	return ServiceWeb
}

// DataDirs returns the host folders of a site with DataDir: the database's
// and the WordPress files'. Both are "" without DataDir.
func (s *Spec) DataDirs() (db, html string) {
	if s.DataDir == "" {
		return "", ""
	}
	return filepath.Join(s.DataDir, DataDirDB), filepath.Join(s.DataDir, DataDirHTML)
}
