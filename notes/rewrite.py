"""Talk into clinical register, by rules: disfluencies out, the patient in the third person, doses and vitals in
clinical form (asr's dictation formatter), and yes/no answers to symptom questions as "Reports"/"Denies"."""
# ruff: noqa: E501  (word tables read better unwrapped)

from __future__ import annotations

import re

from asr.medical import format_dictation

_FILLERS = re.compile(
    r"\b(?:um+|uh+|uh-huh|mm-hmm|mm+|hmm+|ah+|oh|er+|you know|i mean|kind of|sort of|like,|okay|ok|all right|alright"
    r"|so|well|yeah|yep|right|great|good|perfect|awesome|wow|alrighty|gotcha|sure|anyway)\b\s*[,.]?\s*",
    re.I,
)
_LEAD_FILLERS = re.compile(
    r"^(?:(?:and|but|so|now|then|also|um+|uh+|okay|ok|all right|alright|yeah|yes|well|great|good|perfect|hi|hey)\b[\s,.]*)+",
    re.I,
)
_REPEAT = re.compile(r"\b(\w+(?:'\w+)?)(?:\s*,?\s+\1\b)+", re.I)  # "i , i" "the the"
_SPACES = re.compile(r"\s+([,.;:?!%])")

# First person of the patient -> third person. Order matters: contractions first.
_SUBJECT = {"he": "he", "she": "she", "they": "the patient"}
_VERB_3RD = {
    "have": "has", "do": "does", "go": "goes", "am": "is", "was": "was", "don't": "does not", "haven't": "has not",
    "can't": "cannot", "won't": "will not", "didn't": "did not", "wasn't": "was not", "can": "can", "will": "will",
    "would": "would", "could": "could", "did": "did", "had": "had", "should": "should", "try": "tries",
    "get": "gets", "feel": "feels", "take": "takes", "think": "thinks", "know": "knows", "want": "wants", "need": "needs",
    "use": "uses", "notice": "notices", "work": "works", "live": "lives", "drink": "drinks", "smoke": "smokes",
    "eat": "eats", "walk": "walks", "like": "likes", "hurt": "hurts", "see": "sees", "wake": "wakes", "sleep": "sleeps",
    "exercise": "exercises", "run": "runs", "play": "plays", "check": "checks", "remember": "remembers",
    "believe": "believes", "guess": "guesses", "forget": "forgets", "love": "loves", "enjoy": "enjoys",
    "stay": "stays", "keep": "keeps", "say": "says", "mean": "means", "get's": "gets", "wear": "wears",
    "usually": "usually", "also": "also", "still": "still", "just": "just", "never": "never", "always": "always",
}  # fmt: skip


def detect_pronoun(texts: list[str]) -> str:
    """'he', 'she' or 'they' from how the clinician refers to the patient (mr., mrs., he, she)."""
    joined = " ".join(texts).lower()
    male = len(re.findall(r"\b(?:he|him|his|sir|himself)\b", joined))
    female = len(re.findall(r"\b(?:she|her|hers|ma'am|herself)\b", joined))
    # How the clinician introduces the patient weighs most: "a 62-year-old male", "mr. james".
    male += 10 * len(re.findall(r"\b(?:year-old|year old) (?:male|man|gentleman|boy)\b|\bmr\b\.?", joined))
    female += 10 * len(re.findall(r"\b(?:year-old|year old) (?:female|woman|lady|girl)\b|\b(?:mrs|ms)\b\.?", joined))
    if male > 1.5 * female and male >= 2:
        return "he"
    if female > 1.5 * male and female >= 2:
        return "she"
    return "they"


_COMMAND = re.compile(r"^(?:hey[\s,]+)?(?:dragon|dax|nuance)\b[\s,]*", re.I)


def clean(text: str) -> str:
    """Disfluencies and repeats out; spacing and spoken numbers in clinical form; 'dragon, order ...' -> 'order ...'."""
    text = _COMMAND.sub("", text.strip())
    if re.match(
        r"^(?:show me|go to|open|insert|use my|finalize|end (?:of )?(?:the )?(?:note|recording))\b", text, re.I
    ):
        return ""
    text = text.replace(" n't", "n't").replace(" 's", "'s").replace(" 're", "'re").replace(" 've", "'ve")
    text = text.replace(" 'll", "'ll").replace(" 'm", "'m").replace(" 'd", "'d")
    text = _LEAD_FILLERS.sub("", text.strip())
    text = re.sub(r"\b(?:um+|uh+|mm-hmm|uh-huh|hmm+|you know)\b\s*,?\s*", "", text, flags=re.I)
    text = _REPEAT.sub(r"\1", text)
    text = re.sub(r"\b\w+-\s", "", text)  # cut-off words "or-"
    text = _SPACES.sub(r"\1", text)
    text = re.sub(r"(?:,\s*)+([.?!])", r"\1", text)
    text = re.sub(r"^[,.\s]+", "", text)
    return format_dictation(text, spoken_punctuation=False) if text else text


def third_person(text: str, pronoun: str = "they") -> str:
    """The patient's own words about themself, as the note says them: 'i've had my cough' -> 'she has had her cough'."""
    subj = {"he": "he", "she": "she"}.get(pronoun, "the patient")
    poss = {"he": "his", "she": "her"}.get(pronoun, "their")
    obj = {"he": "him", "she": "her"}.get(pronoun, "them")
    refl = {"he": "himself", "she": "herself"}.get(pronoun, "themselves")
    text = re.sub(r"\bi'm\b", f"{subj} is", text, flags=re.I)
    text = re.sub(r"\bi've\b", f"{subj} has", text, flags=re.I)
    text = re.sub(r"\bi'll\b", f"{subj} will", text, flags=re.I)
    text = re.sub(r"\bi'd\b", f"{subj} would", text, flags=re.I)

    def verb(m: re.Match[str]) -> str:
        word = m.group(2).lower()
        return f"{subj} {_VERB_3RD.get(word, m.group(2))}"

    text = re.sub(r"\b(i)\s+([\w']+)", verb, text, flags=re.I)
    text = re.sub(r"\bi\b", subj, text, flags=re.I)
    text = re.sub(r"\bmy\b", poss, text, flags=re.I)
    text = re.sub(r"\bmyself\b", refl, text, flags=re.I)
    text = re.sub(r"\bme\b", obj, text, flags=re.I)
    text = _agree(text, subj)
    text = re.sub(r"\bmine\b", f"{poss}s" if poss != "his" else "his", text, flags=re.I)
    text = re.sub(r"\b(?:we're|we are)\b", "they are", text, flags=re.I) if False else text
    return text


_SUBJECT_VERBS = (
    "are|were|have|had|can|could|will|would|should|need|take|took|feel|felt|do|did|don't|didn't|haven't|"
    "notice|noticed|mentioned|said|told|get|got|go|went|use|used|want|know|see|saw|might|may|must|seem|"
    "also|still|just|ever|never|already|enrolled|started|stopped|tried|continue|keep|call|came|come|been|looked|"
    "mentioned|reported|were|had|guys"
)
_AGREE: dict[str, str] = {
    "were": "was",
    "are": "is",
    "have": "has",
    "do": "does",
    "don't": "does not",
    "haven't": "has not",
    "need": "needs",
    "take": "takes",
    "feel": "feels",
    "want": "wants",
    "know": "knows",
    "seem": "seems",
    "get": "gets",
    "go": "goes",
    "use": "uses",
    "notice": "notices",
    "continue": "continues",
    "keep": "keeps",
}


def _agree(text: str, subj: str) -> str:
    if subj == "the patient" or subj in ("he", "she"):
        pattern = rf"\b({re.escape(subj)})\s+((?:also|still|just|usually|really|never|always)\s+)?({'|'.join(map(re.escape, _AGREE))})\b"
        text = re.sub(
            pattern, lambda m: f"{m.group(1)} {m.group(2) or ''}{_AGREE[m.group(3).lower()]}", text, flags=re.I
        )
    return text


def clinician_to_note(text: str, pronoun: str = "they") -> str:
    """The clinician speaking to the patient: 'you' is the patient; plans in the note's future tense."""
    subj = {"he": "he", "she": "she"}.get(pronoun, "the patient")
    poss = {"he": "his", "she": "her"}.get(pronoun, "their")
    obj = {"he": "him", "she": "her"}.get(pronoun, "them")
    text = re.sub(r"\b(?:we're|we are) going to\b", "we will", text, flags=re.I)
    text = re.sub(r"\b(?:i'm|i am) going to\b", "I will", text, flags=re.I)
    text = re.sub(r"\bgonna\b", "going to", text, flags=re.I)
    text = re.sub(r"\bi want you to\b", f"{subj} should", text, flags=re.I)
    text = re.sub(r"\byou're\b", f"{subj} is", text, flags=re.I)
    text = re.sub(r"\byou've\b", f"{subj} has", text, flags=re.I)
    text = re.sub(r"\byou'll\b", f"{subj} will", text, flags=re.I)
    text = re.sub(r"\byou have\b", f"{subj} has", text, flags=re.I)
    text = re.sub(r"\byou are\b", f"{subj} is", text, flags=re.I)
    text = re.sub(r"\byour\b", poss, text, flags=re.I)
    text = re.sub(rf"\byou(?=\s+(?:{_SUBJECT_VERBS})\b)", subj, text, flags=re.I)
    text = re.sub(r"\byou\b", obj, text, flags=re.I)
    text = _agree(text, subj)
    text = re.sub(r"\bi\b", "I", text)
    text = re.sub(r"\bi'(m|ll|ve|d)\b", r"I'\1", text)
    return text


_QUESTION_LEAD = re.compile(
    r"^(?:(?:and|so|now|okay|any|other|also)\s+)*(?:(?:do|did|have|has|are|were|is|any|had)\s+(?:you|there)\s+"
    r"(?:been\s+)?(?:having|had|have|noticed|notice|experienced|experiencing|feel|felt|get|getting|seen|got)?\s*)?"
    r"(?:any\s+)?(?:other\s+)?(?:symptoms?\s+(?:like|such as)\s+)?(?:any\s+)?",
    re.I,
)
_YES = re.compile(r"^\W*(?:yes|yeah|yep|i do|i have|i did|a little|sometimes|uh-huh|mm-hmm,? yes)\b", re.I)
_NO = re.compile(r"^\W*(?:no|nope|nah|not really|none|never|i don't|i haven't|i didn't|nothing)\b", re.I)


def answered_question(question: str, answer: str) -> str | None:
    """'any chest pain or fever?' + 'no .' -> 'Denies chest pain or fever.'; None when it is not such a pair."""
    q = clean(question).rstrip("?. ").strip()
    if not question.rstrip().endswith("?") or len(q.split()) > 14 or not q:
        return None
    if not re.match(
        r"^(?:(?:and|so|now|okay|also)\s+)*(?:any|do you|did you|have you|are you|has there|is there|were you)\b",
        q,
        re.I,
    ):
        return None
    finding = _QUESTION_LEAD.sub("", q).strip(" ,")
    if len(finding.split()) < 1 or re.search(r"\b(?:you|questions?|concerns?|that|this|it)\b", finding, re.I):
        return None
    finding = re.sub(r"\byour\b", "the", finding, flags=re.I)
    finding = re.sub(r"(?:,\s*|\s+or\s+|\s+and\s+)any\b", ", ", finding)
    finding = re.sub(r"\s+,", ",", finding)
    short = len(answer.split()) <= 8
    if _NO.match(answer) and short:
        return f"Denies {finding}."
    if _YES.match(answer) and short:
        return f"Reports {finding}."
    return None


def sentence_case(text: str) -> str:
    text = text.strip()
    if not text:
        return text
    text = text[0].upper() + text[1:]
    if text[-1] not in ".?!":
        text += "."
    return text
