package clustertool

import (
	"fmt"
	"io"
	"strings"
	"time"
)

// progress draws, on a terminal only, a bar for long slot moves: slots
// done, keys moved, keys/s and time left. redis-cli's own lines go to
// stdout untouched; the bar lives on stderr and is erased when done.
type progress struct {
	w         io.Writer
	total     int
	slots     int
	keys      int
	start     time.Time
	lastDrawn time.Time
}

func (t *tool) startProgress(total int) {
	if !t.progressTTY || total == 0 {
		return
	}
	t.progress = &progress{w: t.stderr, total: total, start: time.Now()}
	t.progress.draw(true)
}

func (t *tool) endProgress() {
	if t.progress != nil {
		fmt.Fprint(t.progress.w, "\r\x1b[2K")
		t.progress = nil
	}
}

func (p *progress) addKeys(n int) {
	if p == nil {
		return
	}
	p.keys += n
	p.draw(false)
}

func (p *progress) slotDone() {
	if p == nil {
		return
	}
	p.slots++
	p.draw(true)
}

func (p *progress) draw(force bool) {
	now := time.Now()
	if !force && now.Sub(p.lastDrawn) < 100*time.Millisecond {
		return
	}
	p.lastDrawn = now
	const width = 30
	done := width * p.slots / p.total
	el := now.Sub(p.start).Seconds()
	rate := 0.0
	if el > 0 {
		rate = float64(p.keys) / el
	}
	left := "?"
	if p.slots > 0 {
		rem := time.Duration(el / float64(p.slots) * float64(p.total-p.slots) * float64(time.Second))
		left = rem.Round(time.Second).String()
	}
	fmt.Fprintf(p.w, "\r\x1b[2K[%s%s] %d/%d slots, %d keys, %.0f keys/s, %s left",
		strings.Repeat("#", done), strings.Repeat(" ", width-done), p.slots, p.total, p.keys, rate, left)
}
