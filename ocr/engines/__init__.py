"""OCR engines behind one Protocol; importing this package registers the built-in ones."""

from ocr.engines import rapid, tesseract
from ocr.engines.base import OcrEngine, engine_names, get_engine, register_engine

__all__ = ["OcrEngine", "engine_names", "get_engine", "rapid", "register_engine", "tesseract"]
