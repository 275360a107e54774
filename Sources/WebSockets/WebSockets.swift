// `import WebSockets` also gives the engine's protocol types (`Message`, `CloseCode`,
// `PerMessageDeflate`, …) that the public API's signatures use.
@_exported public import WebSocketCore
