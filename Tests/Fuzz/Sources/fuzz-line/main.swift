import FuzzSupport

runFuzzer { data, size in fuzzLine(data, size) }
