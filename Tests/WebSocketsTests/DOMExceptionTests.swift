import Foundation
import Testing
@testable import WebSockets

/// `DOMException` as Web IDL defines it (Web IDL § DOMException names).
@Suite("DOMException (Web IDL)")
struct DOMExceptionTests {
    @Test(arguments: [
        (DOMException.Name.syntaxError, "SyntaxError", UInt16(12)),
        (.invalidStateError, "InvalidStateError", 11),
        (.invalidAccessError, "InvalidAccessError", 15),
        (.notSupportedError, "NotSupportedError", 9),
        (.notFoundError, "NotFoundError", 8),
        (.securityError, "SecurityError", 18),
        (.networkError, "NetworkError", 19),
        (.abortError, "AbortError", 20),
        (.timeoutError, "TimeoutError", 23),
        (.encodingError, "EncodingError", 0),
        (.notReadableError, "NotReadableError", 0),
        (.operationError, "OperationError", 0),
        (.notAllowedError, "NotAllowedError", 0),
    ])
    func namesAreTheStandardsNamesWithTheirLegacyCodes(_ name: DOMException.Name, _ rawValue: String, _ code: UInt16) {
        #expect(name.rawValue == rawValue)
        #expect(DOMException.Name(rawValue: rawValue) == name)
        #expect(name.code == code)
        #expect(DOMException(name, "x").code == code)
        #expect(name.description == rawValue)
    }

    @Test func everyNameIsCoveredAbove() {
        #expect(DOMException.Name.allCases.count == 13)
    }

    @Test func bothInitialisersKeepNameAndMessage() {
        let positional = DOMException(.syntaxError, "The URL's scheme must be ws or wss.")
        let labelled = DOMException(name: .syntaxError, message: "The URL's scheme must be ws or wss.")
        #expect(positional == labelled)
        #expect(positional.name == .syntaxError)
        #expect(positional.message == "The URL's scheme must be ws or wss.")
        #expect(positional != DOMException(.syntaxError, "other"))
        #expect(positional != DOMException(.invalidAccessError, "The URL's scheme must be ws or wss."))
    }

    @Test func descriptionIsNameColonMessage() {
        let exception = DOMException(.invalidAccessError, "The code must be 1000 or in 3000...4999.")
        #expect(exception.description == "InvalidAccessError: The code must be 1000 or in 3000...4999.")
        #expect(DOMException(.abortError, "").description == "AbortError")
        #expect(exception.localizedDescription == exception.description)
    }

    @Test func itIsThrownTyped() {
        func close() throws(DOMException) { throw DOMException(.invalidAccessError, "bad code") }
        do {
            try close()
            Issue.record("close() did not throw")
        } catch {
            #expect(error.name == .invalidAccessError)
        }
        #expect(throws: DOMException(.invalidAccessError, "bad code")) { try close() }
    }
}
