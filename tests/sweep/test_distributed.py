"""The jax.distributed path on one machine: two processes on 127.0.0.1, two CPU devices each,
sweep over the 4-device global mesh, results all-gathered (gloo) in both processes."""

import json
import os
import socket
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

SRC = str(Path(__file__).resolve().parents[2] / "src")

WORKER = textwrap.dedent(
    """
    import json, sys
    pid, nproc, port = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
    import dissipax
    from dissipax.sweep import distributed
    distributed.initialize(f"127.0.0.1:{port}", num_processes=nproc, process_id=pid)
    import jax, jax.numpy as jnp, numpy as np
    from dissipax.sweep import evaluate

    def f(omega, T):
        return {"re": jnp.sin(omega) * T, "c": jnp.exp(1j * omega) / T}

    r = evaluate(f, omega=np.linspace(0.0, 1.0, 31), T=np.linspace(1.0, 2.0, 13),
                 chunk_size=40, progress=False)
    print("RESULT" + json.dumps({
        "pid": pid, "main": distributed.is_main_process(),
        "process_count": jax.process_count(), "n_devices": r.attrs["n_devices"],
        "n_chunks": r.attrs["n_chunks"], "re": r.data["re"].tolist(),
        "c_re": r.data["c"].real.tolist(), "c_im": r.data["c"].imag.tolist()}), flush=True)
    distributed.shutdown()
    """
)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _run(nproc: int) -> list[dict]:
    env = dict(
        os.environ,
        XLA_FLAGS="--xla_force_host_platform_device_count=2",
        PYTHONPATH=SRC + os.pathsep + os.environ.get("PYTHONPATH", ""),
        DISSIPAX_QUIET="1",
        JAX_PLATFORMS="cpu",
    )
    port = str(_free_port())
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", WORKER, str(i), str(nproc), port],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for i in range(nproc)
    ]
    results = []
    try:
        for p in procs:
            out, err = p.communicate(timeout=180)
            assert p.returncode == 0, err[-3000:]
            line = next(ln for ln in out.splitlines() if ln.startswith("RESULT"))
            results.append(json.loads(line[len("RESULT") :]))
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()
    return results


def _reference():
    w, t = np.meshgrid(np.linspace(0.0, 1.0, 31), np.linspace(1.0, 2.0, 13), indexing="ij")
    return np.sin(w) * t, np.exp(1j * w) / t


def test_two_processes_on_localhost():
    res = _run(2)
    re_ref, c_ref = _reference()
    assert sorted(r["pid"] for r in res) == [0, 1]
    assert [r["main"] for r in sorted(res, key=lambda r: r["pid"])] == [True, False]
    for r in res:
        assert r["process_count"] == 2 and r["n_devices"] == 4  # global mesh of 2 x 2 devices
        assert r["n_chunks"] == 11  # 403 points in chunks of 40
        # every process holds the full grid; elementwise float64 ops: 1 ulp
        np.testing.assert_allclose(r["re"], re_ref, rtol=3e-16, atol=0)
        np.testing.assert_allclose(
            np.array(r["c_re"]) + 1j * np.array(r["c_im"]), c_ref, rtol=3e-16, atol=0
        )


def test_one_process_coordinator():
    (r,) = _run(1)
    re_ref, _ = _reference()
    assert r["process_count"] == 1 and r["n_devices"] == 2 and r["main"]
    np.testing.assert_allclose(r["re"], re_ref, rtol=3e-16, atol=0)


EXAMPLE = Path(__file__).resolve().parents[2] / "docs" / "examples" / "two_process_sweep.py"


def _run_example(tmp_path, *extra) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=SRC + os.pathsep + os.environ.get("PYTHONPATH", ""))
    return subprocess.run(
        [sys.executable, str(EXAMPLE), "--out", str(tmp_path), "--timeout", "150", *extra],
        env=env,
        capture_output=True,
        text=True,
        timeout=200,
    )


@pytest.mark.slow
def test_documented_two_process_example(tmp_path):
    """docs/examples/two_process_sweep.py as documented: a guarded rf observable over the
    2 x 2-device mesh equals a direct call (checked inside the example) and is written."""
    ok = _run_example(tmp_path)
    assert ok.returncode == 0, ok.stdout[-2000:] + ok.stderr[-2000:]
    assert "launcher: exit codes [0, 0]" in ok.stdout
    assert "process 0/2: 4 devices" in ok.stdout and "process 1/2: 4 devices" in ok.stdout
    assert "max relative difference to a direct call" in ok.stdout
    with np.load(tmp_path / "two_process_sweep.npz") as f:
        assert any(f[k].shape == (37, 11) for k in f.files)


def test_documented_example_guard_fails_in_both_processes(tmp_path):
    """The example with --bad: one T above T_c; both processes raise the same DomainError
    (no hang, no NaN), exit code 3 (the example's)."""
    bad = _run_example(tmp_path, "--bad")
    assert bad.returncode == 3, bad.stdout[-2000:] + bad.stderr[-2000:]
    # every process, not only the largest code: a process that died of anything else (and
    # printed no line) shows here with its own code and its stderr
    assert "launcher: exit codes [3, 3]" in bad.stdout, bad.stdout[-3000:] + bad.stderr[-3000:]
    lines = [
        next((ln for ln in bad.stdout.splitlines() if ln.startswith(f"process {rank}:")), None)
        for rank in (0, 1)
    ]
    assert None not in lines, bad.stdout[-3000:] + bad.stderr[-3000:]
    for line in lines:
        assert "DomainError: argument 'T' out of its domain at run time" in line
        assert "got 0.9" in line
    assert lines[0].split(":", 1)[1] == lines[1].split(":", 1)[1]  # the same message
