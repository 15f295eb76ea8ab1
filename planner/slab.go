package planner

// slab hands out small slices carved from larger allocations: a thousand
// services then cost a few dozen allocations for their candidates and
// steps instead of a thousand each, and the garbage collector has fewer
// objects to track.
type slab[T any] struct {
	buf   []T
	chunk int // elements per allocation: big enough to pay off, small enough that a one-service plan wastes little
}

// take returns an empty slice with room for n elements. Its capacity is n,
// so an append by a reader copies instead of writing into the next one's.
func (s *slab[T]) take(n int) []T {
	if cap(s.buf)-len(s.buf) < n {
		s.buf = make([]T, 0, max(n, s.chunk))
	}
	at := len(s.buf)
	s.buf = s.buf[:at+n]
	return s.buf[at : at : at+n]
}
