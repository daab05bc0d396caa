import CPulse
import FoundationEssentials
import Glibc

/// libpulse, loaded with `dlopen` the first time captty talks to PulseAudio
/// rather than linked: linking maps libpulse and the ~20 libraries it needs (sndfile, FLAC,
/// vorbis, opus, mpg123, X11, xcb, systemd, dbus, gcrypt…) into every session, file and stdin
/// input included, over two megabytes of resident memory (issue #8). The function types come
/// from the `captty_*_fn` typedefs in Sources/CPulse/shim.h, so the signatures are the headers'.
struct PulseLibrary: @unchecked Sendable {
    let strerror: captty_pa_strerror_fn
    let mainloopNew: captty_pa_mainloop_new_fn
    let mainloopFree: captty_pa_mainloop_free_fn
    let mainloopGetApi: captty_pa_mainloop_get_api_fn
    let mainloopPrepare: captty_pa_mainloop_prepare_fn
    let mainloopPoll: captty_pa_mainloop_poll_fn
    let mainloopDispatch: captty_pa_mainloop_dispatch_fn
    let contextNew: captty_pa_context_new_fn
    let contextUnref: captty_pa_context_unref_fn
    let contextSetStateCallback: captty_pa_context_set_state_callback_fn
    let contextGetState: captty_pa_context_get_state_fn
    let contextConnect: captty_pa_context_connect_fn
    let contextDisconnect: captty_pa_context_disconnect_fn
    let contextErrno: captty_pa_context_errno_fn
    let contextGetServerInfo: captty_pa_context_get_server_info_fn
    let contextGetSourceInfoList: captty_pa_context_get_source_info_list_fn
    let operationUnref: captty_pa_operation_unref_fn
    let sampleSpecSnprint: captty_pa_sample_spec_snprint_fn
    let mainloopWakeup: captty_pa_mainloop_wakeup_fn
    let streamNew: captty_pa_stream_new_fn
    let streamConnectRecord: captty_pa_stream_connect_record_fn
    let streamGetState: captty_pa_stream_get_state_fn
    let streamPeek: captty_pa_stream_peek_fn
    let streamDrop: captty_pa_stream_drop_fn
    let streamIsSuspended: captty_pa_stream_is_suspended_fn
    let streamDisconnect: captty_pa_stream_disconnect_fn
    let streamUnref: captty_pa_stream_unref_fn
    let streamGetDeviceName: captty_pa_stream_get_device_name_fn
    let contextSubscribe: captty_pa_context_subscribe_fn
    let contextSetSubscribeCallback: captty_pa_context_set_subscribe_callback_fn
    let contextGetSourceInfoByName: captty_pa_context_get_source_info_by_name_fn

    /// libpulse's text for an error code.
    func errorText(_ err: Int32) -> String { strerror(err).map { String(cString: $0) } ?? "PulseAudio error \(err)" }

    /// The shared object (Debian's libpulse0).
    static let sonames = ["libpulse.so.0"]

    /// The library, loaded once; the error says what is missing and how to install it.
    static let shared: Result<PulseLibrary, AudioError> = Result { () throws(AudioError) in try load() }

    private static func load() throws(AudioError) -> PulseLibrary {
        var handles: [UnsafeMutableRawPointer] = []
        for name in sonames {
            guard let h = dlopen(name, RTLD_NOW | RTLD_LOCAL) else {
                let why = dlerror().map { String(cString: $0) } ?? "not found"
                throw .pulse(operation: "loading \(name)", detail: "\(why); install PulseAudio's client library (`apt-get install libpulse0`)")
            }
            handles.append(h)
        }
        func sym<T>(_ name: String, _: T.Type) throws(AudioError) -> T {
            for h in handles {
                if let p = dlsym(h, name) { return unsafeBitCast(p, to: T.self) }
            }
            throw .pulse(operation: "loading libpulse", detail: "it has no symbol \(name); captty needs libpulse 1.0 or newer")
        }
        return PulseLibrary(
            strerror: try sym("pa_strerror", captty_pa_strerror_fn.self),
            mainloopNew: try sym("pa_mainloop_new", captty_pa_mainloop_new_fn.self),
            mainloopFree: try sym("pa_mainloop_free", captty_pa_mainloop_free_fn.self),
            mainloopGetApi: try sym("pa_mainloop_get_api", captty_pa_mainloop_get_api_fn.self),
            mainloopPrepare: try sym("pa_mainloop_prepare", captty_pa_mainloop_prepare_fn.self),
            mainloopPoll: try sym("pa_mainloop_poll", captty_pa_mainloop_poll_fn.self),
            mainloopDispatch: try sym("pa_mainloop_dispatch", captty_pa_mainloop_dispatch_fn.self),
            contextNew: try sym("pa_context_new", captty_pa_context_new_fn.self),
            contextUnref: try sym("pa_context_unref", captty_pa_context_unref_fn.self),
            contextSetStateCallback: try sym("pa_context_set_state_callback", captty_pa_context_set_state_callback_fn.self),
            contextGetState: try sym("pa_context_get_state", captty_pa_context_get_state_fn.self),
            contextConnect: try sym("pa_context_connect", captty_pa_context_connect_fn.self),
            contextDisconnect: try sym("pa_context_disconnect", captty_pa_context_disconnect_fn.self),
            contextErrno: try sym("pa_context_errno", captty_pa_context_errno_fn.self),
            contextGetServerInfo: try sym("pa_context_get_server_info", captty_pa_context_get_server_info_fn.self),
            contextGetSourceInfoList: try sym("pa_context_get_source_info_list", captty_pa_context_get_source_info_list_fn.self),
            operationUnref: try sym("pa_operation_unref", captty_pa_operation_unref_fn.self),
            sampleSpecSnprint: try sym("pa_sample_spec_snprint", captty_pa_sample_spec_snprint_fn.self),
            mainloopWakeup: try sym("pa_mainloop_wakeup", captty_pa_mainloop_wakeup_fn.self),
            streamNew: try sym("pa_stream_new", captty_pa_stream_new_fn.self),
            streamConnectRecord: try sym("pa_stream_connect_record", captty_pa_stream_connect_record_fn.self),
            streamGetState: try sym("pa_stream_get_state", captty_pa_stream_get_state_fn.self),
            streamPeek: try sym("pa_stream_peek", captty_pa_stream_peek_fn.self),
            streamDrop: try sym("pa_stream_drop", captty_pa_stream_drop_fn.self),
            streamIsSuspended: try sym("pa_stream_is_suspended", captty_pa_stream_is_suspended_fn.self),
            streamDisconnect: try sym("pa_stream_disconnect", captty_pa_stream_disconnect_fn.self),
            streamUnref: try sym("pa_stream_unref", captty_pa_stream_unref_fn.self),
            streamGetDeviceName: try sym("pa_stream_get_device_name", captty_pa_stream_get_device_name_fn.self),
            contextSubscribe: try sym("pa_context_subscribe", captty_pa_context_subscribe_fn.self),
            contextSetSubscribeCallback: try sym("pa_context_set_subscribe_callback", captty_pa_context_set_subscribe_callback_fn.self),
            contextGetSourceInfoByName: try sym("pa_context_get_source_info_by_name", captty_pa_context_get_source_info_by_name_fn.self))
    }
}
