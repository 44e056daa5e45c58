import FuzzSupport

runFuzzer { data, size in fuzzLineOnly(data, size) }
