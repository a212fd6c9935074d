package cli_test

import (
	"strconv"
	"strings"
)

// screen is a minimal terminal: enough of VT100 to render what linenoise
// and readline draw (cursor moves, erase in line and display, colors
// ignored), so that two line editors can be compared by what the user
// sees rather than by the escape sequences they use to draw it.
type screen struct {
	lines    [][]rune
	row, col int
	width    int
}

func newScreen(width int) *screen { return &screen{lines: [][]rune{nil}, width: width} }

func (s *screen) line() []rune {
	for len(s.lines) <= s.row {
		s.lines = append(s.lines, nil)
	}
	return s.lines[s.row]
}

func (s *screen) put(r rune) {
	if s.col >= s.width {
		s.col = 0
		s.row++
	}
	l := s.line()
	for len(l) <= s.col {
		l = append(l, ' ')
	}
	l[s.col] = r
	s.lines[s.row] = l
	s.col++
}

func (s *screen) eraseLineFrom(c int) {
	l := s.line()
	if c < len(l) {
		s.lines[s.row] = l[:c]
	}
}

func (s *screen) write(b []byte) {
	rs := []rune(string(b))
	for i := 0; i < len(rs); i++ {
		switch r := rs[i]; r {
		case '\r':
			s.col = 0
		case '\n':
			s.row++
			s.line()
		case '\b':
			if s.col > 0 {
				s.col--
			}
		case '\a':
		case 0x1b:
			if i+1 < len(rs) && rs[i+1] == '[' {
				j := i + 2
				for j < len(rs) && (rs[j] < '@' || rs[j] > '~') {
					j++
				}
				if j >= len(rs) {
					return
				}
				s.csi(string(rs[i+2:j]), rs[j])
				i = j
			} else {
				i++
			}
		default:
			if r >= ' ' {
				s.put(r)
			}
		}
	}
}

func (s *screen) csi(params string, final rune) {
	if strings.HasPrefix(params, "?") {
		return
	}
	n := 1
	if params != "" {
		if v, err := strconv.Atoi(strings.Split(params, ";")[0]); err == nil {
			n = v
		}
	}
	switch final {
	case 'A':
		s.row = max(0, s.row-n)
	case 'B':
		s.row += n
	case 'C':
		s.col += n
	case 'D':
		s.col = max(0, s.col-n)
	case 'G':
		s.col = max(0, n-1)
	case 'H':
		s.row, s.col = 0, 0
	case 'K':
		switch params {
		case "", "0":
			s.eraseLineFrom(s.col)
		case "2":
			s.lines[s.row] = nil
		}
	case 'J':
		switch params {
		case "", "0":
			s.eraseLineFrom(s.col)
			s.lines = s.lines[:s.row+1]
		case "2":
			s.lines = [][]rune{nil}
			s.row = 0
		}
	}
}

// text is the screen's content, trailing blanks and empty last lines cut.
func (s *screen) text() string {
	var out []string
	for _, l := range s.lines {
		out = append(out, strings.TrimRight(string(l), " "))
	}
	for len(out) > 0 && out[len(out)-1] == "" {
		out = out[:len(out)-1]
	}
	return strings.Join(out, "\n")
}
