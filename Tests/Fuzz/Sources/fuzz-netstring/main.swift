import FuzzSupport

runFuzzer { data, size in fuzzNetstring(data, size) }
