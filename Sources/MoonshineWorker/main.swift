// captty-moonshine-worker: hosts the Moonshine model for the offline engine (see
// LocalSpeech/MoonshineWorker.swift for why it is a separate process and for the protocol).
import LocalSpeech

MoonshineWorker.run(arguments: CommandLine.arguments)
