"""Text side of TTS without engines: normalisation, SSML parsing and errors, PLS lexicons."""

from __future__ import annotations

import pytest

import tts
from tts.lexicon import LexiconSet
from tts.plan import plan_text
from tts.ssml import plan_ssml

PLS = """<?xml version="1.0" encoding="UTF-8"?>
<lexicon version="1.0" xmlns="http://www.w3.org/2005/01/pronunciation-lexicon" alphabet="ipa" xml:lang="en-US">
  <lexeme><grapheme>W3C</grapheme><alias>World Wide Web Consortium</alias></lexeme>
  <lexeme><grapheme>Xarelto</grapheme><phoneme>zəˈɹɛltoʊ</phoneme></lexeme>
</lexicon>"""


@pytest.mark.parametrize(
    ("written", "spoken"),
    [
        ("Take 20mg b.i.d.", "Take twenty milligrams twice a day"),
        ("2.5 mg PO q.d.", "two point five milligrams by mouth once a day"),
        ("BP 120/80 mmHg", "blood pressure one hundred twenty over eighty millimeters of mercury"),
        (
            "$1,234.56 due 03/15/2024",
            "one thousand two hundred thirty-four dollars and fifty-six cents due March fifteenth, twenty twenty-four",
        ),  # noqa: E501
        ("call 555-123-4567", "call five five five, one two three, four five six seven"),
        ("at 9:05am on 2024-11-05", "at nine oh five A M on November fifth, twenty twenty-four"),
        ("the 21st visit, 98.6°F", "the twenty-first visit, ninety-eight point six degrees Fahrenheit"),
        ("at 5 in the morning", "at five in the morning"),
        # medical orders: routes, intervals, compound units, vitamins, Roman numerals, shorthand
        ("Give 5 mg/kg/day IV q4h", "Give five milligrams per kilogram per day I V every four hours"),
        ("oxycodone 5 mg PO q4-6h p.r.n.", "oxycodone five milligrams by mouth every four to six hours as needed"),
        ("B12 1000 mcg q.d.", "B twelve one thousand micrograms once a day"),
        ("type II diabetes, stage III", "type two diabetes, stage three"),
        ("KCl 20 mEq IM, insulin 2 units/hr", "KCl twenty milliequivalents I M, insulin two units per hour"),
        ("glucose 182 mg/dL at 9pm", "glucose one hundred eighty-two milligrams per deciliter at nine P M"),
        ("w/o food, h/o asthma, NPO", "without food, history of asthma, nothing by mouth"),
        ("5 mcg/kg/min, 0.5 mL SQ", "five micrograms per kilogram per minute, zero point five milliliters sub Q"),
        (
            "A1C 7.2, BP 142/90, 95%",
            "A one C seven point two, blood pressure one hundred forty-two over ninety, ninety-five percent",
        ),
    ],
)
def test_normalisation(written: str, spoken: str) -> None:
    assert tts.normalize_text(written).rstrip(".") == spoken


def test_sentences_keep_spans_and_abbreviations() -> None:
    text = "Dr. Smith prescribed 20 mg. Call me at 10:30. Thanks!"
    sentences = plan_text(text)
    assert [s.text for s in sentences] == ["Dr. Smith prescribed 20 mg.", "Call me at 10:30.", "Thanks!"]
    words = sentences[0].runs()[0].words
    assert [text[w.start : w.end] for w in words if w.mark] == ["Dr.", "Smith", "prescribed", "20", "mg"]


def test_lexicon_alias_and_phoneme() -> None:
    lexicon = tts.parse_pls("med", PLS)
    assert lexicon.language == "en-US" and len(lexicon.lexemes) == 2
    words = plan_text("Xarelto from W3C.", LexiconSet([lexicon]))[0].runs()[0].words
    assert words[0].phonemes == "zəˈɹɛltoʊ"
    assert [w.text for w in words[2:]] == ["World", "Wide", "Web", "Consortium."]


@pytest.mark.parametrize(
    ("document", "problem"),
    [
        ("not xml at all", "not well-formed"),
        ("<lexicon><lexeme/></lexicon>", "not a PLS document"),
        (PLS.replace('alphabet="ipa"', 'alphabet="x-sampa"'), "alphabet"),
        (PLS.replace("<alias>World Wide Web Consortium</alias>", ""), "neither"),
        ("", "empty"),
    ],
)
def test_bad_lexicons(document: str, problem: str) -> None:
    with pytest.raises(tts.InvalidLexiconError, match=problem):
        tts.parse_pls("med", document)


def test_ssml_plan() -> None:
    src = (
        '<speak>Hi <break time="500ms"/><mark name="m1"/>there. <prosody rate="slow" pitch="+10%" volume="loud">'
        'slow</prosody> <say-as interpret-as="characters">abc</say-as> <sub alias="World Wide Web">WWW</sub> '
        '<phoneme alphabet="ipa" ph="təˈmɑːtoʊ">tomato</phoneme> <say-as interpret-as="ordinal">3</say-as></speak>'
    )
    sentences = plan_ssml(src)
    items = [i for s in sentences for i in s.items]
    pauses = [i for i in items if type(i).__name__ == "Pause"]
    marks = [i for i in items if type(i).__name__ == "Marker"]
    assert pauses[0].ms == 500
    assert marks[0].name == "m1" and src[marks[0].start : marks[0].end] == '<mark name="m1"/>'
    words = [w for s in sentences for r in s.runs() for w in r.words]
    spoken = " ".join(w.text for w in words)
    assert "A B C" in spoken and "World Wide Web" in spoken and "third" in spoken
    slow = next(r for s in sentences for r in s.runs() if r.words[0].text == "slow")
    assert slow.prosody.rate == pytest.approx(0.8) and slow.prosody.pitch == pytest.approx(1.1)
    assert slow.prosody.volume_db > 0
    tomato = next(w for w in words if w.text == "tomato")
    assert tomato.phonemes == "təˈmɑːtoʊ" and src[tomato.start : tomato.end] == "tomato"


@pytest.mark.parametrize(
    ("ssml", "problem", "column"),
    [
        ("<speak>Hello <b>x</b></speak>", "<b> is not a supported", 14),
        ('<speak>Hi <break time="5x"/></speak>', "break time", 11),
        ("<speak>Hello", "no element found", 13),
        ('<speak><prosody rate="900%">x</prosody></speak>', "prosody rate", 8),
        ("<speak>a</speak><speak>b</speak>", "junk after document element", 17),
        ('<speak>Hi <lang xml:lang="?">x</lang></speak>', "xml:lang language tag", 11),
    ],
)
def test_ssml_errors_name_position(ssml: str, problem: str, column: int) -> None:
    with pytest.raises(tts.InvalidSsmlError, match=problem) as info:
        plan_ssml(ssml)
    assert info.value.position["line"] == 1 and info.value.position["column"] == column


def test_lang_is_spoken_by_a_voice_of_that_language() -> None:
    from tts.synthesize import prepare, run_request

    spanish = "Buenos días, ¿cómo está usted?"
    ssml = f'<speak>Good morning. <lang xml:lang="es-ES">{spanish}</lang></speak>'
    sentences = plan_ssml(ssml)
    assert [r.lang for s in sentences for r in s.runs()] == [None, "es-ES"]
    mixed = run_request(prepare(ssml, "flite-slt", "pcm", text_type="ssml", sample_rate=16000))
    english = run_request(prepare("Good morning.", "flite-slt", "pcm", sample_rate=16000))
    alone = run_request(prepare(spanish, "espeak-es", "pcm", sample_rate=16000))
    # the <lang> part is espeak-ng's Spanish voice (flite has no Spanish): as long as that voice's own rendition
    mixed_s, english_s, alone_s = (len(a.data) / 32000 for a in (mixed, english, alone))
    assert mixed_s - english_s == pytest.approx(alone_s, abs=0.15)
    flite_spanish = run_request(prepare(spanish, "flite-slt", "pcm", sample_rate=16000))
    assert abs(len(flite_spanish.data) / 32000 - alone_s) > 0.2  # and not flite reading Spanish spelling


def test_drug_names_get_their_stress_and_callers_lexicons_win() -> None:
    from tts.synthesize import make_plan

    words = make_plan("Metformin, then Xarelto and LISINOPRIL.", "text", [], medical=True)[0].runs()[0].words
    phonemes = {w.text: w.phonemes for w in words}
    assert phonemes["Metformin,"] == "mɛtfˈɔːɹmɪn,"  # met-FOR-min, and the comma's pause kept
    assert phonemes["LISINOPRIL."] == "laɪsˈɪnəpɹɪl."
    assert phonemes["then"] is None
    mine = tts.parse_pls("mine", PLS.replace("Xarelto", "metformin"))
    words = make_plan("metformin", "text", [mine], medical=True)[0].runs()[0].words
    assert words[0].phonemes == "zəˈɹɛltoʊ"
    assert make_plan("metformin", "text", [], medical=False)[0].runs()[0].words[0].phonemes is None
