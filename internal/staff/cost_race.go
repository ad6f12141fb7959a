//go:build race

package staff

// bcryptCost under the race detector, which only test builds use: the
// detector makes bcrypt about fourteen times slower (3.5 s a check at cost
// 12), and the tests sign in hundreds of times. Hashing and checking are
// the same code at any cost; a released binary is never built with -race.
const bcryptCost = 6
