import NIOCore
import Testing
@testable import WebSocketCore

/// The whole path an I/O layer takes: the client offers through ``ClientHandshake``, the
/// server answers through ``ServerHandshake`` and ``HandshakeRequest``, and the engines both
/// build from the outcome talk compressed.
@Suite("permessage-deflate through the opening handshake")
struct PerMessageDeflateHandshakeTests {
    @Test(arguments: Chunking.all)
    func theNegotiatedEnginesTalkCompressed(_ chunking: Chunking) throws {
        let clientDeflate = PerMessageDeflate.Configuration()
        let serverDeflate = PerMessageDeflate.Configuration(serverMaxWindowBits: 12, clientMaxWindowBits: 10)
        var clientHandshake = try ClientHandshake(host: "example.com", extensions: [clientDeflate.offer])
        let request = Array(buffer: clientHandshake.request())
        #expect(String(decoding: request, as: UTF8.self).contains("\r\nSec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n"))

        var serverHandshake = ServerHandshake()
        guard case .accepted(let validated, _) = serverHandshake.feed(request, chunking: chunking) else {
            Issue.record("request refused")
            return
        }
        let agreement = try #require(serverDeflate.negotiate(validated))
        let response = Array(buffer: try validated.acceptingResponse(extensions: [agreement.response]))
        #expect(String(decoding: response, as: UTF8.self)
            .contains("\r\nSec-WebSocket-Extensions: permessage-deflate; server_max_window_bits=12; client_max_window_bits=10\r\n"))

        let result = try #require(try clientHandshake.feed(response, chunking: chunking))
        let accepted = try #require(try clientDeflate.accept(result))
        #expect(accepted == agreement.parameters)
        #expect(accepted == PerMessageDeflate.Parameters(serverMaxWindowBits: 12, clientMaxWindowBits: 10))

        var client = Connection(role: .client, configuration: .init(perMessageDeflate: accepted, compression: clientDeflate))
        var server = Connection(role: .server, configuration: .init(perMessageDeflate: agreement.parameters, compression: serverDeflate))
        let text = String(repeating: "compressed both ways; ", count: 100)
        try client.sendText(text)
        try server.sendText(text)
        let toServer = client.drainOutput()
        let toClient = server.drainOutput()
        #expect(toServer.count < 100 && toClient.count < 100)
        #expect(toServer[0] == 0xC1 && toClient[0] == 0xC1)
        #expect(server.receive(toServer, chunking: chunking) == [.deliverMessage(.text(text))])
        #expect(client.receive(toClient, chunking: chunking) == [.deliverMessage(.text(text))])
    }
}
