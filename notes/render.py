"""The note as a clinician pastes it: upper-case headers, one item a line."""

from __future__ import annotations

from notes.schemas import NoteSection
from notes.sections import SOAP_GROUPS


def _section(section: NoteSection) -> str:
    return section.title.upper() + "\n\n" + "\n".join(item.text for item in section.items)


def render(sections: list[NoteSection], template: str = "hp") -> str:
    if template != "soap":
        return "\n\n".join(_section(s) for s in sections) + "\n"
    blocks = []
    for group, names in SOAP_GROUPS.items():
        inside = [s for s in sections if s.name in names]
        if inside:
            blocks.append(group + "\n\n" + "\n\n".join(_section(s) for s in inside))
    return "\n\n".join(blocks) + "\n"
