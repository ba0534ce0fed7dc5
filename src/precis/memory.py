"""Peak memory of the running process, measured so that a child process reports its own.

Used by ``precis batch`` (each Dask worker's peak) and by the benchmarks. Light on
purpose (standard library only): a process that imports it to measure itself should not
grow by what it imports.
"""

from __future__ import annotations

import resource
import sys
from pathlib import Path


def peak_rss_mb() -> float:
    """Peak resident memory of the calling process, in MB: ``VmHWM`` where Linux has it.

    Not ``getrusage``'s ``ru_maxrss`` there: Linux carries a process's peak over ``exec``,
    so a process started by fork (or vfork) and exec, as Dask's nanny starts each worker,
    reports at least the *spawning* process's peak (the driver's, for a local cluster) for
    its whole life. ``VmHWM`` belongs to the memory map that ``exec`` makes afresh.
    """
    status = _proc_status()
    if status is not None and "VmHWM" in status:
        return round(int(status["VmHWM"].split()[0]) / 1024, 1)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return round(peak / (1024 * 1024 if sys.platform == "darwin" else 1024), 1)  # bytes : KiB


def _proc_status() -> dict[str, str] | None:
    try:
        text = Path("/proc/self/status").read_text(encoding="ascii", errors="replace")
    except OSError:
        return None
    return dict(line.split(":", 1) for line in text.splitlines() if ":" in line)
