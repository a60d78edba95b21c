"""The visit note's request and result models."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field

Speaker = Literal["clinician", "patient"]


class Turn(BaseModel):
    speaker: Speaker
    text: str
    start: float | None = None
    end: float | None = None


Source = Literal["consultation", "dictation"]


class NoteOptions(BaseModel):
    source: Source = Field(
        default="consultation",
        description="consultation: clinician and patient talking (summarised into the note); dictation: one "
        "clinician dictating the note (every sentence kept, sections from spoken headers)",
    )
    template: Literal["hp", "soap"] = Field(default="hp", description="hp: history-and-physical order; soap: S/O/A/P")
    sections: list[str] | None = Field(
        default=None, description="the section names to keep, in this order (a specialty's set); None: all"
    )
    specialty: str | None = Field(
        default=None,
        description="a configured specialty's section set, e.g. 'orthopedics' (consultations only: a dictation keeps "
        "every section the clinician dictated)",
    )


class NoteItem(BaseModel):
    text: str
    evidence: list[int] = Field(description="indexes of the transcript turns the item comes from")
    entities: list[dict[str, Any]] = Field(default_factory=list)


class NoteSection(BaseModel):
    name: str
    title: str
    items: list[NoteItem]


class LabelledTurn(Turn):
    index: int
    section: str = Field(description="the note section the turn feeds, or OTHER")
    group: str = Field(description="SUBJECTIVE, OBJECTIVE, ASSESSMENT_AND_PLAN or VISIT_FLOW")


class Note(BaseModel):
    template: str
    sections: list[NoteSection]
    turns: list[LabelledTurn]
    text: str
    problems: list[dict[str, Any]] = Field(default_factory=list, description="conditions with ICD-10-CM codes")
