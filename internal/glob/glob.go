package glob

// maxNesting is the recursion depth past which Redis 7.0 gives up and
// reports no match (its protection against abusive patterns).
const maxNesting = 1000

// Match reports whether str matches pattern with Redis 7.0 semantics:
// '*' any run, '?' one byte, '[...]' a set with '^' negation, ranges in
// either order and '\' escapes, '\' escaping any byte elsewhere. nocase
// folds ASCII letters only. It does not allocate.
func Match(pattern, str []byte, nocase bool) bool {
	var skip bool
	return match(pattern, str, nocase, &skip, 0)
}

// MatchString is Match for strings.
func MatchString(pattern, str string, nocase bool) bool {
	var skip bool
	return match(pattern, str, nocase, &skip, 0)
}

func lower(c byte) byte {
	if c >= 'A' && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

// at returns p[i], or 0 past the end: Redis reads the NUL that terminates
// its strings there, and the semantics depend on it.
func at[T string | []byte](p T, i int) byte {
	if i < len(p) {
		return p[i]
	}
	return 0
}

// match follows Redis's algorithm so that edge cases (an unterminated
// '[', a trailing '\', the early exit once a '*' has failed for every
// suffix) behave identically.
func match[T string | []byte](p, s T, nocase bool, skipLonger *bool, nesting int) bool {
	if nesting > maxNesting {
		return false
	}
	for len(p) > 0 && len(s) > 0 {
		switch p[0] {
		case '*':
			for len(p) > 0 && at(p, 1) == '*' {
				p = p[1:]
			}
			if len(p) == 1 {
				return true
			}
			for len(s) > 0 {
				if match(p[1:], s, nocase, skipLonger, nesting+1) {
					return true
				}
				if *skipLonger {
					return false
				}
				s = s[1:]
			}
			// No suffix of s matches the rest of the pattern, so no earlier
			// '*' can succeed by consuming more: stop the whole search.
			*skipLonger = true
			return false
		case '?':
			s = s[1:]
		case '[':
			// i indexes the pattern inside the brackets; reading past the
			// end yields 0, as in C.
			i := 1
			not := at(p, i) == '^'
			if not {
				i++
			}
			matched := false
			c := s[0]
		class:
			for {
				rem := len(p) - i
				switch {
				case at(p, i) == '\\' && rem >= 2:
					i++
					if p[i] == c {
						matched = true
					}
				case at(p, i) == ']':
					break class
				case rem == 0:
					// Unterminated set: the last pattern byte closes it.
					i--
					break class
				case rem >= 3 && p[i+1] == '-':
					lo, hi := p[i], p[i+2]
					if lo > hi {
						lo, hi = hi, lo
					}
					cc := c
					if nocase {
						lo, hi, cc = lower(lo), lower(hi), lower(cc)
					}
					i += 2
					if cc >= lo && cc <= hi {
						matched = true
					}
				default:
					if p[i] == c || nocase && lower(p[i]) == lower(c) {
						matched = true
					}
				}
				i++
			}
			if not {
				matched = !matched
			}
			if !matched {
				return false
			}
			s = s[1:]
			p = p[i:]
		case '\\':
			if len(p) >= 2 {
				p = p[1:]
			}
			fallthrough
		default:
			if p[0] != s[0] && !(nocase && lower(p[0]) == lower(s[0])) {
				return false
			}
			s = s[1:]
		}
		p = p[1:]
		if len(s) == 0 {
			for len(p) > 0 && p[0] == '*' {
				p = p[1:]
			}
			break
		}
	}
	return len(p) == 0 && len(s) == 0
}
