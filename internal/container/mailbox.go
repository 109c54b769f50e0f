package container

import (
	"bufio"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"mime"
	"net/mail"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/wpstack/wpstack/internal/contract"
)

// The site's mailbox is a maildir (tmp, new, cur) in contract.MailboxDir:
// with no SMTP relay, PHP's sendmail_path is `wpstack-init sendmail`, which
// keeps each message there, and `wpstack mail` reads them through
// `wpstack-init mailbox`. A message that cannot be kept makes PHP's mail()
// fail (WordPress reports it), it is never dropped silently.
const mailboxDir = contract.MailboxDir

// maxMessageSize bounds one message (attachments included): a runaway
// plugin must not fill the volume with one mail.
const maxMessageSize = 64 << 20

// maxHeaderRead is how much of a message the listing parses.
const maxHeaderRead = 256 << 10

// storeMessage writes r as a new message of the maildir dir and returns
// its file name. The message is complete in tmp/ before its rename into
// new/, so a reader never sees half of one.
func storeMessage(dir string, r io.Reader, now time.Time) (string, error) {
	for _, sub := range []string{"tmp", "new", "cur"} {
		if err := os.MkdirAll(filepath.Join(dir, sub), 0o700); err != nil {
			return "", fmt.Errorf("create the mailbox %s: %w", dir, err)
		}
	}
	if err := denyWeb(dir); err != nil {
		return "", err
	}
	rnd := make([]byte, 6)
	if _, err := rand.Read(rnd); err != nil {
		return "", fmt.Errorf("name the message: %w", err)
	}
	// Maildir's unique name; the time first so names sort by arrival.
	name := fmt.Sprintf("%d.%09d.P%d_%s.wpstack", now.Unix(), now.Nanosecond(), os.Getpid(), hex.EncodeToString(rnd))
	tmp := filepath.Join(dir, "tmp", name)
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return "", fmt.Errorf("keep the message in %s: %w", dir, err)
	}
	n, err := io.Copy(f, io.LimitReader(r, maxMessageSize+1))
	if err == nil && n > maxMessageSize {
		err = fmt.Errorf("the message is larger than %d MiB", maxMessageSize>>20)
	}
	if err == nil && n == 0 {
		err = errors.New("the message is empty")
	}
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, filepath.Join(dir, "new", name))
	}
	if err != nil {
		_ = os.Remove(tmp)
		return "", fmt.Errorf("keep the message in %s: %w", dir, err)
	}
	return name, nil
}

// denyWeb keeps a .htaccess refusing every request in dir: a swarm
// site's mailbox is inside wp-content, under the webroot, and its messages
// carry password-reset links. The listing skips dot files.
func denyWeb(dir string) error {
	p := filepath.Join(dir, ".htaccess")
	if _, err := os.Lstat(p); err == nil {
		return nil
	} else if !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("protect the mailbox %s: %w", dir, err)
	}
	f, err := os.OpenFile(p, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if errors.Is(err, fs.ErrExist) {
		return nil // another message's sendmail was first
	}
	if err != nil {
		return fmt.Errorf("protect the mailbox %s: %w", dir, err)
	}
	_, err = io.WriteString(f, "# wpstack: the site's mailbox, never served\nRequire all denied\n")
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("protect the mailbox %s: %w", dir, err)
	}
	return nil
}

// mailboxArgs takes a leading `--dir DIR` off args: the mailbox is dir
// instead of MailboxDir. Only the first position counts, so a --dir in
// the parameters PHP appends to sendmail_path changes nothing.
func mailboxArgs(args []string) (string, []string, error) {
	if len(args) == 0 || args[0] != "--dir" {
		return mailboxDir, args, nil
	}
	if len(args) < 2 || !filepath.IsAbs(args[1]) || filepath.Clean(args[1]) != args[1] {
		return "", nil, errors.New("--dir: give the mailbox's absolute path")
	}
	return args[1], args[2:], nil
}

// MailEntry is one kept message as `wpstack-init mailbox list` prints it.
type MailEntry struct {
	N       int       `json:"n"`
	ID      string    `json:"id"`
	Date    time.Time `json:"date"`
	From    string    `json:"from"`
	To      string    `json:"to"`
	Subject string    `json:"subject"`
	Size    int64     `json:"size"`
}

// mailFiles lists the messages of dir (new/ and cur/), oldest first, as
// paths; N in the listing is the index + 1.
func mailFiles(dir string) ([]string, error) {
	var paths []string
	for _, sub := range []string{"new", "cur"} {
		entries, err := os.ReadDir(filepath.Join(dir, sub))
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("read the mailbox %s: %w", dir, err)
		}
		for _, e := range entries {
			if e.Type().IsRegular() && !strings.HasPrefix(e.Name(), ".") {
				paths = append(paths, filepath.Join(dir, sub, e.Name()))
			}
		}
	}
	sort.Slice(paths, func(i, j int) bool { return filepath.Base(paths[i]) < filepath.Base(paths[j]) })
	return paths, nil
}

// listMail reads the headers of every message in dir.
func listMail(dir string) ([]MailEntry, error) {
	paths, err := mailFiles(dir)
	if err != nil {
		return nil, err
	}
	out := make([]MailEntry, 0, len(paths))
	for i, p := range paths {
		e, err := readEntry(p)
		if err != nil {
			return nil, err
		}
		e.N = i + 1
		out = append(out, e)
	}
	return out, nil
}

func readEntry(path string) (MailEntry, error) {
	f, err := os.Open(path)
	if err != nil {
		return MailEntry{}, fmt.Errorf("read message %s: %w", filepath.Base(path), err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return MailEntry{}, fmt.Errorf("read message %s: %w", filepath.Base(path), err)
	}
	e := MailEntry{ID: filepath.Base(path), Size: fi.Size(), Date: fi.ModTime().UTC()}
	// A message whose headers do not parse is still listed, by its file.
	m, err := mail.ReadMessage(bufio.NewReader(io.LimitReader(f, maxHeaderRead)))
	if err != nil {
		e.Subject = "(headers unreadable: " + err.Error() + ")"
		return e, nil
	}
	dec := mime.WordDecoder{}
	header := func(k string) string {
		v := m.Header.Get(k)
		if d, err := dec.DecodeHeader(v); err == nil {
			v = d
		}
		return cleanHeader(v)
	}
	e.From, e.To, e.Subject = header("From"), header("To"), header("Subject")
	if d, err := m.Header.Date(); err == nil {
		e.Date = d.UTC()
	}
	return e, nil
}

// cleanHeader keeps a header value to one printable line of bounded length:
// it comes from site content and is shown on a terminal.
func cleanHeader(s string) string {
	s = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) {
			return ' '
		}
		return r
	}, s)
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > 200 {
		s = string(r[:200]) + "…"
	}
	return s
}

// runSendmail keeps the message on stdin in the mailbox. Its arguments are
// `--dir DIR` first when the mailbox is not MailboxDir, then sendmail's
// (-t, -i, -f ADDR from PHP or PHPMailer), which change nothing: every
// message is kept whoever it is for.
func runSendmail(args []string, stdin io.Reader, stderr io.Writer) int {
	dir, _, err := mailboxArgs(args)
	if err == nil {
		var name string
		if name, err = storeMessage(dir, stdin, time.Now()); err == nil {
			fmt.Fprintf(stderr, "wpstack-init sendmail: message kept in the site's mailbox as %s (read it with: wpstack mail SITE)\n", name)
			return 0
		}
	}
	fmt.Fprintf(stderr, "wpstack-init sendmail: %v (no SMTP relay is set: mail is kept in %s)\n", err, dir)
	return 1
}

// runMailbox is `mailbox [--dir DIR] list` (JSON) or `mailbox [--dir DIR]
// show N` (the raw message).
func runMailbox(args []string, stdout io.Writer) (int, error) {
	dir, args, err := mailboxArgs(args)
	if err != nil {
		return 2, err
	}
	return runMailboxIn(dir, args, stdout)
}

func runMailboxIn(dir string, args []string, stdout io.Writer) (int, error) {
	switch {
	case len(args) == 1 && args[0] == "list":
		entries, err := listMail(dir)
		if err != nil {
			return 1, err
		}
		return 0, json.NewEncoder(stdout).Encode(entries)
	case len(args) == 2 && args[0] == "show":
		n, err := strconv.Atoi(args[1])
		if err != nil || n < 1 {
			return 2, fmt.Errorf("mailbox show %q: give the message's number from the list (1 is the oldest)", args[1])
		}
		paths, err := mailFiles(dir)
		if err != nil {
			return 1, err
		}
		if n > len(paths) {
			return 3, fmt.Errorf("the mailbox has %d messages, not %d", len(paths), n)
		}
		f, err := os.Open(paths[n-1])
		if err != nil {
			return 1, fmt.Errorf("read message %d: %w", n, err)
		}
		defer f.Close()
		_, err = io.Copy(stdout, f)
		return 0, err
	}
	return 2, errors.New("usage: wpstack-init mailbox [--dir DIR] list | mailbox [--dir DIR] show N")
}
