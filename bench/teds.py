"""TEDS, tree-edit-distance-based similarity of two tables (Zhong et al., 2020, "Image-based table recognition:
data, model, and evaluation"): 1 - TED(a, b) / max(|a|, |b|) over the trees table -> tr -> td, where a td node
carries its rowspan, colspan and text; renaming one td into another costs 1 when the spans differ, else the
normalised Levenshtein distance of the texts. Computed with APTED (the `apted` package)."""

from __future__ import annotations

from dataclasses import dataclass, field

from rapidfuzz.distance import Levenshtein


@dataclass
class Node:
    tag: str
    spans: tuple[int, int] = (1, 1)
    text: str = ""
    children: list[Node] = field(default_factory=list)


def table_tree(rows: list[list[tuple[str, int, int]]]) -> Node:
    """rows of (text, row_span, column_span) cells, as they would be written in HTML (covered slots left out)."""
    return Node("table", children=[Node("tr", children=[Node("td", (rs, cs), " ".join(text.split()))
                                                         for text, rs, cs in row]) for row in rows])  # fmt: skip


def _size(node: Node) -> int:
    return 1 + sum(_size(c) for c in node.children)


class _Config:
    def rename(self, a: Node, b: Node) -> float:
        if a.tag != b.tag or a.spans != b.spans:
            return 1.0
        if a.tag == "td":
            return Levenshtein.normalized_distance(a.text, b.text)
        return 0.0

    def delete(self, node: Node) -> float:
        return 1.0

    def insert(self, node: Node) -> float:
        return 1.0

    def children(self, node: Node) -> list[Node]:
        return node.children


def teds(a: Node, b: Node) -> float:
    from apted import APTED, Config

    config = type("TedsConfig", (Config,), {k: v for k, v in vars(_Config).items() if not k.startswith("__")})()
    distance = APTED(a, b, config).compute_edit_distance()
    return 1.0 - distance / max(_size(a), _size(b))
