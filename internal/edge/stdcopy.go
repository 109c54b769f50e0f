package edge

import (
	"bytes"
	"io"

	"github.com/docker/docker/pkg/stdcopy"
)

func stdcopyAll(buf *bytes.Buffer, r io.Reader) (int64, error) {
	n, err := stdcopy.StdCopy(buf, buf, r)
	if err == io.EOF {
		err = nil
	}
	return n, err
}
