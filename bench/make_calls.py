"""Make stereo test calls from ABCD dialogues, with known turn times, planted PII, silences and interruptions.

    .venv/bin/python bench/make_calls.py -o bench/out/calls --calls 3

Each dialogue of ``$VOXGATE_DATA/nlp/abcd/abcd_sample.json`` becomes a 16 kHz stereo WAV: agent on channel 0
(TTS voice flite-slt), customer on channel 1 (flite-rms), synthesised with the project's own ``tts.synthesize``.
Turns are laid out one after another with short gaps; the generator plants
- PII in customer turns (name, e-mail, phone, Luhn-valid card number, account number, street address),
- one long silence (a hold) of ``--silence`` seconds,
- interruptions: the customer starts ``--overlap`` seconds before an agent turn ends.
``manifest.json`` records every planted fact; bench/calls.py scores the analytics against it.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import random
import sys
import wave
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the repo's packages before bench/*.py names

SR = 16000
VOICES = {"agent": "flite-slt", "customer": "flite-rms"}
GAP = 0.7
FIRST = ["john", "maria", "ahmed", "sara", "david", "anna"]
LAST = ["garcia", "chen", "patel", "johnson", "lopez", "brown"]
STREETS = ["oak street", "maple avenue", "lincoln road", "king street", "elm drive"]
CITIES = ["boston", "austin", "denver", "raleigh"]


def luhn_card(rng: random.Random) -> str:
    digits = [4] + [rng.randint(0, 9) for _ in range(14)]
    total = 0
    for i, d in enumerate(reversed(digits)):
        if i % 2 == 0:
            d *= 2
            d = d - 9 if d > 9 else d
        total += d
    digits.append((10 - total % 10) % 10)
    s = "".join(map(str, digits))
    return " ".join(s[i : i + 4] for i in range(0, 16, 4))


def plant_pii(rng: random.Random) -> list[tuple[str, str, str]]:
    """(type, value, sentence) to insert as customer turns."""
    first, last = rng.choice(FIRST).title(), rng.choice(LAST).title()
    user = f"{first.lower()}{rng.randint(10, 99)}"
    phone = f"({rng.randint(201, 989)}) {rng.randint(201, 989)}-{rng.randint(1000, 9999)}"
    card = luhn_card(rng)
    account = str(rng.randint(10_000_000, 99_999_999))
    addr = f"{rng.randint(10, 9999)} {rng.choice(STREETS).title()}"
    return [
        ("NAME", f"{first} {last}", f"My name is {first} {last}."),
        ("EMAIL", f"{user}@example.com", f"My email is {user}@example.com."),
        ("PHONE", phone, f"My phone number is {phone}."),
        ("CREDIT_DEBIT_NUMBER", card, f"The card number is {card}."),
        ("ACCOUNT_NUMBER", account, f"My account number is {account}."),
        ("ADDRESS", addr, f"I live at {addr}, {rng.choice(CITIES).title()}."),
    ]


def synth(text: str, voice: str) -> np.ndarray:
    import tts

    audio = tts.synthesize(text, voice, "wav")
    with wave.open(io.BytesIO(audio.data)) as w:
        rate, n = w.getframerate(), w.getnframes()
        x = np.frombuffer(w.readframes(n), dtype=np.int16).astype(np.float32) / 32768
    if rate != SR:
        x = np.interp(np.arange(0, len(x), rate / SR), np.arange(len(x)), x).astype(np.float32)
    # trim the voice's own leading/trailing silence so the planted times are the speech times
    on = np.flatnonzero(np.abs(x) > 0.01)
    return x[on[0] : on[-1] + 1] if len(on) else x


def make_call(
    convo: dict, rng: random.Random, max_turns: int, silence: float, overlap: float
) -> tuple[np.ndarray, dict]:
    turns = [(s, t) for s, t in convo["original"] if s in ("agent", "customer")][:max_turns]
    pii = plant_pii(rng)
    # planted PII: after the first customer turn, customer gives details one by one, agent acknowledges
    script: list[tuple[str, str, dict]] = []
    first_customer = next(i for i, (s, _) in enumerate(turns) if s == "customer")
    for i, (s, t) in enumerate(turns):
        script.append((s, t, {}))
        if i == first_customer:
            for typ, value, sent in pii:
                script.append(("customer", sent, {"pii": (typ, value)}))
                script.append(("agent", "Thank you.", {}))
    hold_at = len(script) // 2
    agent_turns = [i for i, (s, _, _) in enumerate(script) if s == "agent" and i + 1 < len(script)]
    # interrupt agent turns long enough to be cut into (six words or more)
    interrupt_after = [
        i for i in agent_turns if script[i + 1][0] == "customer" and i > 2 and len(script[i][1].split()) >= 6
    ][:2]
    tracks = {"agent": [], "customer": []}
    t = 0.5
    truth_turns, silences, interrupts, planted = [], [], [], []
    for i, (spk, text, meta) in enumerate(script):
        x = synth(text, VOICES[spk])
        dur = len(x) / SR
        start = t
        if i == hold_at:
            silences.append({"start": round(t - GAP, 2), "end": round(t - GAP + silence, 2)})
            start = t = t - GAP + silence
        if i - 1 in interrupt_after and truth_turns:
            prev = truth_turns[-1]
            ov = min(overlap, (prev["end"] - prev["start"]) / 2)
            start = prev["end"] - ov
            interrupts.append({"by": spk, "at": round(start, 2), "duration": round(ov, 2)})
        tracks[spk].append((start, x))
        truth_turns.append({"speaker": spk, "start": round(start, 3), "end": round(start + dur, 3), "text": text})
        if "pii" in meta:
            planted.append({"type": meta["pii"][0], "value": meta["pii"][1], "turn_text": text})
        t = max(t, start + dur) + GAP
    total = t + 0.5
    stereo = np.zeros((2, int(total * SR) + 1), dtype=np.float32)
    for ch, spk in enumerate(("agent", "customer")):
        for start, x in tracks[spk]:
            a = int(start * SR)
            stereo[ch, a : a + len(x)] += x
    talk = {
        spk: round(sum(tt["end"] - tt["start"] for tt in truth_turns if tt["speaker"] == spk), 3)
        for spk in ("agent", "customer")
    }
    truth = {
        "duration": round(total, 2),
        "agent_channel": 0,
        "turns": truth_turns,
        "talk_time": talk,
        "silences": silences,
        "interruptions": interrupts,
        "pii": planted,
    }
    return np.clip(stereo, -1, 1), truth


def write_wav(path: Path, stereo: np.ndarray) -> None:
    pcm = (stereo.T * 32767).astype(np.int16)
    with wave.open(str(path), "wb") as w:
        w.setnchannels(2)
        w.setsampwidth(2)
        w.setframerate(SR)
        w.writeframes(pcm.tobytes())


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("-o", "--out", type=Path, default=Path("bench/out/calls"))
    ap.add_argument("--data", type=Path, default=Path(os.environ.get("VOXGATE_DATA", "../shared/data")))
    ap.add_argument("--calls", type=int, default=3)
    ap.add_argument("--max-turns", type=int, default=14)
    ap.add_argument("--silence", type=float, default=6.0)
    ap.add_argument("--overlap", type=float, default=1.0)
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args()
    rng = random.Random(args.seed)
    convos = json.loads((args.data / "nlp/abcd/abcd_sample.json").read_text())
    args.out.mkdir(parents=True, exist_ok=True)
    manifest = {}
    for k in range(args.calls):
        convo = convos[k % len(convos)]
        stereo, truth = make_call(convo, rng, args.max_turns, args.silence, args.overlap)
        name = f"abcd_{convo['convo_id']}_{k}.wav"
        write_wav(args.out / name, stereo)
        manifest[name] = truth
        print(f"{name}: {truth['duration']:.1f} s, {len(truth['turns'])} turns, {len(truth['pii'])} PII")
    (args.out / "manifest.json").write_text(json.dumps(manifest, indent=1))


if __name__ == "__main__":
    main()
