"""Which CPUs multiply int8 into full 32-bit sums (workers.devices): the fact asr's "auto" compute type rests on."""

from __future__ import annotations

import platform
from pathlib import Path

from workers.devices import cpu_flags, cpu_int8_is_exact, int8_is_exact

ZEN3 = "processor\t: 0\nvendor_id\t: AuthenticAMD\nflags\t\t: fpu sse2 avx avx2 fma bmi2\n"
ZEN4 = "processor\t: 0\nflags\t\t: fpu avx avx2 avx512f avx512bw avx512_vnni avx512_bf16\nprocessor\t: 1\n"
ALDER_LAKE = "flags\t\t: avx avx2 avx_vnni\n"


def test_x86_is_exact_only_with_vnni() -> None:
    assert not int8_is_exact("x86_64", frozenset({"avx2", "fma"}))
    assert not int8_is_exact("x86_64", frozenset({"avx512f", "avx512bw"}))  # AVX-512 without VNNI saturates too
    assert int8_is_exact("x86_64", frozenset({"avx512f", "avx512_vnni"}))
    assert int8_is_exact("AMD64", frozenset({"avx_vnni"}))
    assert not int8_is_exact("x86_64", frozenset())  # flags unknown: the safe answer


def test_other_architectures_are_exact() -> None:
    assert int8_is_exact("aarch64", frozenset())
    assert int8_is_exact("arm64", frozenset({"asimd"}))


def test_flags_are_read_from_cpuinfo(tmp_path: Path) -> None:
    for text, vnni in ((ZEN3, False), (ZEN4, True), (ALDER_LAKE, True)):
        info = tmp_path / "cpuinfo"
        info.write_text(text)
        flags = cpu_flags(info)
        assert "avx2" in flags and bool(flags & {"avx512_vnni", "avx_vnni"}) == vnni
    arm = tmp_path / "arm"
    arm.write_text("processor\t: 0\nFeatures\t: fp asimd sha2\n")
    assert cpu_flags(arm) == frozenset({"fp", "asimd", "sha2"})
    assert cpu_flags(tmp_path / "absent") == frozenset()


def test_this_cpu_is_judged_by_its_own_flags() -> None:
    assert cpu_int8_is_exact() == int8_is_exact(platform.machine(), cpu_flags())
