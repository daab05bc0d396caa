// The executable may import only CapttyCore; re-export the option types its flags build.
@_exported import Deepgram
