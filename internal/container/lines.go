package container

import (
	"bufio"
	"errors"
	"io"
	"os"
	"sync"
)

// maxLine bounds one log line; longer ones are cut into several prefixed
// lines rather than held in memory.
const maxLine = 16 << 10

// lineWriter writes whole lines to one stream from several sources, each
// line prefixed with the name of the process it came from, so that two
// services sharing one container log can be told apart ("mariadbd | ...").
type lineWriter struct {
	mu  sync.Mutex
	out io.Writer
	wg  sync.WaitGroup
}

func newLineWriter(out io.Writer) *lineWriter { return &lineWriter{out: out} }

// pipe returns the write end to hand to a child as its stdout or stderr;
// what the child writes comes out prefixed with name. The caller closes the
// write end once the child has it.
func (lw *lineWriter) pipe(name string) (*os.File, error) {
	r, w, err := os.Pipe()
	if err != nil {
		return nil, err
	}
	lw.wg.Add(1)
	go func() {
		defer lw.wg.Done()
		defer r.Close()
		lw.copy(name, r)
	}()
	return w, nil
}

// copy reads lines from r until EOF: every holder of the write end (the
// child and whatever it forked) has exited or closed it.
func (lw *lineWriter) copy(name string, r io.Reader) {
	br := bufio.NewReaderSize(r, maxLine)
	prefix := []byte(name + " | ")
	for {
		line, err := br.ReadSlice('\n')
		if len(line) > 0 {
			lw.write(prefix, line)
		}
		if err != nil && !errors.Is(err, bufio.ErrBufferFull) {
			return
		}
	}
}

func (lw *lineWriter) write(prefix, line []byte) {
	buf := make([]byte, 0, len(prefix)+len(line)+1)
	buf = append(append(buf, prefix...), line...)
	if line[len(line)-1] != '\n' {
		buf = append(buf, '\n') // a cut long line or a last line without newline
	}
	lw.mu.Lock()
	defer lw.mu.Unlock()
	_, _ = lw.out.Write(buf)
}

// Write lets the supervisor's own log share the stream, one call per line.
func (lw *lineWriter) Write(p []byte) (int, error) {
	lw.mu.Lock()
	defer lw.mu.Unlock()
	return lw.out.Write(p)
}

// wait blocks until every pipe has reached EOF.
func (lw *lineWriter) wait() { lw.wg.Wait() }
