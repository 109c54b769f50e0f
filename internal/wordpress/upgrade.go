package wordpress

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/wpstack/wpstack/internal/events"
)

// UpgradeDatabase runs WordPress's own database upgrade (wp-admin/upgrade.php,
// the page wp-admin sends an administrator to after a core update). It is
// needed once after the container upgraded core to the image's newer one,
// and harmless otherwise: WordPress answers that no upgrade is required.
func (w Site) UpgradeDatabase(ctx context.Context) error {
	res := "wordpress " + w.Name
	req, err := w.request(ctx, http.MethodGet, "/wp-admin/upgrade.php?step=1&backto=%2F", nil)
	if err != nil {
		return err
	}
	resp, err := w.client().Do(req)
	if err != nil {
		return fmt.Errorf("run the WordPress database upgrade on %s: %w", w.URL, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("run the WordPress database upgrade on %s: %s; open %swp-admin/upgrade.php to see why", w.URL, resp.Status, w.URL)
	}
	switch text := string(body); {
	case strings.Contains(text, "No Update Required") || strings.Contains(text, "already up to date"):
		events.Emit(ctx, res, events.Skipped, "database is up to date")
	case strings.Contains(text, "Update Complete"):
		events.Emit(ctx, res, events.Done, "database upgraded for the new core")
	default:
		events.Emit(ctx, res, events.Done, "database upgrade page answered")
	}
	return nil
}
