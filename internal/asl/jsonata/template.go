package jsonata

import "strings"

// Template reports whether s is a JSONata template, a string that starts with "{%" and ends
// with "%}" with nothing outside the delimiters, and returns the expression between them with
// surrounding white space removed. Anything else, including " {% x %}" with a leading space or
// text around the delimiters, is a plain string to AWS and gives ok == false.
func Template(s string) (expr string, ok bool) {
	if len(s) < 4 || !strings.HasPrefix(s, "{%") || !strings.HasSuffix(s, "%}") {
		return "", false
	}
	return strings.TrimSpace(s[2 : len(s)-2]), true
}
