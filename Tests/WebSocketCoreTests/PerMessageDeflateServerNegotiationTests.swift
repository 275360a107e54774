import Testing
@testable import WebSocketCore

/// The server's half of RFC 7692 §5 and §7.1: which offer it accepts and what it answers,
/// for every parameter with and without values, and offers it must decline.
@Suite("permessage-deflate negotiation, server")
struct PerMessageDeflateServerNegotiationTests {
    typealias Configuration = PerMessageDeflate.Configuration
    typealias Parameters = PerMessageDeflate.Parameters

    struct Case: CustomStringConvertible, Sendable {
        var configuration = Configuration()
        var offers: String
        /// The response element, or nil when no offer is accepted.
        var response: String?
        var parameters = Parameters()

        var description: String { offers }
    }

    static let cases: [Case] = [
        // The browsers' offer, and the bare one.
        Case(offers: "permessage-deflate; client_max_window_bits", response: "permessage-deflate"),
        Case(offers: "permessage-deflate", response: "permessage-deflate"),
        // Each parameter the client may send, granted.
        Case(offers: "permessage-deflate; server_no_context_takeover", response: "permessage-deflate; server_no_context_takeover",
             parameters: Parameters(serverNoContextTakeover: true)),
        Case(offers: "permessage-deflate; client_no_context_takeover", response: "permessage-deflate; client_no_context_takeover",
             parameters: Parameters(clientNoContextTakeover: true)),
        Case(offers: "permessage-deflate; server_max_window_bits=10", response: "permessage-deflate; server_max_window_bits=10",
             parameters: Parameters(serverMaxWindowBits: 10)),
        Case(offers: "permessage-deflate; server_max_window_bits=8", response: "permessage-deflate; server_max_window_bits=8",
             parameters: Parameters(serverMaxWindowBits: 8)),
        Case(offers: "permessage-deflate; client_max_window_bits=10", response: "permessage-deflate; client_max_window_bits=10",
             parameters: Parameters(clientMaxWindowBits: 10)),
        Case(offers: "permessage-deflate; client_max_window_bits=\"9\"", response: "permessage-deflate; client_max_window_bits=9",
             parameters: Parameters(clientMaxWindowBits: 9)),
        Case(offers: "permessage-deflate; client_max_window_bits=12; server_max_window_bits=11; client_no_context_takeover; server_no_context_takeover",
             response: "permessage-deflate; server_no_context_takeover; client_no_context_takeover; server_max_window_bits=11; client_max_window_bits=12",
             parameters: Parameters(serverNoContextTakeover: true, clientNoContextTakeover: true, serverMaxWindowBits: 11, clientMaxWindowBits: 12)),
        // The server's own preferences.
        Case(configuration: Configuration(serverNoContextTakeover: true), offers: "permessage-deflate",
             response: "permessage-deflate; server_no_context_takeover", parameters: Parameters(serverNoContextTakeover: true)),
        Case(configuration: Configuration(clientNoContextTakeover: true), offers: "permessage-deflate",
             response: "permessage-deflate; client_no_context_takeover", parameters: Parameters(clientNoContextTakeover: true)),
        Case(configuration: Configuration(serverMaxWindowBits: 12), offers: "permessage-deflate",
             response: "permessage-deflate; server_max_window_bits=12", parameters: Parameters(serverMaxWindowBits: 12)),
        Case(configuration: Configuration(serverMaxWindowBits: 12), offers: "permessage-deflate; server_max_window_bits=10",
             response: "permessage-deflate; server_max_window_bits=10", parameters: Parameters(serverMaxWindowBits: 10)),
        Case(configuration: Configuration(serverMaxWindowBits: 12), offers: "permessage-deflate; server_max_window_bits=14",
             response: "permessage-deflate; server_max_window_bits=12", parameters: Parameters(serverMaxWindowBits: 12)),
        Case(configuration: Configuration(clientMaxWindowBits: 12), offers: "permessage-deflate; client_max_window_bits",
             response: "permessage-deflate; client_max_window_bits=12", parameters: Parameters(clientMaxWindowBits: 12)),
        Case(configuration: Configuration(clientMaxWindowBits: 12), offers: "permessage-deflate; client_max_window_bits=10",
             response: "permessage-deflate; client_max_window_bits=10", parameters: Parameters(clientMaxWindowBits: 10)),
        Case(configuration: Configuration(clientMaxWindowBits: 12), offers: "permessage-deflate; client_max_window_bits=14",
             response: "permessage-deflate; client_max_window_bits=12", parameters: Parameters(clientMaxWindowBits: 12)),
        // A client that does not offer client_max_window_bits cannot be limited (RFC 7692 §7.1.2.2).
        Case(configuration: Configuration(clientMaxWindowBits: 12), offers: "permessage-deflate", response: "permessage-deflate"),
        // Several offers: the first that can be read wins; the others are never looked at.
        Case(offers: "permessage-deflate; server_max_window_bits=10, permessage-deflate",
             response: "permessage-deflate; server_max_window_bits=10", parameters: Parameters(serverMaxWindowBits: 10)),
        Case(offers: "x-webkit-deflate-frame, permessage-deflate; client_no_context_takeover",
             response: "permessage-deflate; client_no_context_takeover", parameters: Parameters(clientNoContextTakeover: true)),
        Case(offers: "permessage-deflate; foo, permessage-deflate; server_max_window_bits=9; foo=bar, permessage-deflate; client_max_window_bits",
             response: "permessage-deflate"),
        // Nothing acceptable.
        Case(offers: "x-webkit-deflate-frame", response: nil),
        Case(offers: "permessage-deflate; server_max_window_bits=16", response: nil),
    ] + [
        "foo", "foo=1", "server_no_context_takeover; server_no_context_takeover",
        "client_no_context_takeover; client_no_context_takeover", "server_max_window_bits=10; server_max_window_bits=10",
        "client_max_window_bits; client_max_window_bits", "client_max_window_bits=9; client_max_window_bits",
        "server_no_context_takeover=1", "client_no_context_takeover=x", "server_max_window_bits",
        "server_max_window_bits=7", "server_max_window_bits=16", "server_max_window_bits=09", "client_max_window_bits=7",
        "client_max_window_bits=16", "client_max_window_bits=010", "client_max_window_bits=+9",
    ].map { parameters in
        // An unreadable offer is declined and the next one accepted.
        Case(offers: "permessage-deflate; \(parameters), permessage-deflate; client_no_context_takeover",
             response: "permessage-deflate; client_no_context_takeover", parameters: Parameters(clientNoContextTakeover: true))
    }

    @Test(arguments: cases)
    func theFirstAcceptableOfferIsAnswered(_ testCase: Case) throws {
        let agreement = testCase.configuration.negotiate(offers: try ExtensionHeader.parse(testCase.offers))
        #expect(agreement?.response.description == testCase.response)
        if testCase.response != nil {
            #expect(agreement?.parameters == testCase.parameters)
        }
    }

    @Test func noOffersNoAgreement() {
        #expect(Configuration().negotiate(offers: []) == nil)
    }

    static let clientConfigurations: [Configuration] = [
        Configuration(), Configuration(serverNoContextTakeover: true), Configuration(clientNoContextTakeover: true),
        Configuration(serverMaxWindowBits: 9), Configuration(clientMaxWindowBits: 11),
        Configuration(offersClientMaxWindowBits: false),
        Configuration(serverNoContextTakeover: true, clientNoContextTakeover: true, serverMaxWindowBits: 8, clientMaxWindowBits: 8),
    ]
    static let serverConfigurations: [Configuration] = [
        Configuration(), Configuration(serverNoContextTakeover: true), Configuration(clientNoContextTakeover: true),
        Configuration(serverMaxWindowBits: 10), Configuration(clientMaxWindowBits: 9),
        Configuration(serverNoContextTakeover: true, clientNoContextTakeover: true, serverMaxWindowBits: 12, clientMaxWindowBits: 13),
    ]

    /// Whatever either side prefers, the client accepts what the server answers and both
    /// arrive at the same parameters.
    @Test(arguments: clientConfigurations, serverConfigurations)
    func bothSidesAgree(_ client: Configuration, _ server: Configuration) throws {
        let agreement = try #require(server.negotiate(offers: try ExtensionHeader.parse(ExtensionHeader.serialize([client.offer]))))
        let accepted = try client.accept(extensions: ExtensionHeader.parse(ExtensionHeader.serialize([agreement.response])))
        #expect(accepted == agreement.parameters)
    }
}
