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
	str      []byte
	num      int64
	path     int32
	trailOff int32
	trailLen int32
	kind     kind
	numOK    bool
}

// arrayStep records that a value sits at element index of the array numbered array (arrays are
// numbered in document order within one event). A value's trail lists the arrays it is inside,
// outermost first; two values are from the same array element when their trails agree.
type arrayStep struct {
	array int32
	index int32
}
