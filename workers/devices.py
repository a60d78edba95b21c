"""Which devices this process can run models on."""

from __future__ import annotations

import importlib.util
import os
import threading

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
