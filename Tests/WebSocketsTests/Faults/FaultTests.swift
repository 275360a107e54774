import Testing

/// The fault scenarios (issue 10, Faults): real sockets through the fault proxy
/// (`Tests/Faults/fault_proxy.py`) and real kernel faults in network namespaces. They run one
/// at a time, so that each one's figures — detection times, RSS growth — are its own and not
/// those of a neighbour; `scripts/faults` runs them alone and prints the figures. Each wait is
/// bounded on its own; the time limit is the last resort should one not be.
@Suite("Faults", .serialized, .timeLimit(.minutes(5)))
enum FaultTests {}
