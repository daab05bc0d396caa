// The executable may import only CapttyCore; re-export the value types its flags build.
@_exported import Deepgram
@_exported import enum Transcript.ExportFormat
