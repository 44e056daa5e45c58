import FuzzSupport

runFuzzer { data, size in fuzzPROXYHeader(data, size) }
