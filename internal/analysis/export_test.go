package analysis

// SuppressionSetForTest exposes suppressionSet to the external tests.
var SuppressionSetForTest = suppressionSet
