"""nlp.translate with real Apertium and lingua: pairs, pivots, batches, HTML, glossaries, detection."""

from __future__ import annotations

import pytest

import nlp
from nlp.translate import glossary as glossaries
from nlp.translate import languages
from tests.translate.conftest import needs_apertium

pytestmark = needs_apertium


def test_direct_pair_and_batch_keep_order_and_lines() -> None:
    result = nlp.translate(["Good morning.", "The house is big.\nThe dog is small."], "es", "en")
    assert result.route == ["en", "es"] and result.pivot is None and result.engine == "apertium"
    first, second = result.translations
    assert "Buenos días" in first
    assert second.count("\n") == 1
    assert "casa" in second.split("\n")[0] and "perro" in second.split("\n")[1]


def test_pivot_through_a_third_language_is_reported() -> None:
    result = nlp.translate("Le chat est noir.", "en", "fr")
    assert result.pivot == "es" and result.route == ["fr", "es", "en"]
    assert "cat" in result.translations[0].lower()
    # en -> pt has no direct Apertium pair: it goes through Spanish too
    assert nlp.translate("The house", "pt", "en").route == ["en", "es", "pt"]


def test_unsupported_pair_names_the_pair() -> None:
    with pytest.raises(nlp.UnsupportedPair) as info:
        nlp.translate("Hallo Welt", "ja", "de")
    assert "'de'" in str(info.value) and "'ja'" in str(info.value) and "en-es" in str(info.value)


def test_languages_lists_direct_and_pivot_targets() -> None:
    reachable = languages()
    assert {"es", "ca", "gl"} <= set(reachable["en"])
    assert "en" in reachable["eu"] and "eu" not in reachable["en"]  # Apertium has eu->en only


def test_source_auto_detects_each_text() -> None:
    result = nlp.translate(["El perro come pan en la casa.", "El gato duerme en la cama."], "en")
    assert result.source == "es"
    assert [d.language for d in result.detected or []] == ["es", "es"]
    detections = nlp.detect(["Bonjour tout le monde, comment allez-vous ?", "Guten Morgen, wie geht es dir?"])
    assert detections[0][0].language == "fr" and detections[1][0].language == "de"
    assert 0 < detections[0][0].confidence <= 100


def test_html_markup_survives() -> None:
    out = nlp.translate('<p>The <b>red</b> house <a href="/x">here</a></p>', "es", "en", fmt="html").translations[0]
    assert out.startswith("<p>") and out.endswith("</p>")
    assert "<b>" in out and '<a href="/x">' in out and "casa" in out


def test_glossary_keeps_and_replaces_terms() -> None:
    glossary = glossaries.parse_csv("clinic", b"source,target\nKeppra,Keppra\nco-pay,copago fijo\n", "en", "es")
    plain = nlp.translate("Your co-pay for Keppra is ten dollars.", "es", "en").translations[0]
    forced = nlp.translate("Your co-pay for Keppra is ten dollars.", "es", "en", glossary=glossary).translations[0]
    assert "copago fijo" in forced and "Keppra" in forced
    assert "copago fijo" not in plain
    with pytest.raises(nlp.TranslationError) as info:
        nlp.translate("Hola", "ca", "es", glossary=glossary)
    assert info.value.code == "glossary_mismatch"


def test_tmx_glossary() -> None:
    tmx = b"""<?xml version="1.0"?><tmx version="1.4"><header srclang="en"/><body>
      <tu><tuv xml:lang="en"><seg>front desk</seg></tuv><tuv xml:lang="es"><seg>mostrador</seg></tuv></tu>
    </body></tmx>"""
    glossary = glossaries.parse("desk", "terms.tmx", tmx)
    assert (glossary.source, glossary.target) == ("en", "es")
    assert "mostrador" in nlp.translate("Ask at the front desk.", "es", "en", glossary=glossary).translations[0]
