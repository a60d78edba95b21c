"""Pronunciations of common drug names, for the piper (espeak IPA) voices.

espeak guesses stress from spelling and gets most generic drug names wrong (metformin as MET-for-min, lisinopril
as LISS-in-op-ril, atorvastatin as AT-or-va-stat-in); listeners and recognisers know them by their stressed
syllable. The list is chosen by how often a drug is prescribed (the most dispensed US outpatient generics and the
common hospital antibiotics, antiemetics and anticoagulants), not by any test sentence. The IPA follows espeak's
conventions (stress mark before the vowel, its symbols) so piper speaks it like its own phonemes.

Applied as a built-in lexicon after the caller's own lexicons (theirs win), for English voices only; engines
without phoneme input speak the written word as before.
"""

from __future__ import annotations

from tts.lexicon import Lexeme, Lexicon

DRUG_IPA: dict[str, str] = {
    "acetaminophen": "ɐsˌiːɾəmˈɪnəfən",
    "albuterol": "ælbjˈuːɾɚɹˌɔːl",
    "amlodipine": "æmlˈoʊdɪpˌiːn",
    "amoxicillin": "ɐmˌɑːksɪsˈɪlɪn",
    "atorvastatin": "ɐtˌɔːɹvəstˈæɾɪn",
    "azithromycin": "ɐzˌɪθɹoʊmˈaɪsɪn",
    "ceftriaxone": "sˌɛftɹaɪˈæksoʊn",
    "clopidogrel": "kloʊpˈɪdəɡɹˌɛl",
    "escitalopram": "ˌɛsaɪtˈæləpɹˌæm",
    "furosemide": "fjʊɹˈoʊsəmˌaɪd",
    "gabapentin": "ɡˌæbəpˈɛntɪn",
    "gentamicin": "dʒˌɛntəmˈaɪsɪn",
    "heparin": "hˈɛpɚɹɪn",
    "hydrochlorothiazide": "hˌaɪdɹoʊklˌɔːɹoʊθˈaɪəzˌaɪd",
    "hydrocortisone": "hˌaɪdɹoʊkˈɔːɹɾɪsˌoʊn",
    "levothyroxine": "lˌiːvoʊθaɪɹˈɑːksiːn",
    "lisinopril": "laɪsˈɪnəpɹɪl",
    "losartan": "loʊsˈɑːɹtæn",
    "metformin": "mɛtfˈɔːɹmɪn",
    "metoprolol": "mɪtˈoʊpɹəlˌɔːl",
    "montelukast": "mˌɑːntɪlˈuːkæst",
    "omeprazole": "oʊmˈɛpɹəzˌoʊl",
    "ondansetron": "ɑːndˈænsɪtɹˌɑːn",
    "oxycodone": "ˌɑːksɪkˈoʊdoʊn",
    "pantoprazole": "pæntˈoʊpɹəzˌoʊl",
    "prednisone": "pɹˈɛdnɪsˌoʊn",
    "rosuvastatin": "ɹoʊsˌuːvəstˈæɾɪn",
    "sertraline": "sˈɜːtɹəlˌiːn",
    "simvastatin": "sˌɪmvəstˈæɾɪn",
    "tamsulosin": "tæmsˈuːləsˌɪn",
    "trazodone": "tɹˈæzədˌoʊn",
    "warfarin": "wˈɔːɹfɚɹɪn",
}

MEDICAL_LEXICON = Lexicon(
    name="voxgate-medical",
    language="en-US",
    alphabet="ipa",
    lexemes=[Lexeme(graphemes=[name], phoneme=ipa) for name, ipa in DRUG_IPA.items()],
)
