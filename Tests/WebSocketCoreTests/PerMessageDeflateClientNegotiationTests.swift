import Testing
@testable import WebSocketCore

/// The client's half of RFC 7692 §5 and §7.1: what it offers, and every way a server's
/// response can be acceptable or not.
@Suite("permessage-deflate negotiation, client")
struct PerMessageDeflateClientNegotiationTests {
    typealias Configuration = PerMessageDeflate.Configuration
    typealias Parameters = PerMessageDeflate.Parameters

    struct Case: CustomStringConvertible, Sendable {
        var configuration = Configuration()
        var response: String
        var outcome: Result<Parameters, PerMessageDeflate.NegotiationError>

        var description: String { "\(configuration.offer) → \(response)" }
    }

    static func element(_ text: String) throws -> ExtensionOffer {
        try #require(ExtensionHeader.parse(text).first)
    }

    @Test func theDefaultOfferIsTheWebSocketStandards() {
        #expect(ExtensionHeader.serialize([Configuration().offer]) == "permessage-deflate; client_max_window_bits")
    }

    @Test func theOfferCarriesWhatIsConfigured() {
        let everything = Configuration(
            serverNoContextTakeover: true, clientNoContextTakeover: true, serverMaxWindowBits: 10, clientMaxWindowBits: 11)
        #expect(everything.offer.description
            == "permessage-deflate; server_no_context_takeover; client_no_context_takeover; server_max_window_bits=10; client_max_window_bits=11")
        #expect(Configuration(offersClientMaxWindowBits: false).offer.description == "permessage-deflate")
        #expect(Configuration(clientMaxWindowBits: 9, offersClientMaxWindowBits: false).offer.description == "permessage-deflate")
        #expect(Configuration(serverMaxWindowBits: 8).offer.description
            == "permessage-deflate; server_max_window_bits=8; client_max_window_bits")
    }

    static let accepted: [Case] = [
        Case(response: "permessage-deflate", outcome: .success(Parameters())),
        Case(response: "permessage-deflate; server_no_context_takeover", outcome: .success(Parameters(serverNoContextTakeover: true))),
        Case(response: "permessage-deflate; client_no_context_takeover", outcome: .success(Parameters(clientNoContextTakeover: true))),
        Case(response: "permessage-deflate; server_max_window_bits=10", outcome: .success(Parameters(serverMaxWindowBits: 10))),
        Case(response: "permessage-deflate; server_max_window_bits=8", outcome: .success(Parameters(serverMaxWindowBits: 8))),
        Case(response: "permessage-deflate; server_max_window_bits=15", outcome: .success(Parameters())),
        Case(response: "permessage-deflate; server_max_window_bits=\"12\"", outcome: .success(Parameters(serverMaxWindowBits: 12))),
        Case(response: "permessage-deflate; client_max_window_bits=9", outcome: .success(Parameters(clientMaxWindowBits: 9))),
        Case(response: "permessage-deflate; client_max_window_bits=8", outcome: .success(Parameters(clientMaxWindowBits: 8))),
        Case(response: "permessage-deflate; client_max_window_bits=15", outcome: .success(Parameters())),
        Case(response: "permessage-deflate;client_max_window_bits=10 ;server_no_context_takeover",
             outcome: .success(Parameters(serverNoContextTakeover: true, clientMaxWindowBits: 10))),
        Case(response: "permessage-deflate; server_no_context_takeover; client_no_context_takeover; server_max_window_bits=12; client_max_window_bits=11",
             outcome: .success(Parameters(
                serverNoContextTakeover: true, clientNoContextTakeover: true, serverMaxWindowBits: 12, clientMaxWindowBits: 11))),
        // What the offer asked for, granted.
        Case(configuration: Configuration(serverNoContextTakeover: true), response: "permessage-deflate; server_no_context_takeover",
             outcome: .success(Parameters(serverNoContextTakeover: true))),
        Case(configuration: Configuration(serverMaxWindowBits: 10), response: "permessage-deflate; server_max_window_bits=10",
             outcome: .success(Parameters(serverMaxWindowBits: 10))),
        Case(configuration: Configuration(serverMaxWindowBits: 10), response: "permessage-deflate; server_max_window_bits=9",
             outcome: .success(Parameters(serverMaxWindowBits: 9))),
        Case(configuration: Configuration(clientMaxWindowBits: 10), response: "permessage-deflate; client_max_window_bits=10",
             outcome: .success(Parameters(clientMaxWindowBits: 10))),
        Case(configuration: Configuration(clientMaxWindowBits: 10), response: "permessage-deflate; client_max_window_bits=8",
             outcome: .success(Parameters(clientMaxWindowBits: 8))),
        // The client keeps to what it announced, even when the response leaves it out.
        Case(configuration: Configuration(clientMaxWindowBits: 10), response: "permessage-deflate",
             outcome: .success(Parameters(clientMaxWindowBits: 10))),
        Case(configuration: Configuration(clientNoContextTakeover: true), response: "permessage-deflate",
             outcome: .success(Parameters(clientNoContextTakeover: true))),
        Case(configuration: Configuration(offersClientMaxWindowBits: false), response: "permessage-deflate",
             outcome: .success(Parameters())),
    ]

    static let refused: [Case] = [
        Case(response: "permessage-deflate; foo", outcome: .failure(.unknownParameter("foo"))),
        Case(response: "permessage-deflate; foo=1", outcome: .failure(.unknownParameter("foo"))),
        Case(response: "permessage-deflate; Server_No_Context_Takeover", outcome: .failure(.unknownParameter("Server_No_Context_Takeover"))),
        Case(response: "permessage-deflate; server_no_context_takeover; server_no_context_takeover",
             outcome: .failure(.duplicateParameter("server_no_context_takeover"))),
        Case(response: "permessage-deflate; client_no_context_takeover; client_no_context_takeover",
             outcome: .failure(.duplicateParameter("client_no_context_takeover"))),
        Case(response: "permessage-deflate; server_max_window_bits=10; server_max_window_bits=10",
             outcome: .failure(.duplicateParameter("server_max_window_bits"))),
        Case(response: "permessage-deflate; client_max_window_bits=10; client_max_window_bits=11",
             outcome: .failure(.duplicateParameter("client_max_window_bits"))),
        Case(response: "permessage-deflate; server_no_context_takeover=1",
             outcome: .failure(.invalidValue(parameter: "server_no_context_takeover", value: "1"))),
        Case(response: "permessage-deflate; client_no_context_takeover=true",
             outcome: .failure(.invalidValue(parameter: "client_no_context_takeover", value: "true"))),
        Case(response: "permessage-deflate; server_max_window_bits",
             outcome: .failure(.invalidValue(parameter: "server_max_window_bits", value: nil))),
        Case(response: "permessage-deflate; client_max_window_bits",
             outcome: .failure(.invalidValue(parameter: "client_max_window_bits", value: nil))),
    ] + ["7", "16", "0", "08", "010", "+9", "-9", "9.0", "1e1", "a", "99999999999999999999"].flatMap { (value: String) in
        ["server_max_window_bits", "client_max_window_bits"].map { name in
            Case(response: "permessage-deflate; \(name)=\(value)", outcome: .failure(.invalidValue(parameter: name, value: value)))
        }
    } + [
        Case(configuration: Configuration(offersClientMaxWindowBits: false), response: "permessage-deflate; client_max_window_bits=10",
             outcome: .failure(.unofferedParameter("client_max_window_bits"))),
        Case(configuration: Configuration(serverMaxWindowBits: 10), response: "permessage-deflate; server_max_window_bits=11",
             outcome: .failure(.windowBitsTooLarge(parameter: "server_max_window_bits", offered: 10, answered: 11))),
        Case(configuration: Configuration(serverMaxWindowBits: 10), response: "permessage-deflate",
             outcome: .failure(.missingParameter("server_max_window_bits"))),
        Case(configuration: Configuration(clientMaxWindowBits: 10), response: "permessage-deflate; client_max_window_bits=12",
             outcome: .failure(.windowBitsTooLarge(parameter: "client_max_window_bits", offered: 10, answered: 12))),
        Case(configuration: Configuration(serverNoContextTakeover: true), response: "permessage-deflate",
             outcome: .failure(.missingParameter("server_no_context_takeover"))),
    ]

    @Test(arguments: accepted + refused)
    func theResponseIsCheckedAgainstTheOffer(_ testCase: Case) throws {
        let response = try Self.element(testCase.response)
        #expect(Result { () throws(PerMessageDeflate.NegotiationError) in
            try testCase.configuration.accept(response: response)
        } == testCase.outcome)
    }

    @Test func theHandshakesExtensionsAreSearchedForPermessageDeflate() throws {
        let configuration = Configuration()
        #expect(try configuration.accept(extensions: []) == nil)
        #expect(try configuration.accept(extensions: ExtensionHeader.parse("x-other; a=1")) == nil)
        #expect(try configuration.accept(extensions: ExtensionHeader.parse("x-other, permessage-deflate; server_max_window_bits=9"))
            == Parameters(serverMaxWindowBits: 9))
        #expect(throws: PerMessageDeflate.NegotiationError.duplicateExtension) {
            try configuration.accept(extensions: ExtensionHeader.parse("permessage-deflate, permessage-deflate"))
        }
        #expect(throws: PerMessageDeflate.NegotiationError.notPerMessageDeflate("x-webkit-deflate-frame")) {
            try configuration.accept(response: ExtensionOffer(name: "x-webkit-deflate-frame"))
        }
    }

    @Test func everyErrorSaysWhatWasWrong() {
        #expect(PerMessageDeflate.NegotiationError.invalidValue(parameter: "server_max_window_bits", value: "16").description
            == "invalid value 16 for permessage-deflate parameter server_max_window_bits")
        #expect(PerMessageDeflate.NegotiationError.windowBitsTooLarge(parameter: "server_max_window_bits", offered: 10, answered: 11)
            .description == "permessage-deflate server_max_window_bits=11 exceeds the 10 offered")
    }
}
