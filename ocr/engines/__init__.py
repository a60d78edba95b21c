"""OCR engines behind one Protocol. Importing an engine's file registers it (register_engine at its end), so the
import line below is the registry: adding an engine is adding its file and its name here."""

from ocr.engines import ocrad, rapid, tesseract  # noqa: F401
from ocr.engines.base import OcrEngine, engine_names, get_engine, register_engine

__all__ = ["OcrEngine", "engine_names", "get_engine", "register_engine"]
