package eventpattern

// kind is the JSON type of one leaf value of an event.
type kind uint8

const (
	kindString kind = iota + 1
	kindNumber
	kindTrue
	kindFalse
	kindNull
)

// value is one leaf of a flattened event: the field path it sits at, its JSON type, and its
// content. Strings hold their decoded bytes; numbers hold their literal text and, when the
// number is inside the range numeric matching accepts, its scaled value.
type value struct {
	str   []byte
	num   int64
	path  int32
	elem  int32 // the innermost array element holding the value, -1 outside arrays
	kind  kind
	numOK bool
}

// element is one element of an array of an event, as the scanner entered it. Elements form a
// tree: parent is the element of the enclosing array (-1 at the top), depth counts the arrays
// from the top. Two values come from the same element of an array they share exactly when
// their chains of elements agree down to that array.
type element struct {
	array  int32 // arrays are numbered in document order within one event
	index  int32
	parent int32
	depth  int32
}
