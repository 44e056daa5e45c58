/// The arguments of one description, bound to a type's parameter names and read with the checks
/// every parser needs — what a parser registered with ``EndpointParsers`` uses to turn an
/// ``EndpointDescription`` into values.
///
/// Binding works like a call with named parameters: the positional pieces fill `parameters` in
/// order, the `key=value` pieces fill the parameter of that name. Each reader throws an
/// ``EndpointDescriptionError`` naming the type and the argument.
public struct EndpointArguments: Sendable {
    /// The description's type name, as written (used in error messages).
    public let typeName: String
    /// The bound values by parameter name; an argument that was not given is absent.
    public let values: [String: String]

    /// Binds `description` to `parameters`.
    ///
    /// - Throws: ``EndpointDescriptionError/tooManyArguments(type:piece:)`` for more positionals
    ///   than parameters, ``EndpointDescriptionError/unknownKey(type:key:)`` for a key that is no
    ///   parameter, ``EndpointDescriptionError/duplicateArgument(type:name:)`` for a parameter
    ///   given by position and by key.
    public init(_ description: EndpointDescription, parameters: [String]) throws(EndpointDescriptionError) {
        typeName = description.typeName
        if description.positional.count > parameters.count {
            throw .tooManyArguments(type: typeName, piece: description.positional[parameters.count])
        }
        var values: [String: String] = [:]
        for (name, value) in zip(parameters, description.positional) {
            values[name] = value
        }
        for key in description.keywords.keys.sorted() {
            guard parameters.contains(key) else { throw .unknownKey(type: typeName, key: key) }
            if values[key] != nil { throw .duplicateArgument(type: typeName, name: key) }
            values[key] = description.keywords[key]
        }
        self.values = values
    }

    /// The text of `name`, or nil when it was not given.
    public subscript(name: String) -> String? { values[name] }

    /// The text of `name`, which must not be empty (`unix:` names no socket, `tcp::80` no host).
    ///
    /// - Throws: ``EndpointDescriptionError/missingArgument(type:name:)`` when it was not given
    ///   or is empty.
    public func required(_ name: String) throws(EndpointDescriptionError) -> String {
        guard let value = values[name], !value.isEmpty else { throw .missingArgument(type: typeName, name: name) }
        return value
    }

    /// `name` read as a decimal integer (an optional sign, then digits); `defaultValue` when it
    /// was not given, or a missing-argument error when there is no default.
    public func integer(_ name: String, default defaultValue: Int? = nil) throws(EndpointDescriptionError) -> Int {
        guard let text = values[name] else { return try fallback(name, defaultValue) }
        guard let value = Int(text) else {
            throw .invalidValue(type: typeName, name: name, value: text, expected: "an integer")
        }
        return value
    }

    /// `name` read as an octal number, with or without a leading `0` or `0o` ("660", "0660" and
    /// "0o660" are all 0o660); `defaultValue` when it was not given.
    public func octal(_ name: String, default defaultValue: Int? = nil) throws(EndpointDescriptionError) -> Int {
        guard let text = values[name] else { return try fallback(name, defaultValue) }
        var digits = Substring(text)
        if digits.hasPrefix("0o") || digits.hasPrefix("0O") { digits = digits.dropFirst(2) }
        guard !digits.isEmpty, digits.allSatisfy({ ("0"..."7").contains($0) }), let value = Int(digits, radix: 8) else {
            throw .invalidValue(type: typeName, name: name, value: text, expected: "an octal number")
        }
        return value
    }

    /// `name` read as a flag: "1" or "true" is true, "0" or "false" is false (the words in any
    /// case); `defaultValue` when it was not given.
    public func boolean(_ name: String, default defaultValue: Bool? = nil) throws(EndpointDescriptionError) -> Bool {
        guard let text = values[name] else { return try fallback(name, defaultValue) }
        switch text.lowercased() {
        case "1", "true": return true
        case "0", "false": return false
        default: throw .invalidValue(type: typeName, name: name, value: text, expected: "0 or 1")
        }
    }

    /// `name` read as a finite, non-negative number of seconds, decimals allowed ("30", "2.5");
    /// `defaultValue` when it was not given.
    public func seconds(_ name: String, default defaultValue: Double? = nil) throws(EndpointDescriptionError) -> Double {
        guard let text = values[name] else { return try fallback(name, defaultValue) }
        guard let value = Double(text), value.isFinite, value >= 0,
              text.allSatisfy({ $0.isASCII && ($0.isNumber || $0 == ".") })
        else {
            throw .invalidValue(type: typeName, name: name, value: text, expected: "a number of seconds")
        }
        return value
    }

    /// `name` read as a numeric IPv4 or IPv6 address with port `port`; nil when it was not given.
    public func ipAddress(_ name: String, port: Int = 0) throws(EndpointDescriptionError) -> IPAddress? {
        guard let text = values[name] else { return nil }
        guard let address = IPAddress(numericHost: text, port: port) else {
            throw .invalidValue(type: typeName, name: name, value: text, expected: "a numeric IP address")
        }
        return address
    }

    private func fallback<Value>(_ name: String, _ defaultValue: Value?) throws(EndpointDescriptionError) -> Value {
        guard let defaultValue else { throw .missingArgument(type: typeName, name: name) }
        return defaultValue
    }
}
