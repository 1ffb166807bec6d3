package plan

import "strings"

// Suggest returns the candidate closest to given, ignoring case, or "" when
// none is close enough to be what was meant. Closeness is the number of
// single-character insertions, deletions, substitutions and swaps of two
// neighbours ("nmae" is one swap from "name"). A suggestion may be at most
// max(2, len(given)/3) edits away, and fewer than half of given's length,
// so that a short name is not "corrected" into an unrelated one (Name is two
// edits from Age). Of equally close candidates the first wins, so callers
// list the likeliest first.
func Suggest(given string, candidates []string) string {
	g := []rune(strings.ToLower(given))
	limit := max(2, len(g)/3)
	best, bestDist := "", limit+1
	for _, c := range candidates {
		r := []rune(strings.ToLower(c))
		// Each edit changes the length by at most one, so a candidate whose
		// length differs by more than the limit cannot qualify.
		if abs(len(r)-len(g)) > limit {
			continue
		}
		if d := editDistance(g, r); d < bestDist && 2*d < len(g) {
			best, bestDist = c, d
		}
	}
	return best
}

// editDistance is the optimal string alignment distance between a and b:
// Levenshtein's edits plus swapping two adjacent characters. It keeps the
// last three rows of the table only.
func editDistance(a, b []rune) int {
	prev2 := make([]int, len(b)+1)
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				cur[j] = min(cur[j], prev2[j-2]+1)
			}
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return prev[len(b)]
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}
