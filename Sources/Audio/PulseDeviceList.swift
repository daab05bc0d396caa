import CPulse
import FoundationEssentials
import SystemSupport

/// Lists PulseAudio's capture devices (sources, monitors included) through the async API.
///
/// `server` nil means libpulse's default (`PULSE_SERVER`, then the user's daemon). Runs on
/// a dedicated thread with its own main loop and gives up after `timeout` seconds.
public func listAudioDevices(server: String? = nil, timeout: Double = 10) async throws -> [AudioDevice] {
    try await withCheckedThrowingContinuation { (c: CheckedContinuation<[AudioDevice], Error>) in
        let started = Threads.detach(name: "captty.pulse-ls") {
            do throws(AudioError) { c.resume(returning: try PulseQuery.listSources(server: server, timeout: timeout)) } catch {
                c.resume(throwing: error)
            }
        }
        if !started { c.resume(throwing: AudioError.pulse(operation: "listing devices", detail: Threads.cannotStart)) }
    }
}

/// Blocking PulseAudio introspection on the calling thread (call from a dedicated thread).
enum PulseQuery {
    /// Collects what the callbacks deliver; touched only on the querying thread.
    private final class Box {
        let pa: PulseLibrary
        init(_ pa: PulseLibrary) { self.pa = pa }
        var state: pa_context_state_t = PA_CONTEXT_UNCONNECTED
        var defaultSource: String?
        var defaultSink: String?
        var serverDone = false
        var sourcesDone = false
        var failed = false
        var sources: [AudioDevice] = []
        var monitorOf: [Int: String] = [:]
    }

    static func listSources(server: String?, timeout: Double) throws(AudioError) -> [AudioDevice] {
        let pa = try PulseLibrary.shared.get()
        guard let ml = pa.mainloopNew() else { throw .pulse(operation: "creating a main loop", detail: "out of memory") }
        defer { pa.mainloopFree(ml) }
        guard let ctx = pa.contextNew(pa.mainloopGetApi(ml), "captty") else {
            throw .pulse(operation: "creating a context", detail: "out of memory")
        }
        defer { pa.contextUnref(ctx) }
        let box = Box(pa)
        let ud = Unmanaged.passUnretained(box).toOpaque()
        pa.contextSetStateCallback(ctx, { ctx, ud in
            let b = Unmanaged<Box>.fromOpaque(ud!).takeUnretainedValue()
            b.state = b.pa.contextGetState(ctx)
        }, ud)
        guard pa.contextConnect(ctx, server, PA_CONTEXT_NOFLAGS, nil) >= 0 else {
            throw .noServer(server: server, detail: pa.errorText(pa.contextErrno(ctx)))
        }
        defer { pa.contextDisconnect(ctx) }
        let deadline = Date().addingTimeInterval(timeout)
        func iterate() throws(AudioError) {
            guard Date() < deadline else { throw .noServer(server: server, detail: "no answer within \(Int(timeout)) s") }
            if pa.mainloopPrepare(ml, 100_000) < 0 || pa.mainloopPoll(ml) < 0 || pa.mainloopDispatch(ml) < 0 {
                throw .pulse(operation: "running the main loop", detail: "it quit")
            }
        }
        while box.state != PA_CONTEXT_READY {
            if box.state == PA_CONTEXT_FAILED || box.state == PA_CONTEXT_TERMINATED {
                throw .noServer(server: server, detail: pa.errorText(pa.contextErrno(ctx)))
            }
            try iterate()
        }
        let op1 = pa.contextGetServerInfo(ctx, { _, info, ud in
            let b = Unmanaged<Box>.fromOpaque(ud!).takeUnretainedValue()
            if let info {
                b.defaultSource = info.pointee.default_source_name.map { String(cString: $0) }
                b.defaultSink = info.pointee.default_sink_name.map { String(cString: $0) }
            } else { b.failed = true }
            b.serverDone = true
        }, ud)
        let op2 = pa.contextGetSourceInfoList(ctx, { _, info, eol, ud in
            let b = Unmanaged<Box>.fromOpaque(ud!).takeUnretainedValue()
            if eol != 0 { b.sourcesDone = true; if eol < 0 { b.failed = true }; return }
            guard let i = info?.pointee else { return }
            var spec = i.sample_spec
            var buf = [CChar](repeating: 0, count: Int(PA_SAMPLE_SPEC_SNPRINT_MAX))
            _ = b.pa.sampleSpecSnprint(&buf, buf.count, &spec)
            let idx = Int(i.index)
            if i.monitor_of_sink != captty_pa_invalid_index(), let owner = i.monitor_of_sink_name {
                b.monitorOf[idx] = String(cString: owner)
            }
            b.sources.append(AudioDevice(
                name: i.name.map { String(cString: $0) } ?? "",
                description: i.description.map { String(cString: $0) } ?? "",
                index: idx,
                isMonitor: i.monitor_of_sink != captty_pa_invalid_index(),
                sampleSpec: String(cBuffer: buf)))
        }, ud)
        defer { if let op1 { pa.operationUnref(op1) }; if let op2 { pa.operationUnref(op2) } }
        guard op1 != nil, op2 != nil else {
            throw .pulse(operation: "listing sources", detail: pa.errorText(pa.contextErrno(ctx)))
        }
        while !(box.serverDone && box.sourcesDone) {
            if box.state != PA_CONTEXT_READY {
                throw .noServer(server: server, detail: "the connection closed: " + pa.errorText(pa.contextErrno(ctx)))
            }
            try iterate()
        }
        if box.failed {
            throw .pulse(operation: "listing sources", detail: pa.errorText(pa.contextErrno(ctx)))
        }
        return box.sources.map { d in
            var d = d
            d.isDefault = d.name == box.defaultSource
            d.isDefaultSinkMonitor = box.defaultSink != nil && box.monitorOf[d.index] == box.defaultSink
            return d
        }.sorted { $0.index < $1.index }
    }
}
