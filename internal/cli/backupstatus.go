package cli

import (
	"fmt"
	"io"
	"time"

	"github.com/wpstack/wpstack/internal/backup"
)

// printBackups adds a site's backup schedule and last run to `status`.
func printBackups(w io.Writer, st *backup.RunStatus) {
	if st == nil {
		return
	}
	line := fmt.Sprintf("  backups: every %s, keep %d", st.Every, st.Keep)
	switch {
	case st.LastRun.IsZero():
		line += "; no run finished yet"
	case st.LastError != "":
		line += fmt.Sprintf("; LAST RUN FAILED at %s: %s", st.LastRun.Local().Format(time.DateTime), st.LastError)
	default:
		line += fmt.Sprintf("; last %s (%s), %d kept", st.LastFile, st.LastSuccess.Local().Format(time.DateTime), len(st.Kept))
	}
	fmt.Fprintln(w, line)
}
