import FuzzSupport

runFuzzer { data, size in fuzzLengthPrefixed(data, size) }
