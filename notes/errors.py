"""The one error the notes package raises: a bad transcript, with a code and the parameter at fault."""


class NoteError(ValueError):
    def __init__(self, message: str, code: str = "invalid_transcript", param: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.param = param
