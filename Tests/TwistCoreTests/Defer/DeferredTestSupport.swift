import Foundation
import Testing
import TwistCore

/// An error with an identity tests can check.
struct TestError: Error, Equatable {
    var code = 0
}

/// Another error type, for `check`/`trap` tests.
struct OtherError: Error, Equatable {}

/// The global actor Deferred async tests run on: it stands in for the reactor's isolation.
@globalActor
actor DeferredTestActor {
    static let shared = DeferredTestActor()
}

extension Deferred {
    /// The success value, when the chain currently holds one.
    var successValue: Value? {
        if case .success(let value)? = currentResult { return value }
        return nil
    }

    /// The failure, when the chain currently holds one.
    var failure: Failure? {
        if case .failure(let failure)? = currentResult { return failure }
        return nil
    }

    /// Ends the chain with a stage that handles anything, so nothing is reported as unhandled.
    func swallow() {
        _ = addBoth { _ in }
    }
}
