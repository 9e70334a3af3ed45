package requestapproval

import "strconv"

func num(f float64) string { return strconv.FormatFloat(f, 'g', -1, 64) }

// signed formats a difference to ten significant digits with its sign, so 4.6-4 reads +0.6.
func signed(f float64) string {
	s := strconv.FormatFloat(f, 'g', 10, 64)
	if f >= 0 {
		return "+" + s
	}
	return s
}
