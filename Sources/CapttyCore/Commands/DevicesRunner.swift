import Audio

/// `captty devices`: the PulseAudio sources, as a table.
public enum DevicesRunner {
    public static func run() async throws -> String {
        do {
            let devices = try await listAudioDevices()
            return AudioDeviceTable.render(devices)
        } catch {
            throw CapttyError.failed("\(error)")
        }
    }
}
