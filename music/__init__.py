"""Generative music on the Bach chorales: accompaniment (inpainting CNN or GAN), melody enhancement (the CNN)
and continuation (a small transformer). Our own models, trained by ``music.train``; weights in ``music/weights``.

    import music
    result = music.accompany(open("melody.mid", "rb").read(), model="arcnn")
    open("chorale.mid", "wb").write(result.midi())
"""

from music.midi import piece_json, read_midi, read_notes, write_midi
from music.piece import MusicError, Note, Piece
from music.service import ACCOMPANY_MODELS, MusicResult, accompany, enhance, extend, model_spec

__all__ = [
    "ACCOMPANY_MODELS",
    "MusicError",
    "MusicResult",
    "Note",
    "Piece",
    "accompany",
    "enhance",
    "extend",
    "model_spec",
    "piece_json",
    "read_midi",
    "read_notes",
    "write_midi",
]
