"""The medical layer: dictation formatting, entities, PHI redaction, biasing, conversation labels."""

from asr.medical.conversation import distinct_channels, label_by_voice, merge_channels, split_sentences
from asr.medical.entities import detect_entities
from asr.medical.phi import find_phi, redact, redact_text
from asr.medical.pipeline import transcribe_medical
from asr.medical.schemas import Attribute, Concept, Entity, MedicalOptions, MedicalTranscript
from asr.medical.spoken_format import format_dictation
from asr.medical.vocabulary import select_hotwords, specialties

__all__ = [
    "Attribute",
    "Concept",
    "Entity",
    "MedicalOptions",
    "MedicalTranscript",
    "detect_entities",
    "distinct_channels",
    "find_phi",
    "format_dictation",
    "label_by_voice",
    "merge_channels",
    "redact",
    "redact_text",
    "select_hotwords",
    "specialties",
    "split_sentences",
    "transcribe_medical",
]
