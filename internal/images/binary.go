package images

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"

	"github.com/wpstack/wpstack/internal/contract"
	"github.com/wpstack/wpstack/internal/initbin"
)

// defaultInit fills in Binary: the wpstack-init this CLI carries.
func (o *Options) defaultInit() error {
	if o.Binary != "" {
		return nil
	}
	p, err := initbin.Path(o.CacheDir)
	if err != nil {
		return err
	}
	o.Binary = p
	return nil
}

// binarySHA256 checks that path is an ELF executable (the images run Linux)
// and returns its sha256.
func binarySHA256(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", fmt.Errorf("read the %s binary to copy into images: %w", contract.InitName, err)
	}
	defer f.Close()
	magic := make([]byte, 4)
	if _, err := io.ReadFull(f, magic); err != nil || !bytes.Equal(magic, []byte("\x7fELF")) {
		return "", fmt.Errorf("%s is not a Linux executable; images need a static linux build of %s (CGO_ENABLED=0 GOOS=linux go build ./cmd/%s; make build does it)", path, contract.InitName, contract.InitName)
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return "", err
	}
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", fmt.Errorf("hash %s: %w", path, err)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}
