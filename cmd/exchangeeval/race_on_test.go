//go:build race

package main

// raceDetector says the tests run under -race, which multiplies memory
// and time: the tests that measure memory bounds need a build without it.
const raceDetector = true
