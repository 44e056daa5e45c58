public import ArgumentParser
public import Poetry

extension GetPoetryStyle: ExpressibleByArgument {}
