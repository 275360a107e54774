// The WHATWG `WebSocket` interface arrives with its own issue; until then this module
// re-exports the engine so that `import WebSockets` already gives the protocol types.
@_exported public import WebSocketCore
