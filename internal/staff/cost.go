//go:build !race

package staff

// bcryptCost is bcrypt's work factor: about a quarter of a second per check
// on this project's machines.
const bcryptCost = 12
