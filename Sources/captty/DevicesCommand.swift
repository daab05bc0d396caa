import ArgumentParser
import CapttyCore

/// `captty devices`: list audio sources.
struct Devices: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List audio sources (microphones and monitors of outputs).")

    func run() async throws {
        try await reportingErrors {
            print(try await DevicesRunner.run(), terminator: "")
        }
    }
}
