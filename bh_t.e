captty: cannot read speech.wav: No such file or directory
