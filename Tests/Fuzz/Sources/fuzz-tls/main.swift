import FuzzSupport

runFuzzer { data, size in fuzzTLS(data, size) }
