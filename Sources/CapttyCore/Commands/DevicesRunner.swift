import Audio

/// `captty devices`: the PulseAudio sources, as a table.
public enum DevicesRunner {
    public static func run() async throws -> String {
        do {
            let devices = try await listAudioDevices()
            return AudioDeviceTable.render(devices)
        } catch {
            // No sound server exits 69, as live captions do (it was 1).
            if case .noServer? = error as? AudioError { throw CapttyError.unavailable("\(error)") }
            throw CapttyError.failed("\(error)")
        }
    }
}
