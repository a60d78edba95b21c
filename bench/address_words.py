"""Build ocr/address_words.txt: the words of Malaysian postal addresses that ocr.address_words mends misread
address words against.

Two sources: a hand-written list (the states and federal territories, the words streets and estates are named
by) and the words of four or more letters of the addresses of the public SROIE training receipts
(github.com/zzzDavid/ICDAR-2019-SROIE, data/key), less the 50 receipts of the shared data (the measure set never
feeds the list). A misread word is mended only to a word of the hand list or of two or more addresses (place names
and street words, not one vendor's); the words of a single address are listed apart and left as read, never a
mend's target: that keeps a correctly read place word from being "mended" to a listed neighbour (WANGSA to ANGSA)
without mending a spelling printed once (MONT KIERA) to a common one. Measured with the list built from the 276
training receipts outside the 300 read ones and scored on those 300: address 0.533 with the hand list alone, 0.547
with words of two or more addresses, 0.570 with the words of one address kept as read too (the same as mending to
them as well). A word of one address that is a far more common word with a vowel or a look-alike letter changed is
a slip in the key (TAMPOL, SELANGIR) and left out.

    python -m bench.address_words --sroie-train /tmp/s626/data
"""

from __future__ import annotations

import argparse
import json
import re
from collections import Counter
from pathlib import Path

from bench.documents import _train_boxes
from ocr.address_words import ONCE_MARK

OUT = Path(__file__).resolve().parent.parent / "ocr" / "address_words.txt"
MIN_ADDRESSES = 2
TYPO_RATIO = 3
VOWELS = "AEIOU"
SLIPS = {c: (VOWELS.replace(c, "") + ("L" if c == "I" else "")) for c in VOWELS} | {"L": "I"}
# the states and federal territories, the words Malaysian streets, estates and buildings are named by, the older
# spellings still printed (SUNGEI, TANJONG), Malay words of places (PASAR, BORONG: not misread PASIR, LORONG), and
# the countries shops are named after (DAISO JAPAN)
BASE = """
JOHOR KEDAH KELANTAN MELAKA MALACCA NEGERI SEMBILAN PAHANG PERAK PERLIS PENANG PULAU PINANG SABAH SARAWAK
SELANGOR TERENGGANU KUALA LUMPUR PUTRAJAYA LABUAN WILAYAH PERSEKUTUAN DARUL EHSAN TAKZIM AMAN NAIM RIDZUAN
KHUSUS MAKMUR IMAN MALAYSIA SINGAPORE
JALAN LORONG PERSIARAN LEBUH LEBUHRAYA LINGKARAN TAMAN BANDAR KAMPUNG KAWASAN PERINDUSTRIAN PERNIAGAAN PUSAT
SEKSYEN MUKIM DAERAH DESA BUKIT SUNGAI BATU TANJUNG PASIR SIMPANG PADANG PANTAI KOTA BARU BAHRU UTARA SELATAN
TIMUR BARAT TENGAH JAYA INDAH UTAMA PERDANA PERMAI SERI MEGAH RAYA DAMAI MAJU MEWAH IMPIAN WISMA MENARA
BANGUNAN KOMPLEKS GROUND FLOOR LEVEL BLOCK BASEMENT UNIT SUITE PLAZA SQUARE CENTRE CENTER MALL ROAD STREET
AVENUE LANE PARK CITY SECTION INDUSTRIAL
JLN TMN BLK LRG BDR FLR SEK KWS KPG LOT
KLANG PETALING SHAH ALAM SUBANG DAMANSARA PUCHONG CHERAS KAJANG AMPANG KEPONG SETAPAK SERDANG SEMENYIH
RAWANG SELAYANG GOMBAK BANGI SEPANG CYBERJAYA BALAKONG KEMBANGAN BANTING IPOH TAIPING SEREMBAN NILAI KUANTAN
MUAR BATU PAHAT KLUANG SKUDAI MASAI PASIR GUDANG KULAI SEGAMAT GEORGETOWN BUTTERWORTH ALOR SETAR KOTA BHARU
KUCHING MIRI SIBU KINABALU SANDAKAN TAWAU
SUNGEI TANJONG KAMPONG BAHARU
PASAR BORONG KEDAI PEKAN MEDAN DATARAN ANGKASA HENTIAN STESEN BALAI PEJABAT SEKOLAH MASJID PELABUHAN
JAPAN CHINA INDIA KOREA THAILAND INDONESIA BRUNEI
"""


def address_words(folder: Path) -> tuple[list[str], list[str]]:
    """The words a misreading is mended to (hand list, words of MIN_ADDRESSES or more addresses) and the words of
    one address, which are left as read but never a mend's target."""
    counts: Counter[str] = Counter()
    addresses = set()
    for box in _train_boxes(folder):
        key = json.loads((folder / "key" / f"{box.stem}.json").read_text())
        addresses.add(re.sub(r"\s+", " ", key.get("address", "").upper()))
    for address in addresses:
        counts.update(set(re.findall(r"[A-Z]{4,}", address)))
    targets = {word for word, n in counts.items() if n >= MIN_ADDRESSES} | set(BASE.split())
    once = {word for word in counts if word not in targets and not _typo(word, counts)}
    return sorted(targets), sorted(once)


def _typo(word: str, counts: Counter[str]) -> bool:
    """A word of one address that is a word of TYPO_RATIO times as many addresses with one letter swapped for a
    look-alike or another vowel: a slip in the key ("TAMPOL" once, TAMPOI in 83 addresses; "SELANGIR") which, listed,
    would stop the mend of the same misreading. Other near words are real places (WANGSA and ANGSA, SEGAR and
    SETAR)."""
    if counts[word] != 1:
        return False
    for i, c in enumerate(word):
        for other in SLIPS.get(c, ""):
            if counts[word[:i] + other + word[i + 1 :]] >= TYPO_RATIO:
                return True
    return False


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sroie-train", type=Path, required=True, help="the SROIE repository's data/ folder")
    args = parser.parse_args()
    targets, once = address_words(args.sroie_train)
    OUT.write_text("# Built by bench/address_words.py (see there for the sources); one word per line.\n"
                   + "\n".join(targets) + f"\n{ONCE_MARK}\n" + "\n".join(once) + "\n")  # fmt: skip
    print(f"{len(targets)} words mended to, {len(once)} of one address -> {OUT}")


if __name__ == "__main__":
    main()
