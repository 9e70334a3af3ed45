package demo

import (
	"fmt"
	"io"
	"strings"
	"sync"
	"time"
)

// printer writes the story, one line at a time, each stamped with the time since the demo
// began. Safe for concurrent use: the stack's observers print from their own goroutines.
type printer struct {
	mu    sync.Mutex
	w     io.Writer
	start time.Time
}

func newPrinter(w io.Writer) *printer { return &printer{w: w, start: time.Now()} }

func (p *printer) elapsed() time.Duration { return time.Since(p.start) }

// line prints one formatted line; an empty format prints a blank line.
func (p *printer) line(format string, args ...any) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if format == "" {
		fmt.Fprintln(p.w)
		return
	}
	fmt.Fprintf(p.w, "[%5.1fs] %s\n", time.Since(p.start).Seconds(), fmt.Sprintf(format, args...))
}

// table prints rows under a header, columns padded to their widest cell.
func (p *printer) table(header []string, rows [][]string) {
	widths := make([]int, len(header))
	for i, h := range header {
		widths[i] = len([]rune(h))
	}
	for _, r := range rows {
		for i, c := range r {
			if n := len([]rune(c)); i < len(widths) && n > widths[i] {
				widths[i] = n
			}
		}
	}
	render := func(cells []string) string {
		var b strings.Builder
		for i, c := range cells {
			if i > 0 {
				b.WriteString("  ")
			}
			b.WriteString(c)
			if i < len(cells)-1 {
				b.WriteString(strings.Repeat(" ", widths[i]-len([]rune(c))))
			}
		}
		return b.String()
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	fmt.Fprintln(p.w, "    "+render(header))
	sep := make([]string, len(header))
	for i := range sep {
		sep[i] = strings.Repeat("─", widths[i])
	}
	fmt.Fprintln(p.w, "    "+render(sep))
	for _, r := range rows {
		fmt.Fprintln(p.w, "    "+render(r))
	}
}
