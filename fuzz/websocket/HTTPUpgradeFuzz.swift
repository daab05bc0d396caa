// libFuzzer target: the HTTP upgrade parsers of both roles on arbitrary bytes.
// Built by fuzz/websocket/run.sh together with the pure-Swift sources of Sources/WebSocket.
//
// Each input is parsed as an HTTP head (bounded size), then checked as a client would check a
// 101 response and as a server would check an upgrade request; the server's answers are
// re-parsed; the bytes are also fed to the chunked-body decoder. Properties: no crash or hang; `consumed` never exceeds the input; every answer
// the server builds parses back with the status it meant.

@_cdecl("LLVMFuzzerTestOneInput")
public func httpUpgradeFuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    // The lenient chunked-body decoder of rejected upgrades never returns more than it was given.
    precondition(Handshake.dechunk(bytes).count <= bytes.count)
    let result: HTTPHead.ParseResult
    do {
        result = try HTTPHead.parse(bytes, maxHeadSize: 4096)
    } catch {
        return 0
    }
    guard case .complete(let head, let consumed) = result else { return 0 }
    precondition(consumed <= bytes.count)
    // Client side.
    if let status = try? head.responseStatus() {
        precondition((100...999).contains(status.code))
        _ = try? Handshake.validateSwitching(head.headers, expectedAccept: "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=")
        _ = Handshake.bodyLength(head.headers)
    }
    // Server side.
    do {
        let request = try Handshake.parseRequest(head)
        _ = request.queryItems
        // The request's fields stand in for headers an application adds. A request may carry up
        // to 200 fields (the parser's limit) and the 101 adds 4 of its own, so keep the answer
        // within what a client accepts: more than 200 fields is refused by design.
        let response = Handshake.switchingResponse(accept: "x", headers: Array(request.headers.all.prefix(190)))
        guard case .complete(let back, _)? = try? HTTPHead.parse(response, maxHeadSize: 1 << 20) else {
            preconditionFailure("our 101 response does not parse")
        }
        precondition((try? back.responseStatus().code) == 101)
    } catch {
        let answer = Handshake.rejectionResponse(status: error.status, headers: error.headers, body: error.body)
        guard case .complete(let back, _)? = try? HTTPHead.parse(answer, maxHeadSize: 1 << 20) else {
            preconditionFailure("our rejection does not parse")
        }
        precondition((try? back.responseStatus().code) == error.status)
    }
    return 0
}
