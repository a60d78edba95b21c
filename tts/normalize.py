"""Text normalisation: written forms to spoken words (numbers, dates, times, money, units, phone numbers,
and abbreviations common in medicine and billing). Works token by token so every spoken word keeps the
span of the written token it came from (speech marks point at the caller's text)."""

from __future__ import annotations

import re

from tts.numbers import cardinal, decimal, digits, ordinal, year

MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]

# Abbreviations read as words; keys are lower case, without the trailing period unless it is part of them.
ABBREVIATIONS: dict[str, str] = {
    # medicine
    "bid": "twice a day",
    "b.i.d.": "twice a day",
    "tid": "three times a day",
    "t.i.d.": "three times a day",
    "qid": "four times a day",
    "q.i.d.": "four times a day",
    "qd": "once a day",
    "q.d.": "once a day",
    "qhs": "at bedtime",
    "q.h.s.": "at bedtime",
    "prn": "as needed",
    "p.r.n.": "as needed",
    "po": "by mouth",
    "p.o.": "by mouth",
    "sob": "shortness of breath",
    "hx": "history",
    "dx": "diagnosis",
    "rx": "prescription",
    "tx": "treatment",
    "sx": "symptoms",
    "bp": "blood pressure",
    "hr": "heart rate",
    "dob": "date of birth",
    "copd": "C O P D",
    "q.o.d.": "every other day",
    "qod": "every other day",
    "qam": "every morning",
    "q.a.m.": "every morning",
    "qpm": "every evening",
    "q.p.m.": "every evening",
    "npo": "nothing by mouth",
    "n.p.o.": "nothing by mouth",
    "tds": "three times a day",
    "w/": "with",
    "w/o": "without",
    "h/o": "history of",
    "c/o": "complains of",
    "s/p": "status post",
    "dr.": "Doctor",
    "dr": "Doctor",
    "mr.": "Mister",
    "mrs.": "Missus",
    "ms.": "Miz",
    "st.": "Street",
    "ave.": "Avenue",
    # billing and contact centres
    "acct": "account",
    "acct.": "account",
    "inv": "invoice",
    "inv.": "invoice",
    "no.": "number",
    "dept": "department",
    "dept.": "department",
    "ext": "extension",
    "ext.": "extension",
    "approx": "approximately",
    "approx.": "approximately",
    "e.g.": "for example",
    "i.e.": "that is",
    "etc.": "et cetera",
    "vs": "versus",
    "vs.": "versus",
    "asap": "as soon as possible",
    "faq": "F A Q",
    "usd": "U S dollars",
    "eur": "euros",
}
# Case-sensitive written forms that espeak misreads: IV is a Roman numeral to it ("Roman four").
ACRONYMS: dict[str, str] = {"IV": "I V", "IVs": "I Vs", "IM": "I M", "SQ": "sub Q", "SubQ": "sub Q"}
# Roman numerals (type II, stage III): espeak says "Roman two". I, V, X, IV and letter pairs that are also
# abbreviations (MI, DC, CV, LV) are left alone.
ROMAN = {"II": 2, "III": 3, "VI": 6, "VII": 7, "VIII": 8, "IX": 9, "XI": 11, "XII": 12}
# Tokens that end in a period without ending the sentence.
NON_FINAL = {k for k in ABBREVIATIONS if k.endswith(".")} | {"a.m.", "p.m.", "u.s.", "jr.", "sr.", "vol."}

# unit -> (singular, plural); matched case-sensitively first, then lower case
UNITS: dict[str, tuple[str, str]] = {
    "mg": ("milligram", "milligrams"),
    "mcg": ("microgram", "micrograms"),
    "µg": ("microgram", "micrograms"),
    "g": ("gram", "grams"),
    "kg": ("kilogram", "kilograms"),
    "ml": ("milliliter", "milliliters"),
    "mL": ("milliliter", "milliliters"),
    "l": ("liter", "liters"),
    "L": ("liter", "liters"),
    "cc": ("C C", "C C"),
    "mm": ("millimeter", "millimeters"),
    "cm": ("centimeter", "centimeters"),
    "m": ("meter", "meters"),
    "km": ("kilometer", "kilometers"),
    "mmhg": ("millimeter of mercury", "millimeters of mercury"),
    "mg/dl": ("milligram per deciliter", "milligrams per deciliter"),
    "mmol/l": ("millimole per liter", "millimoles per liter"),
    "mg/kg": ("milligram per kilogram", "milligrams per kilogram"),
    "meq": ("milliequivalent", "milliequivalents"),
    "mmol": ("millimole", "millimoles"),
    "ng": ("nanogram", "nanograms"),
    "dl": ("deciliter", "deciliters"),
    "kcal": ("kilocalorie", "kilocalories"),
    "day": ("day", "days"),
    "wk": ("week", "weeks"),
    "bpm": ("beat per minute", "beats per minute"),
    "lb": ("pound", "pounds"),
    "lbs": ("pound", "pounds"),
    "oz": ("ounce", "ounces"),
    "in": ("inch", "inches"),
    "ft": ("foot", "feet"),
    "mi": ("mile", "miles"),
    "mph": ("mile per hour", "miles per hour"),
    "hr": ("hour", "hours"),
    "hrs": ("hour", "hours"),
    "h": ("hour", "hours"),
    "min": ("minute", "minutes"),
    "mins": ("minute", "minutes"),
    "sec": ("second", "seconds"),
    "s": ("second", "seconds"),
    "ms": ("millisecond", "milliseconds"),
    "%": ("percent", "percent"),
    "°f": ("degree Fahrenheit", "degrees Fahrenheit"),
    "°c": ("degree Celsius", "degrees Celsius"),
    "°": ("degree", "degrees"),
    "iu": ("international unit", "international units"),
    "units": ("unit", "units"),
    "kb": ("kilobyte", "kilobytes"),
    "mb": ("megabyte", "megabytes"),
    "gb": ("gigabyte", "gigabytes"),
}
CURRENCIES = {
    "$": ("dollar", "dollars", "cent", "cents"),
    "€": ("euro", "euros", "cent", "cents"),
    "£": ("pound", "pounds", "penny", "pence"),
}

_NUM = r"\d{1,3}(?:,\d{3})+|\d+"
_RE_NUMBER_UNIT = re.compile(rf"^(?P<num>-?(?:{_NUM})(?:\.\d+)?)(?P<unit>%|°[FC]?|[A-Za-zµ]+(?:/[A-Za-z]+)*)?$")
_RE_MONEY = re.compile(rf"^(?P<cur>[$€£])(?P<whole>{_NUM})(?:\.(?P<cents>\d{{2}}))?(?P<scale>[kKmMbB]n?)?$")
_RE_ORDINAL = re.compile(r"^(\d+)(st|nd|rd|th)$", re.I)
_RE_TIME = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)(?::([0-5]\d))?([ap]\.?m\.?)?$", re.I)
_RE_ISO_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
_RE_US_DATE = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{2}|\d{4})$")
_RE_PHONE = re.compile(r"^(?:\+?1[-. ]?)?\(?(\d{3})\)?[-. ]?(\d{3})[-.](\d{4})$")
_RE_RANGE = re.compile(rf"^({_NUM})[-–]({_NUM})(?P<unit>[A-Za-z%]+)?$")
_RE_FRACTION = re.compile(r"^(\d+)/(\d+)$")
_RE_EVERY_HOURS = re.compile(r"^q\.?(\d{1,2})(?:-(\d{1,2}))?\.?(?:h|hr|hrs|hours?)\.?$", re.I)  # q4h, q4-6h
_RE_CLOCK = re.compile(r"^(1[0-2]|0?[1-9])([ap])\.?m\.?$", re.I)  # 9pm, 11a.m.
_RE_LETTER_NUMBER = re.compile(r"^([A-Z])(\d{1,2})$")  # vitamin B12, D3
_EDGE_PUNCT = "\"'()[]{}<>«»“”‘’,;:!?."
_SCALE_WORDS = {"k": "thousand", "m": "million", "mn": "million", "b": "billion", "bn": "billion"}


def _int(text: str) -> int:
    return int(text.replace(",", ""))


def _number(text: str) -> str:
    return decimal(text) if "." in text else cardinal(_int(text))


def _unit_words(unit: str, amount: str) -> str | None:
    """The unit's name for `amount`; compound units are read with "per" (mg/kg/day, mL/hr, mcg/min)."""
    names = UNITS.get(unit) or UNITS.get(unit.lower())
    if names is None and "/" in unit:
        first, *rest = unit.split("/")
        head = _unit_words(first, amount)
        tails = [UNITS.get(r) or UNITS.get(r.lower()) for r in rest]
        if head is None or not rest or any(t is None for t in tails):
            return None
        return " per ".join([head, *(t[0] for t in tails if t)])
    if names is None:
        return None
    return names[0] if amount in ("1", "-1", "1.0") else names[1]


def date_words(year_n: int, month: int, day: int) -> str | None:
    if not (1 <= month <= 12 and 1 <= day <= 31):
        return None
    return f"{MONTHS[month - 1]} {ordinal(day)}, {year(year_n)}"


def time_words(hours: int, minutes: int, suffix: str = "") -> str:
    suffix_words = " ".join(suffix.replace(".", "").upper()) if suffix else ""
    if minutes == 0:
        spoken = f"{cardinal(hours)} o'clock" if not suffix else cardinal(hours)
    elif minutes < 10:
        spoken = f"{cardinal(hours)} oh {cardinal(minutes)}"
    else:
        spoken = f"{cardinal(hours)} {cardinal(minutes)}"
    return f"{spoken} {suffix_words}".strip()


def phone_words(text: str) -> str:
    """Digits in groups, a comma between groups so engines pause there."""
    groups = [g for g in re.split(r"[^\d]+", text) if g]
    return ", ".join(digits(g) for g in groups)


def expand(core: str) -> str | None:
    """The spoken form of one written token (without edge punctuation), or None when it reads as written."""
    lower = core.lower()
    if core in ACRONYMS:
        return ACRONYMS[core]
    if core in ROMAN:
        return cardinal(ROMAN[core])
    if lower in ABBREVIATIONS:
        return ABBREVIATIONS[lower]
    if not any(c.isdigit() for c in core):
        return None
    if m := _RE_EVERY_HOURS.match(core):
        low, high = int(m[1]), m[2]
        if high:
            return f"every {cardinal(low)} to {cardinal(int(high))} hours"
        return "every hour" if low == 1 else f"every {cardinal(low)} hours"
    if m := _RE_CLOCK.match(core):
        return f"{cardinal(int(m[1]))} {m[2].upper()} M"
    if m := _RE_LETTER_NUMBER.match(core):
        return f"{m[1]} {cardinal(int(m[2]))}"
    if m := _RE_MONEY.match(core):
        major, major_pl, minor, minor_pl = CURRENCIES[m["cur"]]
        whole = _int(m["whole"])
        if m["scale"]:
            return f"{cardinal(whole)} {_SCALE_WORDS[m['scale'].lower()]} {major_pl}"
        spoken = f"{cardinal(whole)} {major if whole == 1 else major_pl}"
        cents = int(m["cents"] or 0)
        if cents:
            spoken += f" and {cardinal(cents)} {minor if cents == 1 else minor_pl}"
        return spoken
    if m := _RE_ORDINAL.match(core):
        return ordinal(int(m[1]))
    if m := _RE_TIME.match(core):
        return time_words(int(m[1]), int(m[2]), m[4] or "")
    if m := _RE_ISO_DATE.match(core):
        return date_words(int(m[1]), int(m[2]), int(m[3]))
    if m := _RE_US_DATE.match(core):
        y = int(m[3]) + (2000 if len(m[3]) == 2 else 0)
        return date_words(y, int(m[1]), int(m[2]))
    if _RE_PHONE.match(core):
        return phone_words(core)
    if m := _RE_RANGE.match(core):
        unit = _unit_words(m["unit"], "2") if m["unit"] else ""
        if unit is None:
            return None
        return f"{cardinal(_int(m[1]))} to {cardinal(_int(m[2]))} {unit}".strip()
    if m := _RE_FRACTION.match(core):
        num, den = int(m[1]), int(m[2])
        if not (0 < num < den <= 10):  # 120/80, 24/7: read "over"
            return f"{cardinal(num)} over {cardinal(den)}"
        if den == 2:
            return f"{cardinal(num)} {'half' if num == 1 else 'halves'}"
        return f"{cardinal(num)} {ordinal(den)}{'s' if num != 1 else ''}"
    if m := _RE_NUMBER_UNIT.match(core):
        num, unit = m["num"], m["unit"]
        spoken = _number(num)
        if unit:
            unit_spoken = _unit_words(unit, num)
            if unit_spoken is None:
                return None
            spoken += " " + unit_spoken
        return spoken
    if re.fullmatch(r"[A-Za-z]+\d+[A-Za-z\d]*|\d+[A-Za-z]+\d[A-Za-z\d]*", core):  # codes: A1C, J45.909-like
        return " ".join(digits(c) if c.isdigit() else c.upper() for c in core)
    return None


def split_edges(token: str) -> tuple[str, str, str]:
    """('(', '20mg', '),') style split of leading and trailing punctuation; keeps abbreviation periods."""
    lead = (
        0
        if _RE_PHONE.match(token.rstrip(_EDGE_PUNCT))
        else len(token) - len(token.lstrip(_EDGE_PUNCT.replace(".", "")))
    )
    core = token[lead:]
    if core.lower() in ABBREVIATIONS or core.lower() in NON_FINAL:
        return token[:lead], core, ""
    stripped = core.rstrip(_EDGE_PUNCT)
    # keep a period that belongs to a listed abbreviation ("b.i.d." before a comma)
    if stripped.lower() + "." in ABBREVIATIONS and core[len(stripped) : len(stripped) + 1] == ".":
        stripped += "."
    return token[:lead], stripped, core[len(stripped) :]


def normalize_token(token: str) -> str:
    """One whitespace-separated written token to what should be spoken, punctuation kept at the edges."""
    lead, core, trail = split_edges(token)
    spoken = expand(core) if core else None
    if spoken is None:
        return token
    if trail.startswith(".") and core.endswith("."):
        trail = trail[1:]
    return f"{lead}{spoken}{trail}"


_RE_TOKEN = re.compile(r"\(\d{3}\)\s?\d{3}-\d{4}\S*|\S+")
DETACHED_AMBIGUOUS = {"in", "s", "m", "h", "ms", "a"}  # "5 in the morning": a unit only when attached
_RE_PLAIN_NUMBER = re.compile(rf"^-?(?:{_NUM})(?:\.\d+)?$")


def tokenize(text: str) -> list[tuple[int, int, str]]:
    """Written tokens with their character spans; a phone number written with a space stays one token."""
    return [(m.start(), m.end(), m.group()) for m in _RE_TOKEN.finditer(text)]


def normalize_tokens(tokens: list[str]) -> list[str]:
    """Spoken form per written token; a unit after a number ("20 mg") is read as a unit."""
    out: list[str] = []
    previous_number: str | None = None
    for token in tokens:
        lead, core, trail = split_edges(token)
        if (
            previous_number is not None
            and not lead
            and core not in DETACHED_AMBIGUOUS
            and (unit := _unit_words(core, previous_number)) is not None
        ):
            out.append(unit + trail)
        else:
            out.append(normalize_token(token))
        numeric = _RE_PLAIN_NUMBER.match(core) or _RE_FRACTION.match(core) or _RE_RANGE.match(core)
        previous_number = core.rpartition("-")[2] if numeric and not trail else None
    return out


def normalize_text(text: str) -> str:
    """Whole-text convenience (no span tracking)."""
    return " ".join(normalize_tokens([t for _, _, t in tokenize(text)]))
