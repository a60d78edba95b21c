"""Which devices this process can run models on."""

from __future__ import annotations

import functools
import importlib.util
import os
import platform
import threading
from pathlib import Path

from workers.spec import DevicePreference


def cuda_device_count() -> int:
    """CUDA devices seen by torch, else by CTranslate2; 0 when neither is installed or sees one."""
    if importlib.util.find_spec("torch") is not None:
        import torch

        if torch.cuda.is_available():
            return torch.cuda.device_count()
    if importlib.util.find_spec("ctranslate2") is not None:
        import ctranslate2

        try:
            return ctranslate2.get_cuda_device_count()
        except RuntimeError:
            return 0
    return 0


def available_devices(allow_cuda: bool = True) -> list[str]:
    devices = ["cpu"]
    if allow_cuda:
        devices += [f"cuda:{i}" for i in range(cuda_device_count())]
    return devices


def candidate_devices(preference: str, devices: list[str]) -> list[str]:
    """Devices a model with this preference may be placed on, best first."""
    gpus = [d for d in devices if d.startswith("cuda")]
    if preference == DevicePreference.CPU:
        return ["cpu"]
    if preference == DevicePreference.CUDA:
        return gpus or ["cpu"]
    if preference.startswith("cuda:"):
        return [preference] if preference in devices else ["cpu"]
    return gpus + ["cpu"]


CT2_DEFAULT_CPU_THREADS = 4  # what CTranslate2 runs when asked for 0 threads


def ct2_cpu_threads(requested: int) -> int:
    """CTranslate2 threads for one CPU model: `requested` (0 for CTranslate2's default), but never more than
    OMP_THREAD_LIMIT allows. CTranslate2 does not check that limit: asked for more threads than it, its
    decodes come out as garbage (Whisper repeating "the, the, the"), not just slower."""
    limit = os.environ.get("OMP_THREAD_LIMIT", "")
    if not limit.isdigit() or int(limit) < 1:
        return requested
    return min(requested or CT2_DEFAULT_CPU_THREADS, int(limit))


def raise_thread_nice(at_least: int) -> None:
    """Set the calling thread's nice value to `at_least` (at most 19), never lower than it already is: lowering it
    again needs privileges. Linux keeps it per thread, and the threads and processes the thread starts inherit it.
    Raises OSError where the platform refuses."""
    tid = threading.get_native_id()
    os.setpriority(os.PRIO_PROCESS, tid, min(19, max(at_least, os.getpriority(os.PRIO_PROCESS, tid))))


def thread_nice() -> int:
    return os.getpriority(os.PRIO_PROCESS, threading.get_native_id())


# x86 instructions that multiply int8 into 32-bit sums. Without them CTranslate2's int8 products (oneDNN's u8s8
# kernels) sum pairs of u8*s8 into 16 bits with saturation, so large activations clip.
VNNI_FLAGS = frozenset({"avx512_vnni", "avx_vnni"})
X86_MACHINES = frozenset({"x86_64", "amd64", "i386", "i686", "x86"})


def int8_is_exact(machine: str, flags: frozenset[str]) -> bool:
    """Whether int8 matrix products keep their full sums on this CPU: x86 with VNNI, or another architecture (ARM's
    int8 kernels accumulate in 32 bits). An x86 CPU whose flags are unknown counts as without VNNI."""
    if machine.lower() not in X86_MACHINES:
        return True
    return bool(flags & VNNI_FLAGS)


def cpu_flags(cpuinfo: Path = Path("/proc/cpuinfo")) -> frozenset[str]:
    """The first processor's feature flags (Linux); empty where the file is absent or says none."""
    try:
        text = cpuinfo.read_text(errors="replace")
    except OSError:
        return frozenset()
    for line in text.splitlines():
        key, _, value = line.partition(":")
        if key.strip() in ("flags", "Features"):
            return frozenset(value.split())
    return frozenset()


@functools.cache
def cpu_int8_is_exact() -> bool:
    """int8_is_exact for the CPU this process runs on."""
    return int8_is_exact(platform.machine(), cpu_flags())
